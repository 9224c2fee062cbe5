// Poll contacts (last poll, next poll due, last seen, versions) are kept in memory and written in
// one transaction every couple of seconds, so a poll with nothing to say writes nothing itself.
// Views read through: the latest contact not yet written is laid over the stored row.
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
  #flushing: Promise<void> = Promise.resolve();

  constructor(deps: { repo: PollsRepository; onError: (err: unknown) => void; flushIntervalMs?: number }) {
    this.#repo = deps.repo;
    this.#onError = deps.onError;
    this.#timer = setInterval(() => void this.flush(), deps.flushIntervalMs ?? CONTACT_FLUSH_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Records a poll's contact (replacing an older one of the environment not yet written). */
  record(contact: PollContact): void {
    const before = this.#pending.get(contact.environmentId);
    const engineVersion = contact.engineVersion ?? before?.engineVersion;
    this.#pending.set(contact.environmentId, { ...contact, engineVersion });
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
    await this.flush();
  }
}
