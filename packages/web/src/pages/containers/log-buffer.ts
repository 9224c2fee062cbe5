// Log lines in memory: a fixed-size ring (oldest lines drop first, so a chatty container cannot
// grow the tab without bound) fed by an assembler that turns stream chunks into whole lines.

/** One log line as shown. */
export interface LogLine {
  /** Increasing per stream session: a stable React key. */
  seq: number;
  stream: 'stdout' | 'stderr';
  /** The line without its timestamp and line ending. */
  text: string;
  /** The engine's RFC 3339 timestamp when requested (`timestamps=true`), else null. */
  time: string | null;
}

/** A first-in-first-out buffer of at most `capacity` items. */
export class RingBuffer<T> {
  readonly capacity: number;
  readonly #items: Array<T | undefined>;
  #start = 0;
  #size = 0;
  #dropped = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be a positive integer');
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity);
  }

  /** How many items it holds. */
  get length(): number {
    return this.#size;
  }

  /** How many items were pushed out by newer ones since the last clear. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Appends an item, dropping the oldest when full. */
  push(item: T): void {
    if (this.#size < this.capacity) {
      this.#items[(this.#start + this.#size) % this.capacity] = item;
      this.#size++;
      return;
    }
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % this.capacity;
    this.#dropped++;
  }

  /** The items, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#items[(this.#start + i) % this.capacity] as T);
    return out;
  }

  /** Empties the buffer. */
  clear(): void {
    this.#items.fill(undefined);
    this.#start = 0;
    this.#size = 0;
    this.#dropped = 0;
  }
}

const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) ?(.*)$/s;

/** Splits stream chunks into lines; a chunk may end mid-line, so each stream keeps its unfinished tail. */
export class LogAssembler {
  readonly #timestamps: boolean;
  readonly #partial = { stdout: '', stderr: '' };
  #seq = 0;

  /** `timestamps`: lines start with the engine's timestamp (the logs endpoint's `timestamps=true`). */
  constructor(timestamps: boolean) {
    this.#timestamps = timestamps;
  }

  /** The complete lines a chunk finishes. */
  push(stream: LogLine['stream'], data: string): LogLine[] {
    const parts = (this.#partial[stream] + data).split('\n');
    this.#partial[stream] = parts.pop() ?? '';
    return parts.map((raw) => this.#line(stream, raw));
  }

  /** Unfinished tails as lines (the stream ended, or went quiet after a prompt without newline). */
  flush(): LogLine[] {
    const out: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.#partial[stream] !== '') out.push(this.#line(stream, this.#partial[stream]));
      this.#partial[stream] = '';
    }
    return out;
  }

  /** Whether a tail waits for its newline. */
  get pending(): boolean {
    return this.#partial.stdout !== '' || this.#partial.stderr !== '';
  }

  #line(stream: LogLine['stream'], raw: string): LogLine {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = this.#timestamps ? TIMESTAMPED.exec(text) : null;
    return { seq: this.#seq++, stream, text: m ? (m[2] ?? '') : text, time: m ? (m[1] ?? null) : null };
  }
}

/** The lines as a .log file's text: one per line, with their timestamps when known. */
export function logFileText(lines: readonly LogLine[]): string {
  return lines.map((l) => (l.time ? `${l.time} ${l.text}` : l.text)).join('\n') + (lines.length > 0 ? '\n' : '');
}

/** A download name such as `web-1-2026-01-31T10-00-00.log` (no characters file systems refuse). */
export function logFileName(containerName: string, now: Date): string {
  const safe = containerName.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'container';
  return `${safe}-${now.toISOString().slice(0, 19).replace(/:/g, '-')}.log`;
}
