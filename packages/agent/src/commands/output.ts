// Exec output: Docker's multiplexed stream (8-byte headers) split into stdout and stderr, decoded as
// UTF-8 across chunk boundaries and capped at MAX_COMMAND_OUTPUT_CHARS in total.
import { StringDecoder } from 'node:string_decoder';
import { MAX_COMMAND_OUTPUT_CHARS } from '@capstan/protocol';

/** One frame of the multiplexed stream: 0 stdin (echoed), 1 stdout, 2 stderr. */
export interface StreamChunk {
  readonly stream: number;
  readonly data: Buffer;
}

const HEADER = 8;

/**
 * Splits Docker's multiplexed stream (`[type, 0, 0, 0, size u32 BE]` then `size` bytes) into
 * frames, whatever the chunking: partial headers and bodies wait for the next push.
 */
export class Demuxer {
  #pending: Buffer = Buffer.alloc(0);

  /** Feeds bytes; answers the frames completed by them. */
  push(chunk: Buffer): StreamChunk[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const out: StreamChunk[] = [];
    let offset = 0;
    while (this.#pending.length - offset >= HEADER) {
      const size = this.#pending.readUInt32BE(offset + 4);
      if (this.#pending.length - offset - HEADER < size) break;
      const stream = this.#pending[offset] ?? 1;
      out.push({ stream, data: this.#pending.subarray(offset + HEADER, offset + HEADER + size) });
      offset += HEADER + size;
    }
    this.#pending = offset === 0 ? this.#pending : Buffer.from(this.#pending.subarray(offset));
    return out;
  }

  /** Bytes of an incomplete frame left at the end of the stream. */
  get leftover(): number {
    return this.#pending.length;
  }
}

/** The captured output of a process. */
export interface CapturedOutput {
  stdout: string;
  stderr: string;
  /** Output beyond MAX_COMMAND_OUTPUT_CHARS (stdout and stderr together) was dropped. */
  truncated: boolean;
}

/** Collects stdout and stderr up to a shared character budget. */
export class OutputCollector {
  readonly #max: number;
  readonly #decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  readonly #text = { stdout: '', stderr: '' };
  #used = 0;
  #truncated = false;

  constructor(max = MAX_COMMAND_OUTPUT_CHARS) {
    this.#max = max;
  }

  /** Adds one demultiplexed frame. */
  add(chunk: StreamChunk): void {
    this.#append(chunk.stream === 2 ? 'stderr' : 'stdout', this.#decoders[chunk.stream === 2 ? 'stderr' : 'stdout'].write(chunk.data));
  }

  #append(which: 'stdout' | 'stderr', text: string): void {
    // Once something was dropped, later output is dropped too: the capture stays a prefix.
    if (text.length === 0 || this.#truncated) return;
    const room = this.#max - this.#used;
    if (text.length > room) {
      this.#truncated = true;
      // Cut on a code point boundary: never half a surrogate pair.
      let cut = Math.max(0, room);
      const code = text.charCodeAt(cut - 1);
      if (cut > 0 && code >= 0xd800 && code <= 0xdbff) cut--;
      text = text.slice(0, cut);
    }
    this.#text[which] += text;
    this.#used += text.length;
  }

  /** The output so far, flushing partial characters. */
  finish(): CapturedOutput {
    this.#append('stdout', this.#decoders.stdout.end());
    this.#append('stderr', this.#decoders.stderr.end());
    return { stdout: this.#text.stdout, stderr: this.#text.stderr, truncated: this.#truncated };
  }
}
