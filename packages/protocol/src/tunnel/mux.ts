import type { DataFrame, Frame } from './codec.ts';
import type { ConnectionControlFrame, ControlFrame, ErrorFrame, StreamControlFrame } from './control.ts';
import { tunnelError, type StreamErrorCode, type TunnelError, type TunnelErrorCode } from './errors.ts';
import {
  INITIAL_STREAM_WINDOW,
  MAX_DATA_PAYLOAD,
  MAX_STREAM_ID,
  MAX_STREAM_WINDOW,
  MAX_STREAMS_PER_SIDE,
} from './limits.ts';
import { MuxStream, type StreamHost } from './mux-stream.ts';
import { OpenFrameSchema, type OpenAckFrame, type OpenRequest } from './stream-kinds.ts';

// One Mux per connection side. It never touches a socket or a clock: the caller feeds it decoded
// frames (receive) and sends what it produces (pull), pulling only while its socket is not backed up.
// Stream ids: the server opens odd ids (1, 3, …), the agent even ids (2, 4, …), each strictly
// increasing and never reused, so both sides can open at once without coordination and a frame for
// an id above the highest one seen is provably bogus.

/** Which end of the connection this Mux is (decides stream id parity). */
export type MuxSide = 'server' | 'agent';

/** Settings; both sides of one connection must use the same window (it is not negotiated). */
export interface MuxOptions {
  readonly side: MuxSide;
  readonly initialWindow?: number;
  readonly maxStreams?: number;
  readonly maxFramePayload?: number;
}

/** What receive() reports; after `failed` the caller sends what pull() returns, then closes the socket. */
export type MuxEvent =
  | { readonly type: 'open'; readonly stream: MuxStream; readonly request: OpenRequest }
  | { readonly type: 'accepted'; readonly stream: MuxStream; readonly header: OpenAckFrame['header'] }
  | {
      readonly type: 'rejected';
      readonly stream: MuxStream;
      readonly code: StreamErrorCode;
      readonly message: string;
    }
  | { readonly type: 'data'; readonly stream: MuxStream; readonly payload: Uint8Array }
  | { readonly type: 'end'; readonly stream: MuxStream }
  | {
      readonly type: 'reset';
      readonly stream: MuxStream;
      readonly code: StreamErrorCode;
      readonly message: string;
    }
  | { readonly type: 'control'; readonly frame: ConnectionControlFrame }
  | { readonly type: 'failed'; readonly error: TunnelError; readonly by: 'local' | 'peer' };

/** Outcome of open(): a stream, or why none was opened (nothing is queued then). */
export type OpenResult =
  | { readonly ok: true; readonly stream: MuxStream }
  | {
      readonly ok: false;
      readonly reason: 'invalid_request' | 'too_many_streams' | 'ids_exhausted' | 'failed';
      readonly message: string;
    };

// Ids of streams the peer ended gracefully, so late data on them is still caught as a violation.
const TOMBSTONES_KEPT = 1024;

/** Multiplexer state machine with per-stream credit flow control; synchronous and deterministic. */
export class Mux {
  readonly side: MuxSide;
  readonly initialWindow: number;
  readonly maxStreams: number;
  #host: StreamHost;
  #streams = new Map<number, MuxStream>();
  #order: MuxStream[] = [];
  #cursor = 0;
  #control: ControlFrame[] = [];
  #grantsDue = new Set<MuxStream>();
  #nextLocalId: number;
  #lastPeerId = 0;
  #localCount = 0;
  #peerCount = 0;
  #peerEndedIds = new Set<number>();
  #failure: TunnelError | undefined;
  #errorFrame: ErrorFrame | undefined;

  /** Throws RangeError for settings outside the protocol limits. */
  constructor(options: MuxOptions) {
    const initialWindow = options.initialWindow ?? INITIAL_STREAM_WINDOW;
    const maxStreams = options.maxStreams ?? MAX_STREAMS_PER_SIDE;
    const maxFramePayload = options.maxFramePayload ?? MAX_DATA_PAYLOAD;
    if (!Number.isInteger(initialWindow) || initialWindow < 1 || initialWindow > MAX_STREAM_WINDOW)
      throw new RangeError('initialWindow out of range');
    if (!Number.isInteger(maxStreams) || maxStreams < 1) throw new RangeError('maxStreams out of range');
    if (!Number.isInteger(maxFramePayload) || maxFramePayload < 1 || maxFramePayload > MAX_DATA_PAYLOAD)
      throw new RangeError('maxFramePayload out of range');
    this.side = options.side;
    this.initialWindow = initialWindow;
    this.maxStreams = maxStreams;
    this.#nextLocalId = options.side === 'server' ? 1 : 2;
    this.#host = {
      maxFramePayload,
      grantThreshold: Math.max(1, Math.floor(initialWindow / 4)),
      queueControl: (frame: StreamControlFrame) => this.#control.push(frame),
      grantDue: (stream: MuxStream) => this.#grantsDue.add(stream),
      release: (stream: MuxStream, peerEnded: boolean) => this.#release(stream, peerEnded),
    };
  }

  /** The error that ended this connection, if any. */
  get failure(): TunnelError | undefined {
    return this.#failure;
  }
  /** Live streams (opened by either side and not yet closed). */
  get streamCount(): number {
    return this.#streams.size;
  }
  /** The live stream with this id, if any. */
  stream(id: number): MuxStream | undefined {
    return this.#streams.get(id);
  }

  /** Opens a stream towards the peer; data may be written at once (before the ack arrives). */
  open(request: OpenRequest): OpenResult {
    if (this.#failure) return { ok: false, reason: 'failed', message: 'connection failed' };
    if (this.#localCount >= this.maxStreams)
      return { ok: false, reason: 'too_many_streams', message: `${this.maxStreams} streams already open` };
    if (this.#nextLocalId > MAX_STREAM_ID)
      return { ok: false, reason: 'ids_exhausted', message: 'stream ids exhausted; reconnect' };
    const parsed = OpenFrameSchema.safeParse({
      type: 'open',
      streamId: this.#nextLocalId,
      kind: request.kind,
      header: request.header,
    });
    if (!parsed.success)
      return {
        ok: false,
        reason: 'invalid_request',
        message: parsed.error.issues[0]?.message ?? 'invalid open request',
      };
    const stream = new MuxStream(this.#host, this.#nextLocalId, parsed.data.kind, true, this.initialWindow);
    this.#nextLocalId += 2;
    this.#localCount += 1;
    this.#add(stream);
    this.#control.push(parsed.data);
    return { ok: true, stream };
  }

  /** Queues a connection-level frame (heartbeat, hello, app frames) in order with stream control; false after failure. */
  sendControl(frame: ConnectionControlFrame): boolean {
    if (this.#failure) return false;
    this.#control.push(frame);
    return true;
  }

  /** Ends the connection from this side (bad bytes, heartbeat timeout, shutdown): closes every stream and queues the error frame. */
  fail(code: TunnelErrorCode, message: string): TunnelError {
    if (this.#failure) return this.#failure;
    const error = tunnelError(code, message.slice(0, 1024));
    this.#terminate(error);
    this.#errorFrame = { type: 'error', code: error.code, message: error.message };
    return error;
  }

  /**
   * Up to `maxFrames` frames to send, in order: control frames, window grants, then data/end frames
   * taken round-robin across streams (one frame per stream per turn), each within the peer's credit.
   */
  pull(maxFrames = Number.POSITIVE_INFINITY): Frame[] {
    const out: Frame[] = [];
    if (this.#failure) {
      if (this.#errorFrame && maxFrames >= 1) out.push(this.#errorFrame);
      this.#errorFrame = undefined;
      return out;
    }
    if (this.#control.length > 0)
      out.push(...this.#control.splice(0, Math.min(maxFrames, this.#control.length)));
    for (const stream of this.#grantsDue) {
      if (out.length >= maxFrames) break;
      this.#grantsDue.delete(stream);
      const grant = stream.takeGrant();
      if (grant) out.push(grant);
    }
    let idle = 0;
    while (out.length < maxFrames && this.#order.length > 0 && idle < this.#order.length) {
      if (this.#cursor >= this.#order.length) this.#cursor = 0;
      const stream = this.#order[this.#cursor] as MuxStream;
      const frame = stream.takeFrame();
      // takeFrame may close the stream (end after peer's end), which removes it from #order at the cursor.
      if (this.#order[this.#cursor] === stream) this.#cursor += 1;
      if (frame) {
        out.push(frame);
        idle = 0;
      } else {
        idle += 1;
      }
    }
    return out;
  }

  /** True when pull() would return at least one frame now. */
  hasPending(): boolean {
    if (this.#failure) return this.#errorFrame !== undefined;
    return this.#control.length > 0 || this.#grantsDue.size > 0 || this.#order.some((s) => s.canSend());
  }

  /** Applies one received frame; a protocol violation yields a final `failed` event (and an error frame to pull). */
  receive(frame: Frame): MuxEvent[] {
    if (this.#failure) return [];
    switch (frame.type) {
      case 'data':
        return this.#onData(frame);
      case 'open':
        return this.#onOpen(frame);
      case 'open-ack':
      case 'open-reject':
      case 'window':
      case 'end':
      case 'reset':
        return this.#onStreamControl(frame);
      case 'error': {
        const error = tunnelError(frame.code, frame.message);
        this.#terminate(error);
        return [{ type: 'failed', error, by: 'peer' }];
      }
      default:
        return [{ type: 'control', frame }];
    }
  }

  #violate(code: TunnelErrorCode, message: string): MuxEvent[] {
    return [{ type: 'failed', error: this.fail(code, message), by: 'local' }];
  }

  #isPeerId(id: number): boolean {
    return (id % 2 === 1) === (this.side === 'agent');
  }

  // A frame for an id we no longer track: 'stale' when the id was used before (in-flight frames after
  // a reset or reject are normal and dropped), 'ended' when the peer had ended it, else 'unknown'.
  #classifyMissing(id: number): 'stale' | 'ended' | 'unknown' {
    const highest = this.#isPeerId(id) ? this.#lastPeerId : this.#nextLocalId - 2;
    if (id > highest) return 'unknown';
    return this.#peerEndedIds.has(id) ? 'ended' : 'stale';
  }

  #onData(frame: DataFrame): MuxEvent[] {
    const stream = this.#streams.get(frame.streamId);
    if (!stream) {
      const missing = this.#classifyMissing(frame.streamId);
      if (missing === 'stale') return [];
      return this.#violate(
        missing === 'ended' ? 'stream_state' : 'unknown_stream',
        `data on ${missing} stream ${frame.streamId}`,
      );
    }
    if (stream.phase === 'opening')
      return this.#violate('stream_state', `data on stream ${stream.id} before open-ack`);
    if (stream.peerEnded) return this.#violate('stream_state', `data on stream ${stream.id} after end`);
    if (!stream.onData(frame.payload.length))
      return this.#violate('flow_control', `data beyond window on stream ${stream.id}`);
    return [{ type: 'data', stream, payload: frame.payload }];
  }

  #onOpen(frame: Extract<ControlFrame, { type: 'open' }>): MuxEvent[] {
    const id = frame.streamId;
    if (!this.#isPeerId(id))
      return this.#violate('stream_state', `open of stream ${id} with this side's id parity`);
    if (id <= this.#lastPeerId)
      return this.#violate(
        'stream_state',
        `${this.#streams.has(id) ? 'duplicate open' : 'reused id'} for stream ${id}`,
      );
    if (this.#peerCount >= this.maxStreams)
      return this.#violate('too_many_streams', `more than ${this.maxStreams} streams opened`);
    this.#lastPeerId = id;
    const stream = new MuxStream(this.#host, id, frame.kind, false, this.initialWindow);
    this.#peerCount += 1;
    this.#add(stream);
    return [{ type: 'open', stream, request: { kind: frame.kind, header: frame.header } }];
  }

  #onStreamControl(frame: Exclude<StreamControlFrame, { type: 'open' }>): MuxEvent[] {
    const stream = this.#streams.get(frame.streamId);
    if (!stream) {
      const missing = this.#classifyMissing(frame.streamId);
      if (missing === 'unknown')
        return this.#violate('unknown_stream', `${frame.type} on unknown stream ${frame.streamId}`);
      if (missing === 'ended' && frame.type === 'end')
        return this.#violate('stream_state', `second end on stream ${frame.streamId}`);
      return [];
    }
    switch (frame.type) {
      case 'open-ack':
      case 'open-reject': {
        if (!stream.openedLocally || stream.phase !== 'opening')
          return this.#violate('stream_state', `unexpected ${frame.type} on stream ${stream.id}`);
        if (frame.type === 'open-reject') {
          stream.close(false);
          return [{ type: 'rejected', stream, code: frame.code, message: frame.message }];
        }
        if (frame.kind !== stream.kind)
          return this.#violate(
            'stream_state',
            `open-ack of kind ${frame.kind} for ${stream.kind} stream ${stream.id}`,
          );
        stream.onAccepted();
        return [{ type: 'accepted', stream, header: frame.header }];
      }
      case 'window':
        if (!stream.onWindow(frame.bytes, MAX_STREAM_WINDOW))
          return this.#violate('flow_control', `window overflow on stream ${stream.id}`);
        return [];
      case 'end':
        if (stream.phase === 'opening')
          return this.#violate('stream_state', `end on stream ${stream.id} before open-ack`);
        if (stream.peerEnded) return this.#violate('stream_state', `second end on stream ${stream.id}`);
        stream.onPeerEnd();
        return [{ type: 'end', stream }];
      case 'reset':
        stream.close(false);
        return [{ type: 'reset', stream, code: frame.code, message: frame.message }];
    }
  }

  #add(stream: MuxStream): void {
    this.#streams.set(stream.id, stream);
    this.#order.push(stream);
  }

  #release(stream: MuxStream, peerEnded: boolean): void {
    if (!this.#streams.delete(stream.id)) return;
    const index = this.#order.indexOf(stream);
    if (index >= 0) {
      this.#order.splice(index, 1);
      if (index < this.#cursor) this.#cursor -= 1;
    }
    this.#grantsDue.delete(stream);
    if (stream.openedLocally) this.#localCount -= 1;
    else this.#peerCount -= 1;
    if (peerEnded) {
      this.#peerEndedIds.add(stream.id);
      if (this.#peerEndedIds.size > TOMBSTONES_KEPT) {
        const oldest = this.#peerEndedIds.values().next().value;
        if (oldest !== undefined) this.#peerEndedIds.delete(oldest);
      }
    }
  }

  #terminate(error: TunnelError): void {
    this.#failure = error;
    for (const stream of [...this.#streams.values()]) stream.close(false);
    this.#control = [];
    this.#grantsDue.clear();
  }
}
