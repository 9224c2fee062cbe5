// Pure parsers for what the engine streams back: the multiplexed stdout/stderr format of non-TTY
// logs and attach (8-byte frame headers), and newline-delimited JSON (stats).

/** Docker's stream numbers in a frame header: 0 stdin, 1 stdout, 2 stderr, 3 daemon error (newer engines). */
export type DockerStreamId = 0 | 1 | 2 | 3;

/** Bytes of one stream, in arrival order; a frame's payload may come in several pieces. */
export interface DemuxedPiece {
  stream: DockerStreamId;
  payload: Uint8Array;
}

const HEADER_BYTES = 8;

/**
 * Splits Docker's multiplexed stream (`[stream, 0, 0, 0, len(4, big-endian)] payload`) into pieces.
 * Payloads are passed on as they arrive rather than held until a frame is complete, so memory stays
 * bounded by the chunk size whatever length a header announces; only a split header is held (< 8 bytes).
 */
export class DockerDemuxer {
  #header = new Uint8Array(HEADER_BYTES);
  #headerFill = 0;
  #stream: DockerStreamId = 1;
  #remaining = 0;

  /** Feeds one chunk; returns the pieces it completes or continues (empty when it held only header bytes). */
  push(chunk: Uint8Array): DemuxedPiece[] {
    const out: DemuxedPiece[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.#remaining === 0) {
        const take = Math.min(HEADER_BYTES - this.#headerFill, chunk.length - at);
        this.#header.set(chunk.subarray(at, at + take), this.#headerFill);
        this.#headerFill += take;
        at += take;
        if (this.#headerFill < HEADER_BYTES) break;
        this.#headerFill = 0;
        const kind = this.#header[0] ?? 1;
        this.#stream = (kind <= 3 ? kind : 1) as DockerStreamId;
        this.#remaining = new DataView(this.#header.buffer).getUint32(4, false);
        continue;
      }
      const take = Math.min(this.#remaining, chunk.length - at);
      const payload = chunk.subarray(at, at + take);
      at += take;
      this.#remaining -= take;
      const last = out[out.length - 1];
      // Adjacent pieces of one stream (consecutive log lines) travel as one.
      if (last && last.stream === this.#stream) last.payload = concat(last.payload, payload);
      else out.push({ stream: this.#stream, payload });
    }
    return out;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Thrown by LineSplitter when a line grows past its limit (a misbehaving upstream). */
export class LineTooLong extends Error {}

/** Splits a byte stream into complete text lines (without the newline); a partial last line is held. */
export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #decoder = new TextDecoder();
  #partial = '';

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Feeds bytes; returns the lines they complete. Throws LineTooLong past the limit. */
  push(chunk: Uint8Array): string[] {
    const text = this.#partial + this.#decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    this.#partial = parts.pop() ?? '';
    if (this.#partial.length > this.#maxLineBytes) throw new LineTooLong(`a line exceeds ${this.#maxLineBytes} bytes`);
    return parts.map((p) => (p.endsWith('\r') ? p.slice(0, -1) : p));
  }
}
