// Reconnect delays: exponential with jitter, so a fleet of agents spreads out after a server restart.

/** Backoff settings; all times in milliseconds. */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Fraction of the delay added or removed at random (0.5 = ±50 %). */
  readonly jitter: number;
  /** Delay after the server refused this agent (revoked, rotated): retrying soon cannot help. */
  readonly refusedMs: number;
}

/**
 * Defaults: 0.5 s doubling to 4 s, ±50 %, so a host whose link comes back is up again within
 * seconds (jitter still spreads a fleet reconnecting after a server restart); 60 s when refused.
 */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 4_000, jitter: 0.5, refusedMs: 60_000 };

/** Delay before attempt number `attempt` (0-based) for a uniform random draw `r` in [0, 1). */
export function backoffDelay(attempt: number, r: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (1 + options.jitter * (2 * r - 1)));
}

/** Stateful schedule: next() grows the delay, reset() after a successful handshake, max() when refused. */
export class Backoff {
  #attempt = 0;
  readonly #options: BackoffOptions;
  readonly #random: () => number;

  /** random is injectable for tests. */
  constructor(options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random) {
    this.#options = options;
    this.#random = random;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    return backoffDelay(this.#attempt++, this.#random(), this.#options);
  }

  /** The delay after a refusal (the server refused us: retrying quickly cannot help), jittered. */
  refused(): number {
    this.#attempt = Math.max(this.#attempt, Math.ceil(Math.log2(this.#options.maxMs / this.#options.initialMs)) + 1);
    return Math.round(this.#options.refusedMs * (1 + this.#options.jitter * (2 * this.#random() - 1)));
  }

  /** Starts over from the initial delay. */
  reset(): void {
    this.#attempt = 0;
  }
}
