// In-process change notices: services publish small LiveEvents after their change committed, the
// open /api/events streams subscribe. Nothing is stored: a client that was away refetches what it
// shows when its stream opens again.
import type { LiveEvent } from '@capstan/protocol';

/** How services hand a notice over (injected; a no-op where nobody listens, e.g. unit tests). */
export type Publish = (event: LiveEvent) => void;

/** Environment and snapshot notices of one environment go out at most once per this window. */
export const COALESCE_WINDOW_MS = 1_000;

interface Window {
  timer: NodeJS.Timeout;
  /** The latest notice that arrived during the window; it goes out when the window ends. */
  pending: LiveEvent | null;
}

/** Which notices are coalesced: row and engine-state notices say only "look again", so one per window says it all. */
function coalesceKey(event: LiveEvent): string | null {
  return event.type === 'environment' || event.type === 'snapshot' ? `${event.type}:${event.environmentId}` : null;
}

/** Publish/subscribe of change notices, with per-environment coalescing of the chatty kinds. */
export class EventHub {
  readonly #listeners = new Set<(event: LiveEvent) => void>();
  readonly #windows = new Map<string, Window>();
  readonly #windowMs: number;
  readonly #onError: (err: unknown) => void;
  #closed = false;

  constructor(opts: { windowMs?: number; onError?: (err: unknown) => void } = {}) {
    this.#windowMs = opts.windowMs ?? COALESCE_WINDOW_MS;
    this.#onError = opts.onError ?? (() => undefined);
  }

  /**
   * Hands a notice to every subscriber. A busy environment's environment/snapshot notices go out
   * at once, then at most one per window (the last of the window, at its end): none is lost.
   */
  readonly publish: Publish = (event) => {
    if (this.#closed) return;
    const key = coalesceKey(event);
    if (key === null) {
      this.#deliver(event);
      return;
    }
    const open = this.#windows.get(key);
    if (open) {
      open.pending = event;
      return;
    }
    this.#deliver(event);
    this.#openWindow(key);
  };

  #openWindow(key: string): void {
    const timer = setTimeout(() => {
      const w = this.#windows.get(key);
      this.#windows.delete(key);
      if (w?.pending && !this.#closed) {
        this.#deliver(w.pending);
        this.#openWindow(key);
      }
    }, this.#windowMs);
    timer.unref();
    this.#windows.set(key, { timer, pending: null });
  }

  #deliver(event: LiveEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  /** Calls `listener` with every notice from now on; returns the unsubscriber. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** How many subscribers there are (tests, metrics). */
  get subscribers(): number {
    return this.#listeners.size;
  }

  /** Drops pending notices and subscribers; later publishes do nothing (shutdown). */
  close(): void {
    this.#closed = true;
    for (const w of this.#windows.values()) clearTimeout(w.timer);
    this.#windows.clear();
    this.#listeners.clear();
  }
}
