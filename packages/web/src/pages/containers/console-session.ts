// One console session: an xterm.js terminal wired to the console WebSocket. Keystrokes go out as
// binary frames, output comes back binary; text frames are JSON (exit, error). The terminal
// follows its element's size and tells the server (resize message). xterm itself is passed in:
// ConsolePanel loads it lazily, so only types are imported here.
import { ConsoleExitMessageSchema, LiveErrorMessageSchema, type ConsoleResizeMessage } from '@capstan/protocol';
import type { FitAddon } from '@xterm/addon-fit';
import type { Terminal } from '@xterm/xterm';

/** The lazily loaded xterm classes. */
export interface XtermModules {
  Terminal: typeof Terminal;
  FitAddon: typeof FitAddon;
}

/** How a console session ended, for the panel. */
export type ConsoleEnd = { kind: 'exit'; exitCode: number | null } | { kind: 'error'; reason: string } | { kind: 'closed'; reason: string };

/** A running session: `close()` hangs up and releases the terminal. */
export interface ConsoleSession {
  close(): void;
  focus(): void;
}

/** Starts a terminal in `element` and connects it to the console socket `urlFor(cols, rows)` gives. */
export function startConsole(
  mods: XtermModules,
  element: HTMLElement,
  urlFor: (cols: number, rows: number) => string,
  events: { onOpen: () => void; onEnd: (end: ConsoleEnd) => void },
): ConsoleSession {
  element.replaceChildren();
  const term = new mods.Terminal({ cursorBlink: true, fontSize: 13, fontFamily: 'ui-monospace, Menlo, Consolas, monospace', scrollback: 5_000 });
  const fit = new mods.FitAddon();
  term.loadAddon(fit);
  term.open(element);
  fit.fit();
  const ws = new WebSocket(urlFor(term.cols, term.rows));
  ws.binaryType = 'arraybuffer';
  const encoder = new TextEncoder();
  let opened = false;
  let ended: ConsoleEnd | null = null;
  let hungUp = false;
  const send = (data: Uint8Array<ArrayBuffer> | string): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(data);
  };
  const resize = (cols: number, rows: number): void => {
    const msg: ConsoleResizeMessage = { type: 'resize', cols, rows };
    send(JSON.stringify(msg));
  };
  ws.onopen = () => {
    opened = true;
    events.onOpen();
    resize(term.cols, term.rows);
    term.focus();
  };
  ws.onmessage = (msg: MessageEvent<unknown>) => {
    if (msg.data instanceof ArrayBuffer) {
      term.write(new Uint8Array(msg.data));
      return;
    }
    if (typeof msg.data !== 'string') return;
    let value: unknown;
    try {
      value = JSON.parse(msg.data);
    } catch {
      return;
    }
    const exit = ConsoleExitMessageSchema.safeParse(value);
    if (exit.success) ended = { kind: 'exit', exitCode: exit.data.exitCode };
    const failure = LiveErrorMessageSchema.safeParse(value);
    if (failure.success) ended = { kind: 'error', reason: `${failure.data.message} (${failure.data.code})` };
  };
  ws.onclose = (ev) => {
    observer.disconnect();
    term.options.disableStdin = true;
    if (hungUp) return;
    const refused = 'The server refused the console: the container may have stopped, the command may not exist, or your role may not allow it.';
    events.onEnd(ended ?? { kind: opened ? 'closed' : 'error', reason: opened ? `The connection closed (code ${ev.code}).` : refused });
  };
  const input = term.onData((data) => send(encoder.encode(data)));
  const binary = term.onBinary((data) => send(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));
  const resized = term.onResize(({ cols, rows }) => resize(cols, rows));
  const observer = new ResizeObserver(() => {
    try {
      fit.fit();
    } catch {
      // the element is hidden (another tab): nothing to fit
    }
  });
  observer.observe(element);
  return {
    close() {
      hungUp = true;
      observer.disconnect();
      input.dispose();
      binary.dispose();
      resized.dispose();
      ws.close(1000);
      term.dispose();
    },
    focus() {
      term.focus();
    },
  };
}
