// Coalesces bursts: fires once things have been quiet for `quietMs`, but never later than
// `maxDelayMs` after the first trigger, so a steady stream of events still produces updates.

/** A trailing debounce with a ceiling. */
export class Debouncer {
  readonly #fire: () => void;
  readonly #quietMs: number;
  readonly #maxDelayMs: number;
  #timer: NodeJS.Timeout | null = null;
  #firstAt: number | null = null;

  constructor(fire: () => void, quietMs: number, maxDelayMs: number) {
    this.#fire = fire;
    this.#quietMs = quietMs;
    this.#maxDelayMs = maxDelayMs;
  }

  /** Something changed: fire after quietMs of calm, or at the latest maxDelayMs after the first trigger. */
  trigger(): void {
    const now = Date.now();
    this.#firstAt ??= now;
    if (this.#timer) clearTimeout(this.#timer);
    const delay = Math.max(0, Math.min(this.#quietMs, this.#firstAt + this.#maxDelayMs - now));
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#firstAt = null;
      this.#fire();
    }, delay);
  }

  /** Forgets pending triggers. */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#firstAt = null;
  }

  /** True while a fire is scheduled. */
  get pending(): boolean {
    return this.#timer !== null;
  }
}
