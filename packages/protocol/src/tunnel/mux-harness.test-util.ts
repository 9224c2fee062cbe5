// Test helper: two Muxes wired back-to-back through the real codec, no sockets, no timers.
import { expect } from 'vitest';
import { decodeFrame, encodeFrame, type Frame } from './codec.ts';
import { Mux, type MuxEvent, type MuxOptions } from './mux.ts';

/** One side of an in-memory connection: its Mux, every event it saw, and an optional reaction. */
export interface Peer {
  readonly mux: Mux;
  readonly events: MuxEvent[];
  onEvent: (event: MuxEvent) => void;
}

/** Makes a peer whose events are recorded and then handed to `onEvent`. */
export function peer(options: MuxOptions): Peer {
  return { mux: new Mux(options), events: [], onEvent: () => undefined };
}

/** Delivers frames to a peer through encode/decode, as a WebSocket would. */
export function deliver(to: Peer, frames: Frame[]): void {
  for (const frame of frames) {
    const decoded = decodeFrame(encodeFrame(frame));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    for (const event of to.mux.receive(decoded.frame)) {
      to.events.push(event);
      to.onEvent(event);
    }
  }
}

/** Exchanges frames (at most `batch` per side per round) until neither side has anything to send. */
export function pump(a: Peer, b: Peer, batch = 8, maxRounds = 100_000): void {
  for (let round = 0; round < maxRounds; round++) {
    const fromA = a.mux.pull(batch);
    const fromB = b.mux.pull(batch);
    if (fromA.length === 0 && fromB.length === 0) return;
    deliver(b, fromA);
    deliver(a, fromB);
  }
  throw new Error('connection did not settle');
}

/** Concatenates chunks. */
export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Deterministic pseudo-random bytes (content checks need variety, not entropy). */
export function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}
