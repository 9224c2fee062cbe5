// What the agent still has to tell the server in async mode: acceptances and results wait here until
// a poll carrying them is answered, so a lost request or answer only delays them. Pure bookkeeping.
import {
  POLL_MAX_BODY_BYTES,
  POLL_MAX_REPORTS,
  type CommandAcceptedFrame,
  type CommandResultFrame,
} from '@capstan/protocol';

/** The reports one poll carries; hand the same object back to confirm() once the poll was answered. */
export interface ReportBatch {
  readonly accepted: readonly CommandAcceptedFrame[];
  readonly results: readonly CommandResultFrame[];
}

/** Bytes of results one poll may carry: the body limit minus room for a full snapshot (1 MiB) and the rest. */
export const REPORT_BUDGET_BYTES = POLL_MAX_BODY_BYTES - 2 * 1024 * 1024;

/** A frame the runner reports: acceptances and results go to the server, anything else is not kept. */
export type Report = CommandAcceptedFrame | CommandResultFrame;

/**
 * Acceptances and results in seq order. A report for an id already waiting is dropped (the runner
 * sends a stored result again whenever the server repeats a command); confirm() removes exactly the
 * frames of an answered batch, so reports added while that poll was in flight stay for the next one.
 */
export class Outbox {
  #accepted: CommandAcceptedFrame[] = [];
  #results: CommandResultFrame[] = [];
  readonly #completion = new CompletionTracker();

  /** Queues a report; returns false when an equal one (same id and type) is already waiting. */
  add(frame: Report): boolean {
    if (frame.type === 'command-result') {
      this.#completion.finished(frame.seq);
      if (this.#results.some((r) => r.id === frame.id)) return false;
      insertBySeq(this.#results, frame);
      return true;
    }
    if (this.#accepted.some((a) => a.id === frame.id)) return false;
    insertBySeq(this.#accepted, frame);
    return true;
  }

  /** Notes that the server handed the command with this seq over (for lastCompletedSeq). */
  delivered(seq: number): void {
    this.#completion.delivered(seq);
  }

  /** The oldest reports that fit in one poll: at most `max` of each, results within `budgetBytes` (at least one). */
  take(max: number = POLL_MAX_REPORTS, budgetBytes: number = REPORT_BUDGET_BYTES): ReportBatch {
    const results: CommandResultFrame[] = [];
    let bytes = 0;
    for (const r of this.#results) {
      if (results.length >= max) break;
      bytes += Buffer.byteLength(JSON.stringify(r), 'utf8') + 1;
      if (results.length > 0 && bytes > budgetBytes) break;
      results.push(r);
    }
    return { accepted: this.#accepted.slice(0, max), results };
  }

  /** The poll that carried `batch` was answered: those reports reached the server. */
  confirm(batch: ReportBatch): void {
    const accepted = new Set<Report>(batch.accepted);
    const results = new Set<Report>(batch.results);
    this.#accepted = this.#accepted.filter((a) => !accepted.has(a));
    this.#results = this.#results.filter((r) => !results.has(r));
  }

  /** Reports waiting (taken or not). */
  get size(): number {
    return this.#accepted.length + this.#results.length;
  }

  /** Highest seq finished with every lower seq the server handed over finished too (0: none yet). */
  get lastCompletedSeq(): number {
    return this.#completion.lastCompletedSeq();
  }

  /** PollRequest.heldUpTo: see CompletionTracker.heldUpTo. */
  heldUpTo(runnerIdle: boolean): number {
    return this.#completion.heldUpTo(runnerIdle);
  }
}

function insertBySeq<T extends { seq: number }>(list: T[], frame: T): void {
  const at = list.findIndex((f) => f.seq > frame.seq);
  list.splice(at === -1 ? list.length : at, 0, frame);
}

/**
 * Which seqs are done, as far as this process saw: commands handed to the runner stay pending until
 * their result; the answer is the highest finished seq below the lowest pending one.
 */
export class CompletionTracker {
  readonly #pending = new Set<number>();
  /** Finished seqs above #done, not yet known to be free of gaps. */
  readonly #finishedAbove = new Set<number>();
  #done = 0;

  #highestDelivered = 0;

  /** A command was handed to the runner. */
  delivered(seq: number): void {
    this.#highestDelivered = Math.max(this.#highestDelivered, seq);
    if (seq > this.#done && !this.#finishedAbove.has(seq)) this.#pending.add(seq);
  }

  /**
   * The highest seq handed over that this process still holds. An idle runner holding pending seqs
   * dropped them (its journal failed): hold only up to below the lowest, so the server sends them again.
   */
  heldUpTo(runnerIdle: boolean): number {
    if (!runnerIdle) return this.#highestDelivered;
    let lowestPending = Infinity;
    for (const p of this.#pending) lowestPending = Math.min(lowestPending, p);
    return lowestPending === Infinity ? this.#highestDelivered : Math.min(this.#highestDelivered, lowestPending - 1);
  }

  /** The runner reported a result for seq. */
  finished(seq: number): void {
    this.#pending.delete(seq);
    if (seq > this.#done) this.#finishedAbove.add(seq);
  }

  /** See Outbox.lastCompletedSeq. */
  lastCompletedSeq(): number {
    let lowestPending = Infinity;
    for (const p of this.#pending) lowestPending = Math.min(lowestPending, p);
    for (const f of this.#finishedAbove) {
      if (f < lowestPending) {
        this.#done = Math.max(this.#done, f);
        this.#finishedAbove.delete(f);
      }
    }
    return this.#done;
  }
}
