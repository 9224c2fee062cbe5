// The engine-state part of a poll: the whole snapshot, a delta against the one the server holds, or
// only that one's hash when nothing changed (collections keep their takenAt out of the comparison, so
// an idle host sends no snapshot body at all).
import {
  PollSnapshotSchema,
  diffSnapshots,
  isEmptyDelta,
  type EngineSnapshot,
  type PollSnapshot,
  type PollSnapshotOutcome,
} from '@capstan/protocol';
import type { Logger } from '../log/logger.ts';
import { fitSnapshot } from '../state/fit.ts';
import { snapshotHash } from '../state/hash.ts';

/** A snapshot with its hash: what the server holds, or what was just collected. */
export interface HashedSnapshot {
  readonly snapshot: EngineSnapshot;
  readonly hash: string;
}

/** A part to send and the snapshot the server holds once it accepts it. */
export interface PreparedSnapshot {
  readonly part: PollSnapshot;
  readonly held: HashedSnapshot;
}

/** Picks the part for `current` given what the server holds (null: unknown, send everything). Pure. */
export function chooseSnapshotPart(held: HashedSnapshot | null, current: HashedSnapshot): PreparedSnapshot {
  const full: PreparedSnapshot = { part: { type: 'snapshot', hash: current.hash, snapshot: current.snapshot }, held: current };
  if (!held) return full;
  const delta = diffSnapshots(held.snapshot, current.snapshot);
  if (held.hash === current.hash || isEmptyDelta(delta)) return { part: { type: 'snapshot-unchanged', hash: held.hash }, held };
  const part: PollSnapshot = { type: 'snapshot-delta', baseHash: held.hash, hash: current.hash, delta };
  // A mass change can make the delta larger than the state itself.
  return JSON.stringify(part).length < JSON.stringify(full.part).length ? { part, held: current } : full;
}

/** What the server holds after answering `outcome` to a poll that carried `sent` (undefined: no part). Pure. */
export function heldAfter(held: HashedSnapshot | null, sent: PreparedSnapshot | undefined, outcome: PollSnapshotOutcome): HashedSnapshot | null {
  if (outcome === 'full-required') return null;
  if (!sent) return held;
  // 'none' after a part was sent: the server kept nothing we can build on.
  return outcome === 'stored' || outcome === 'unchanged' ? sent.held : null;
}

/** Collects the engine state for each poll and remembers which snapshot the server holds. */
export class PollSnapshots {
  readonly #collect: () => Promise<EngineSnapshot>;
  readonly #log: Logger;
  #held: HashedSnapshot | null = null;
  #failing = false;

  constructor(collect: () => Promise<EngineSnapshot>, log: Logger) {
    this.#collect = collect;
    this.#log = log;
  }

  /** The part for the next poll; undefined when the engine could not be read (the poll goes without). */
  async prepare(): Promise<PreparedSnapshot | undefined> {
    let snapshot: EngineSnapshot;
    try {
      snapshot = fitSnapshot(await this.#collect());
    } catch (err) {
      if (!this.#failing) this.#log.warn('could not read the engine state; polling without it', { error: (err as Error).message });
      this.#failing = true;
      return undefined;
    }
    if (this.#failing) this.#log.info('the engine state is readable again');
    this.#failing = false;
    const prepared = chooseSnapshotPart(this.#held, { snapshot, hash: snapshotHash(snapshot) });
    // A part the server would refuse would fail every poll: better to send none.
    if (!PollSnapshotSchema.safeParse(prepared.part).success) {
      this.#log.error('could not build a valid snapshot part; polling without it');
      return undefined;
    }
    return prepared;
  }

  /** The poll that carried `sent` was answered with `outcome`. */
  acknowledge(sent: PreparedSnapshot | undefined, outcome: PollSnapshotOutcome): void {
    this.#held = heldAfter(this.#held, sent, outcome);
  }

  /** Forgets what the server holds: the next part is a full snapshot. */
  reset(): void {
    this.#held = null;
  }
}
