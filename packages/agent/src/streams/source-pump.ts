// Moves bytes from an engine-side Readable (response body, hijacked socket) into a stream, pausing
// the source while the stream's queue is above the high-water mark.
import type { Readable } from 'node:stream';
import type { MuxStream } from '@capstan/protocol';
import { SOURCE_HIGH_WATER, SOURCE_LOW_WATER } from './stream-handler.ts';

/** Pipes one Readable into a stream; `drain()` must be called after the session pulled frames. */
export class SourcePump {
  readonly #stream: MuxStream;
  readonly #source: Readable;
  readonly #wake: () => void;
  #paused = false;
  #ended = false;

  /** Starts reading at once; onEnd fires after the stream was ended, onError on a broken source. */
  constructor(stream: MuxStream, source: Readable, wake: () => void, onError: (err: Error) => void) {
    this.#stream = stream;
    this.#source = source;
    this.#wake = wake;
    source.on('data', (chunk: Buffer) => {
      if (!stream.write(chunk)) {
        source.destroy();
        return;
      }
      if (stream.queuedBytes >= SOURCE_HIGH_WATER && !this.#paused) {
        this.#paused = true;
        source.pause();
      }
      wake();
    });
    source.on('end', () => {
      this.#ended = true;
      stream.end();
      wake();
    });
    source.on('error', onError);
    source.on('close', () => {
      if (!this.#ended) onError(new Error('the engine closed the connection early'));
    });
  }

  /** True once the source delivered everything and the stream was ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Resumes the source when the stream's queue fell below the low-water mark. */
  drain(): void {
    if (this.#paused && this.#stream.queuedBytes <= SOURCE_LOW_WATER) {
      this.#paused = false;
      this.#source.resume();
    }
  }
}
