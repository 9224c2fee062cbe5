// Interactive console: exec create (TTY, stdin) then exec start as a hijacked stream through the
// tunnel. Browser binary (or non-resize text) messages are stdin, resize messages resize the TTY,
// engine output goes back as binary; when the command exits the browser gets {type:'exit', exitCode}.
import { ConsoleResizeMessageSchema, consoleArgv, type ConsoleQuery } from '@capstan/protocol';
import type { RawData, WebSocket } from 'ws';
import { AppError } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import { awaitHead, containerError, engineCall, engineRequest } from './engine-calls.ts';
import { streamFailure, type FeatureDeps, type LiveSession, type LiveTarget } from './live.types.ts';
import { failSocket, json, relayStream, watchEarlyReset } from './ws-relay.ts';

/**
 * Docker keeps a TTY exec running when its attach connection closes (a detach), and has no call to
 * kill an exec. A browser that goes away therefore "hangs up" the way a terminal user would: Ctrl-C
 * (interrupt the foreground program), Ctrl-D (end the shell's input), then the stream is reset after
 * a grace period. A program that ignores both keeps running; `containers.console.end` records it.
 */
const HANGUP_KEYS = new Uint8Array([0x03, 0x04]);
const HANGUP_GRACE_MS = 3_000;

/** How long to wait for the engine to record an exit code after the output ended. */
const EXIT_POLLS = 30;
const EXIT_POLL_MS = 100;

/** The exec create body for a console: TTY, stdin, and a terminal type browsers' emulators handle. */
export function execCreateBody(query: ConsoleQuery): Record<string, unknown> {
  return {
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Cmd: consoleArgv(query.cmd),
    Env: ['TERM=xterm-256color'],
    ...(query.user ? { User: query.user } : {}),
  };
}

/** Parses a text message as a resize request; null when it is stdin instead. */
export function parseResize(text: string): { cols: number; rows: number } | null {
  if (!text.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = ConsoleResizeMessageSchema.safeParse(value);
  return parsed.success ? { cols: parsed.data.cols, rows: parsed.data.rows } : null;
}

function toBytes(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** Resizes the exec's TTY; calls are serialized and only the latest pending size is sent. */
class Resizer {
  readonly #deps: FeatureDeps;
  readonly #environmentId: number;
  readonly #execId: string;
  #pending: { cols: number; rows: number } | null = null;
  #busy = false;

  constructor(deps: FeatureDeps, environmentId: number, execId: string) {
    this.#deps = deps;
    this.#environmentId = environmentId;
    this.#execId = execId;
  }

  request(size: { cols: number; rows: number }): void {
    this.#pending = size;
    if (!this.#busy) void this.#run();
  }

  async #run(): Promise<void> {
    this.#busy = true;
    while (this.#pending) {
      const { cols, rows } = this.#pending;
      this.#pending = null;
      try {
        const r = await engineCall(this.#deps.tunnel, this.#environmentId, 'POST', `/exec/${this.#execId}/resize?h=${rows}&w=${cols}`);
        if (r.status >= 300) this.#deps.log.debug({ status: r.status, execId: this.#execId }, 'console resize refused by the engine');
      } catch (err) {
        this.#deps.log.debug({ err, execId: this.#execId }, 'console resize failed');
      }
    }
    this.#busy = false;
  }
}

/** The exec's exit code once the engine has recorded it; null when it does not within a few seconds. */
async function exitCode(deps: FeatureDeps, environmentId: number, execId: string): Promise<number | null> {
  for (let i = 0; i < EXIT_POLLS; i++) {
    const r = await engineCall(deps.tunnel, environmentId, 'GET', `/exec/${execId}/json`);
    const info = r.json as { Running?: unknown; ExitCode?: unknown } | undefined;
    if (r.status !== 200) return null;
    if (info?.Running === false) return typeof info.ExitCode === 'number' ? info.ExitCode : null;
    await new Promise((resolve) => setTimeout(resolve, EXIT_POLL_MS));
  }
  return null;
}

/**
 * Creates and starts the exec (AppError before any upgrade: 404 container, 409 not running, 503
 * offline). `ctx` carries the console's audit draft: the start is recorded on attach, the end after.
 */
export async function prepareConsole(deps: FeatureDeps, target: LiveTarget, query: ConsoleQuery, ctx: RequestContext): Promise<LiveSession> {
  const { environmentId, containerId } = target;
  const created = await engineCall(deps.tunnel, environmentId, 'POST', `/containers/${encodeURIComponent(containerId)}/exec`, execCreateBody(query));
  if (created.status !== 201) throw containerError(created.status, created.json, environmentId, containerId);
  const execId = (created.json as { Id?: unknown } | undefined)?.Id;
  if (typeof execId !== 'string' || !/^[0-9a-f]{1,128}$/.test(execId)) {
    throw new AppError('agent_upstream_error', `environment ${environmentId}: the engine's exec create answer has no exec id`);
  }
  if (ctx.audit) ctx.audit.details.execId = execId;

  const { request, bytes } = engineRequest('docker-hijack', 'POST', `/exec/${execId}/start`, { Detach: false, Tty: true });
  const stream = deps.tunnel.openStream(environmentId, request);
  if (bytes) stream.write(bytes);
  try {
    const head = await awaitHead(stream, environmentId);
    if (head.status !== 101) throw containerError(head.status, undefined, environmentId, containerId);
  } catch (err) {
    stream.reset('cancelled');
    throw err;
  }
  const early = watchEarlyReset(stream);
  const failure = (code: string, message: string) => streamFailure(deps.tunnel, environmentId, code, message);
  const startedAt = Date.now();
  let exit: number | null = null;

  // The end is recorded once both sides are done: the browser socket closed, and the exec exited
  // (exit code known) or its stream failed.
  let browserClosed = false;
  let engineDone = false;
  let hungUp = false;
  let recorded = false;
  const recordEnd = () => {
    if (recorded || !browserClosed || !engineDone || !ctx.audit) return;
    recorded = true;
    const details = { ...ctx.audit.details, exitCode: exit, hungUp, durationMs: Date.now() - startedAt };
    const end: RequestContext = { ...ctx, audited: false, audit: { ...ctx.audit, action: 'containers.console.end', details } };
    deps.audit.recordOutcome(end, 200).catch((err: unknown) => deps.log.error({ err }, 'could not write audit record'));
  };
  let endSeen = false;
  stream.once('end', () => (endSeen = true));
  // Without an end (reset by either side) there is no exit code to wait for.
  stream.once('close', () => {
    if (endSeen) return;
    engineDone = true;
    recordEnd();
  });

  return {
    abort: () => {
      early.release();
      stream.reset('cancelled', 'the browser went away');
    },
    attach: (ws: WebSocket) => {
      deps.audit.recordOutcome(ctx, 101).catch((err: unknown) => deps.log.error({ err }, 'could not write audit record'));
      const reset = early.release();
      if (reset) {
        const f = failure(reset.code, reset.message);
        failSocket(ws, f.code, f.message);
        browserClosed = engineDone = true;
        recordEnd();
        return;
      }
      const resizer = new Resizer(deps, environmentId, execId);
      if (query.cols && query.rows) resizer.request({ cols: query.cols, rows: query.rows });
      ws.on('message', (data, isBinary) => {
        const input = toBytes(data);
        if (!isBinary) {
          const size = parseResize(input.toString('utf8'));
          if (size) {
            resizer.request(size);
            return;
          }
        }
        if (stream.closed || input.length === 0) return;
        if (!stream.write(new Uint8Array(input.buffer, input.byteOffset, input.length))) {
          // The engine is not reading stdin as fast as the browser types/pastes: stop reading the browser.
          ws.pause();
          stream.once('drain', () => ws.resume());
        }
      });
      relayStream(ws, stream, {
        transform: (chunk) => [chunk],
        finish: async () => {
          stream.end();
          try {
            exit = await exitCode(deps, environmentId, execId);
          } finally {
            engineDone = true;
            recordEnd();
          }
          return [json({ type: 'exit', exitCode: exit })];
        },
        failure,
        closed: () => {
          browserClosed = true;
          recordEnd();
        },
        browserGone: () => {
          hungUp = true;
          stream.write(HANGUP_KEYS);
          stream.end();
          const timer = setTimeout(() => stream.reset('cancelled', 'the browser went away'), HANGUP_GRACE_MS);
          timer.unref();
          stream.once('close', () => clearTimeout(timer));
        },
      });
    },
  };
}
