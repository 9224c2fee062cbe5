// One server-opened stream towards an agent, as the route that opened it sees it: events in,
// writes and credit out through the connection that owns it.
import { EventEmitter } from 'node:events';
import type { HttpResponseHead, MuxStream, StreamErrorCode } from '@capstan/protocol';

/** A stream's unsent queue above which its writer should wait for 'drain'. */
export const STREAM_HIGH_WATER = 256 * 1024;

/** What a stream needs from its connection: a flush after it gave the Mux something to send. */
export interface StreamOwner {
  kick(): void;
}

/** Events of one server-opened stream, as the route that opened it sees them. */
export interface TunnelStreamEvents {
  accepted: [header: HttpResponseHead];
  rejected: [code: StreamErrorCode, message: string];
  data: [payload: Uint8Array];
  end: [];
  reset: [code: StreamErrorCode, message: string];
  drain: [];
  close: [];
  newListener: [eventName: string | symbol, listener: unknown];
}

/** A stream the server opened towards the agent; writes and credit go through the connection. */
export class TunnelStream extends EventEmitter<TunnelStreamEvents> {
  readonly #conn: StreamOwner;
  readonly #stream: MuxStream;
  #closed = false;
  // Data and end that arrive before anyone listens (often in the same batch as the open-ack, while
  // the route is still awaiting it) are held, then delivered in order once a 'data' listener exists.
  #held: Array<Uint8Array | 'end' | 'close'> | null = [];

  constructor(conn: StreamOwner, stream: MuxStream) {
    super();
    this.#conn = conn;
    this.#stream = stream;
    this.on('newListener', (event) => {
      if (event === 'data' && this.#held) queueMicrotask(() => this.#flow());
    });
  }

  /** Connection: hands over received bytes (held until a 'data' listener exists). */
  deliverData(payload: Uint8Array): void {
    if (this.#held) this.#held.push(payload);
    else this.emit('data', payload);
  }

  /** Connection: the agent ended its direction (held behind earlier data). */
  deliverEnd(): void {
    if (this.#held) this.#held.push('end');
    else this.emit('end');
  }

  #flow(): void {
    const held = this.#held;
    if (!held) return;
    this.#held = null;
    for (const item of held) {
      if (item === 'end') this.emit('end');
      else if (item === 'close') this.emit('close');
      else this.emit('data', item);
    }
  }

  get id(): number {
    return this.#stream.id;
  }
  get closed(): boolean {
    return this.#closed;
  }

  /** Queues bytes; false when the caller should wait for 'drain' before writing more. */
  write(bytes: Uint8Array): boolean {
    if (!this.#stream.write(bytes)) return false;
    this.#conn.kick();
    return this.#stream.queuedBytes < STREAM_HIGH_WATER;
  }

  /** Half-closes the request direction once queued bytes are sent. */
  end(): void {
    this.#stream.end();
    this.#conn.kick();
  }

  /** Aborts the stream both ways. */
  reset(code: StreamErrorCode, message = ''): void {
    if (this.#stream.phase === 'closed') return;
    this.#stream.reset(code, message);
    this.#conn.kick();
    this.finish();
  }

  /** Returns `n` delivered bytes of credit to the agent (call once the client took them). */
  consumed(n: number): void {
    if (n <= 0 || n > this.#stream.unconsumedBytes) return;
    this.#stream.consumed(n);
    this.#conn.kick();
  }

  /** Connection: true when the writer waits for room and there is room now. */
  wantsDrain(): boolean {
    return this.#stream.phase !== 'closed' && this.#stream.queuedBytes < STREAM_HIGH_WATER;
  }
  /** Connection: the Mux forgot the stream. */
  isDone(): boolean {
    return this.#stream.phase === 'closed';
  }
  /** Connection: marks the stream finished once; emits 'close'. */
  finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Behind held data, so nobody closes its side before the last bytes are delivered.
    if (this.#held && this.#held.length > 0) this.#held.push('close');
    else this.emit('close');
  }
}

/** What the registry supplies to a connection. */
