// Flow control from a tunnel stream to a browser WebSocket: credit for bytes the agent sent goes back
// only once what they became was written to the browser's socket and that socket's buffer is low.
// A slow browser therefore stops the agent (its stream window runs out) instead of growing memory here.
import type { WebSocket } from 'ws';
import type { TunnelStream } from '../tunnel/tunnel-stream.ts';

/** Above this many bytes buffered towards the browser, credit is held back. */
export const WS_HIGH_WATER = 512 * 1024;
const RECHECK_MS = 50;

/** Returns tunnel credit as the browser takes the messages derived from it. */
export class CreditRelay {
  readonly #ws: WebSocket;
  readonly #stream: TunnelStream;
  #owed = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(ws: WebSocket, stream: TunnelStream) {
    this.#ws = ws;
    this.#stream = stream;
  }

  /** Sends the messages derived from `n` received bytes; the credit returns once all of them are written. */
  send(messages: ReadonlyArray<string | Uint8Array>, n: number): void {
    // Nobody will read them: dropped, and the credit returned so the engine side is never stuck.
    if (this.#ws.readyState !== this.#ws.OPEN || messages.length === 0) {
      this.#release(n);
      return;
    }
    let left = messages.length;
    for (const m of messages) {
      // Also on error (socket gone): the bytes are dropped, their credit still returns.
      this.#ws.send(m, { binary: typeof m !== 'string' }, () => {
        if (--left === 0) this.#release(n);
      });
    }
  }

  /** Stops the recheck timer (socket or stream closed). */
  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #release(n: number): void {
    this.#owed += n;
    if (this.#ws.readyState === this.#ws.OPEN && this.#ws.bufferedAmount > WS_HIGH_WATER) {
      // Still backed up (other writes queued behind these): try again shortly.
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        this.#release(0);
      }, RECHECK_MS);
      return;
    }
    const owed = this.#owed;
    this.#owed = 0;
    if (owed > 0 && !this.#stream.closed) this.#stream.consumed(owed);
  }
}

/** A message to the browser: JSON text, or raw bytes (console output). */
export type Outgoing = string | Uint8Array;

/** Browser sockets that answer no ping for this long are dropped (their tunnel stream with them). */
const KEEPALIVE_MS = 30_000;

export interface RelayOptions {
  /** Messages for one chunk from the engine (may be none); throwing ends the session with an error. */
  transform(chunk: Uint8Array): Outgoing[];
  /** The last messages once the engine ended its stream; the socket then closes normally. */
  finish(): Promise<Outgoing[]> | Outgoing[];
  /** Why the stream failed, for the error message (e.g. whether the agent is still connected). */
  failure(code: string, message: string): { code: string; message: string };
  /** The browser socket closed, for whatever reason. */
  closed?(): void;
  /** Releases the engine side once the browser is gone (default: reset the stream at once). */
  browserGone?(): void;
}

/** JSON text of one message. */
export function json(message: unknown): string {
  return JSON.stringify(message);
}

/** Sends `{type:'error'}` and closes with 1011 (no-op on a closing socket). */
export function failSocket(ws: WebSocket, code: string, message: string): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(json({ type: 'error', code, message }));
  ws.close(1011, code.slice(0, 100));
}

/**
 * Relays an accepted tunnel stream to the browser until either side ends: engine end → finish()
 * messages and close 1000; stream reset → error message and close 1011; browser gone → stream reset,
 * so the engine-side request (log follow, exec) ends too.
 */
export function relayStream(ws: WebSocket, stream: TunnelStream, opts: RelayOptions): void {
  const relay = new CreditRelay(ws, stream);
  let alive = true;
  const keepalive = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, KEEPALIVE_MS);
  keepalive.unref();
  ws.on('pong', () => (alive = true));
  ws.on('error', () => undefined);
  ws.once('close', () => {
    clearInterval(keepalive);
    relay.dispose();
    if (!stream.closed) {
      if (opts.browserGone) opts.browserGone();
      else stream.reset('cancelled', 'the browser went away');
    }
    opts.closed?.();
  });
  stream.on('data', (payload) => {
    let messages: Outgoing[];
    try {
      messages = opts.transform(payload);
    } catch (err) {
      stream.reset('cancelled', 'unreadable engine stream');
      failSocket(ws, 'agent_upstream_error', `the engine's stream could not be read: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    relay.send(messages, payload.length);
  });
  stream.once('end', () => {
    void Promise.resolve()
      .then(() => opts.finish())
      .then(
        (last) => {
          if (ws.readyState !== ws.OPEN) return;
          for (const m of last) ws.send(m, { binary: typeof m !== 'string' });
          ws.close(1000);
        },
        (err: unknown) => failSocket(ws, 'agent_upstream_error', err instanceof Error ? err.message : String(err)),
      );
  });
  stream.once('reset', (code, message) => {
    const f = opts.failure(code, message);
    failSocket(ws, f.code, f.message);
  });
}

/**
 * Remembers a reset that arrives between opening a stream and relaying it (resets are not held
 * like data); `release()` stops watching and tells whether one came.
 */
export function watchEarlyReset(stream: TunnelStream): { release(): { code: string; message: string } | null } {
  let seen: { code: string; message: string } | null = null;
  const onReset = (code: string, message: string) => (seen = { code, message });
  stream.once('reset', onReset);
  return {
    release: () => {
      stream.off('reset', onReset);
      return seen;
    },
  };
}
