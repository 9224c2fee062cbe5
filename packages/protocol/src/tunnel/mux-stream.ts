import type { EndFrame, StreamControlFrame } from './control.ts';
import type { DataFrame } from './codec.ts';
import type { StreamErrorCode } from './errors.ts';
import { OpenAckFrameSchema, type OpenAckFrame, type StreamKind } from './stream-kinds.ts';

/** Where a stream is in its life; `closed` streams ignore every call. */
export type StreamPhase = 'opening' | 'pending' | 'open' | 'closed';

/** What a stream needs from its Mux; kept narrow so streams cannot reach other streams. */
export interface StreamHost {
  readonly maxFramePayload: number;
  readonly grantThreshold: number;
  queueControl(frame: StreamControlFrame): void;
  /** The stream has a window grant worth sending. */
  grantDue(stream: MuxStream): void;
  /** The stream is finished on this side; forget it. `peerEnded` marks a graceful close. */
  release(stream: MuxStream, peerEnded: boolean): void;
}

/**
 * One multiplexed stream, as its owner sees it. All methods are synchronous and only queue frames;
 * nothing is sent until the Mux's pull() hands frames to the caller.
 */
export class MuxStream {
  /** Stream id, unique for the connection's lifetime. */
  readonly id: number;
  /** What the stream carries, fixed at open. */
  readonly kind: StreamKind;
  /** True when this side opened the stream. */
  readonly openedLocally: boolean;
  #host: StreamHost;
  #phase: StreamPhase;
  #endRequested = false;
  #endSent = false;
  #peerEnded = false;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #sendCredit: number;
  #recvRemaining: number;
  #unconsumed = 0;
  #pendingGrant = 0;

  /** Created by the Mux only. */
  constructor(host: StreamHost, id: number, kind: StreamKind, openedLocally: boolean, initialWindow: number) {
    this.#host = host;
    this.id = id;
    this.kind = kind;
    this.openedLocally = openedLocally;
    this.#phase = openedLocally ? 'opening' : 'pending';
    this.#sendCredit = initialWindow;
    this.#recvRemaining = initialWindow;
  }

  /** Current phase: opening (awaiting ack), pending (awaiting our accept), open, closed. */
  get phase(): StreamPhase {
    return this.#phase;
  }
  /** Bytes written but not yet framed: pause the source above a high-water mark. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }
  /** Bytes the peer currently allows us to send. */
  get sendCredit(): number {
    return this.#sendCredit;
  }
  /** Bytes delivered in data events and not yet reported through consumed(). */
  get unconsumedBytes(): number {
    return this.#unconsumed;
  }
  /** True once the peer half-closed (no more data will arrive). */
  get peerEnded(): boolean {
    return this.#peerEnded;
  }

  /** Queues bytes to send (not copied: do not mutate them later); false when the stream no longer accepts writes. */
  write(bytes: Uint8Array): boolean {
    if (this.#phase === 'closed' || this.#endRequested) return false;
    if (bytes.length === 0) return true;
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.length;
    return true;
  }

  /** Half-closes our direction once the queued bytes are sent; idempotent. */
  end(): void {
    if (this.#phase === 'closed' || this.#endRequested) return;
    this.#endRequested = true;
  }

  /** Aborts both directions now, discarding queued bytes; no-op on a closed stream. */
  reset(code: StreamErrorCode, message = ''): void {
    if (this.#phase === 'closed') return;
    // A pending stream was never acknowledged, so refusing it is a reject, not a reset.
    if (this.#phase === 'pending') return this.reject(code, message);
    this.#host.queueControl({ type: 'reset', streamId: this.id, code, message: message.slice(0, 1024) });
    this.close(false);
  }

  /** Accepts a stream the peer opened, sending the response header; throws TypeError on a bad header or wrong phase. */
  accept(header: OpenAckFrame['header']): void {
    if (this.#phase !== 'pending')
      throw new TypeError(`stream ${this.id} cannot be accepted in phase ${this.#phase}`);
    const parsed = OpenAckFrameSchema.safeParse({
      type: 'open-ack',
      streamId: this.id,
      kind: this.kind,
      header,
    });
    if (!parsed.success)
      throw new TypeError(`invalid ${this.kind} ack header: ${parsed.error.issues[0]?.message ?? ''}`);
    this.#host.queueControl(parsed.data);
    this.#phase = 'open';
  }

  /** Refuses a stream the peer opened; no-op unless pending. */
  reject(code: StreamErrorCode, message = ''): void {
    if (this.#phase !== 'pending') return;
    this.#host.queueControl({
      type: 'open-reject',
      streamId: this.id,
      code,
      message: message.slice(0, 1024),
    });
    this.close(false);
  }

  /** Reports that `n` delivered bytes were processed, returning that much credit to the peer. */
  consumed(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.#unconsumed) {
      throw new RangeError(`stream ${this.id}: consumed(${n}) with ${this.#unconsumed} bytes unconsumed`);
    }
    this.#unconsumed -= n;
    if (this.#phase === 'closed' || this.#peerEnded) return; // the peer sends nothing more: no credit needed
    this.#pendingGrant += n;
    // Coalesce small grants: the peer still holds (window − threshold) credit, so it never stalls.
    if (this.#pendingGrant >= this.#host.grantThreshold) this.#host.grantDue(this);
  }

  // ---- Mux side (not for stream owners) ----

  /** Mux: the peer acknowledged our open. */
  onAccepted(): void {
    this.#phase = 'open';
  }

  /** Mux: accounts received data; returns false when it exceeds the credit we granted. */
  onData(length: number): boolean {
    if (length > this.#recvRemaining) return false;
    this.#recvRemaining -= length;
    this.#unconsumed += length;
    return true;
  }

  /** Mux: peer granted credit; returns false when the window would overflow. */
  onWindow(bytes: number, max: number): boolean {
    if (this.#sendCredit + bytes > max) return false;
    this.#sendCredit += bytes;
    return true;
  }

  /** Mux: the peer half-closed; the stream finishes if we already did. */
  onPeerEnd(): void {
    this.#peerEnded = true;
    this.#pendingGrant = 0;
    if (this.#endSent) this.close(true);
  }

  /** Mux: the stream ends without sending anything more (reset/reject either way, connection failure). */
  close(peerEnded: boolean): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#pendingGrant = 0;
    this.#host.release(this, peerEnded);
  }

  /** Mux: the window frame due now, if any (emitting it extends what the peer may send). */
  takeGrant(): StreamControlFrame | undefined {
    if (this.#phase === 'closed' || this.#pendingGrant === 0) return undefined;
    const bytes = this.#pendingGrant;
    this.#pendingGrant = 0;
    this.#recvRemaining += bytes;
    return { type: 'window', streamId: this.id, bytes };
  }

  /** Mux: true when takeFrame() would produce something now. */
  canSend(): boolean {
    if (this.#phase === 'closed' || this.#phase === 'pending' || this.#endSent) return false;
    if (this.#queuedBytes > 0) return this.#sendCredit > 0;
    return this.#endRequested;
  }

  /** Mux: the next data payload (≤ credit and frame size) or the end marker once drained. */
  takeFrame(): DataFrame | EndFrame | undefined {
    if (!this.canSend()) return undefined;
    if (this.#queuedBytes === 0) {
      this.#endSent = true;
      if (this.#peerEnded) this.close(true);
      return { type: 'end', streamId: this.id };
    }
    const limit = Math.min(this.#sendCredit, this.#host.maxFramePayload);
    const head = this.#queue[0] as Uint8Array;
    let payload: Uint8Array;
    if (head.length <= limit) {
      payload = head;
      this.#queue.shift();
    } else {
      payload = head.subarray(0, limit);
      this.#queue[0] = head.subarray(limit);
    }
    this.#queuedBytes -= payload.length;
    this.#sendCredit -= payload.length;
    return { type: 'data', streamId: this.id, payload };
  }
}
