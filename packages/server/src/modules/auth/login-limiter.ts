/**
 * Per-source-address limits on login attempts, kept in memory: a bound on all attempts (each
 * costs an argon2 hash) and a tighter bound on failures (guessing). Pure apart from the clock.
 */
export class LoginLimiter {
  private readonly attempts = new Map<string, number[]>();
  private readonly failures = new Map<string, number[]>();
  private readonly maxAttemptsPerMinute: number;
  private readonly maxFailures: number;
  private readonly failureWindowMs: number;
  private readonly now: () => number;
  private lastSweep = 0;

  constructor(opts: { maxAttemptsPerMinute: number; maxFailures: number; failureWindowMs: number; now?: () => number }) {
    this.maxAttemptsPerMinute = opts.maxAttemptsPerMinute;
    this.maxFailures = opts.maxFailures;
    this.failureWindowMs = opts.failureWindowMs;
    this.now = opts.now ?? Date.now;
  }

  /** Seconds to wait before `source` may try again, or 0 when it may try now (and the try is counted). */
  admit(source: string): number {
    const t = this.now();
    this.sweep(t);
    const fails = this.recent(this.failures, source, t - this.failureWindowMs);
    if (fails.length >= this.maxFailures) return Math.ceil(((fails[0] ?? t) + this.failureWindowMs - t) / 1000);
    const tries = this.recent(this.attempts, source, t - 60_000);
    if (tries.length >= this.maxAttemptsPerMinute) return Math.ceil(((tries[0] ?? t) + 60_000 - t) / 1000);
    tries.push(t);
    this.attempts.set(source, tries);
    return 0;
  }

  /** Counts a failed attempt from `source`. */
  fail(source: string): void {
    const t = this.now();
    const fails = this.recent(this.failures, source, t - this.failureWindowMs);
    fails.push(t);
    this.failures.set(source, fails);
  }

  // Addresses that never come back would otherwise stay in memory forever.
  private sweep(t: number): void {
    if (t - this.lastSweep < 60_000) return;
    this.lastSweep = t;
    for (const key of [...this.attempts.keys()]) this.recent(this.attempts, key, t - 60_000);
    for (const key of [...this.failures.keys()]) this.recent(this.failures, key, t - this.failureWindowMs);
  }

  /** Addresses currently tracked (for tests and metrics). */
  tracked(): number {
    return new Set([...this.attempts.keys(), ...this.failures.keys()]).size;
  }

  private recent(map: Map<string, number[]>, key: string, since: number): number[] {
    const list = (map.get(key) ?? []).filter((x) => x > since);
    if (list.length === 0) map.delete(key);
    else map.set(key, list);
    return list;
  }
}
