// Poll contacts (last poll, next poll due, last seen, versions) are kept in memory and written in
// one transaction every couple of seconds, so a poll with nothing to say writes nothing itself.
// Views read through: the latest contact not yet written is laid over the stored row.
import type { Publish } from '../events/events.hub.ts';
import type { PollContact } from './polls.policy.ts';
import type { PollsRepository } from './polls.repository.ts';

/** How often pending contacts are written. */
export const CONTACT_FLUSH_INTERVAL_MS = 2_000;

/** Pending poll contacts per environment, flushed periodically and on close. */
export class PollContacts {
  readonly #repo: PollsRepository;
  readonly #onError: (err: unknown) => void;
  readonly #pending = new Map<number, PollContact>();
  readonly #timer: NodeJS.Timeout;
  readonly #publish: Publish;
  /** Per environment: fires when it turns down unless another poll comes first (views compute that status). */
  readonly #overdue = new Map<number, NodeJS.Timeout>();
  #flushing: Promise<void> = Promise.resolve();

  /** `publish`: an `environment` notice per contact (the hub coalesces a busy one) and when one turns overdue. */
  constructor(deps: { repo: PollsRepository; onError: (err: unknown) => void; flushIntervalMs?: number; publish?: Publish }) {
    this.#repo = deps.repo;
    this.#onError = deps.onError;
    this.#publish = deps.publish ?? (() => undefined);
    this.#timer = setInterval(() => void this.flush(), deps.flushIntervalMs ?? CONTACT_FLUSH_INTERVAL_MS);
    this.#timer.unref();
  }

  /**
   * Records a poll's contact (replacing an older one of the environment not yet written);
   * `downAt` (ms): when the environment counts as down unless it polls again.
   */
  record(contact: PollContact, downAt?: number): void {
    const id = contact.environmentId;
    const before = this.#pending.get(id);
    const engineVersion = contact.engineVersion ?? before?.engineVersion;
    this.#pending.set(id, { ...contact, engineVersion });
    this.#publish({ type: 'environment', environmentId: id });
    clearTimeout(this.#overdue.get(id));
    this.#overdue.delete(id);
    if (downAt === undefined) return;
    // Nothing happens when a poll does not come: a notice at that moment lets views show `down`.
    const timer = setTimeout(() => {
      this.#overdue.delete(id);
      this.#publish({ type: 'environment', environmentId: id });
    }, Math.max(0, downAt - Date.now()) + 50);
    timer.unref();
    this.#overdue.set(id, timer);
  }

  /** The environment's contact not yet written, if any. */
  latest(environmentId: number): PollContact | undefined {
    return this.#pending.get(environmentId);
  }

  /** Writes every pending contact; one that failed stays pending for the next flush. Never rejects. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      const batch = [...this.#pending.values()];
      if (batch.length === 0) return;
      try {
        await this.#repo.recordContacts(batch);
      } catch (err) {
        this.#onError(err);
        return;
      }
      // A newer poll that arrived during the write stays pending.
      for (const c of batch) if (this.#pending.get(c.environmentId) === c) this.#pending.delete(c.environmentId);
    });
    return this.#flushing;
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const timer of this.#overdue.values()) clearTimeout(timer);
    this.#overdue.clear();
    await this.flush();
  }
}
