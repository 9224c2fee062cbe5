import type { LiveEvent } from '@capstan/protocol';
import type { Transaction } from 'kysely';
import type { MainDatabase } from '../../db/schema.ts';
import type { Publish } from '../events/events.hub.ts';
import type { CommandRow } from './commands.repository.ts';

/**
 * Runs inside the transaction that moved a command to `row.status` (accepted, or any end); may
 * answer change notices of its own (a stack's version moved), published once that committed.
 */
export type TransitionHook = (trx: Transaction<MainDatabase>, row: CommandRow) => Promise<readonly LiveEvent[] | void>;

/**
 * Who hears of a command's status change: hooks inside its transaction, then, once that committed,
 * the transports (queued), the change notices and the end listeners. Apart from CommandsService so
 * the service reads as the state machine alone; calling the post-commit steps is the service's job.
 */
export class CommandTransitions {
  private readonly queuedListeners = new Set<(environmentId: number) => void>();
  private readonly hooks: TransitionHook[] = [];
  private readonly finishedListeners = new Set<(row: CommandRow) => void>();
  private readonly publish: Publish;
  // Notices the transition hooks answered, kept with the row until its transaction committed (a
  // rolled-back row is dropped with its notices).
  private readonly hookNotices = new WeakMap<CommandRow, readonly LiveEvent[]>();

  constructor(publish: Publish) {
    this.publish = publish;
  }

  /** Registers a hook run by `runHooks`. */
  addHook(hook: TransitionHook): void {
    this.hooks.push(hook);
  }

  /** Calls `listener` from `finished`; answers the unsubscribe. */
  onFinished(listener: (row: CommandRow) => void): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  /** Calls `listener` from `queued`; answers the unsubscribe. */
  onQueued(listener: (environmentId: number) => void): () => void {
    this.queuedListeners.add(listener);
    return () => this.queuedListeners.delete(listener);
  }

  /** Inside the transaction that moved `row`: runs every hook, keeping their notices for `published`. */
  async runHooks(trx: Transaction<MainDatabase>, row: CommandRow): Promise<void> {
    const notices: LiveEvent[] = [];
    for (const hook of this.hooks) notices.push(...((await hook(trx, row)) ?? []));
    if (notices.length > 0) this.hookNotices.set(row, notices);
  }

  /** After commit: the environment has commands to push. */
  queued(environmentId: number): void {
    for (const listener of this.queuedListeners) listener(environmentId);
  }

  /** After commit: publishes each row's command notice, then what its hooks answered. */
  published(rows: readonly CommandRow[]): void {
    for (const row of rows) {
      this.publish({ type: 'command', environmentId: Number(row.environmentId), commandId: row.id, status: row.status });
      for (const event of this.hookNotices.get(row) ?? []) this.publish(event);
      this.hookNotices.delete(row);
    }
  }

  /** After commit: tells the end listeners about rows that ended. */
  finished(rows: readonly CommandRow[]): void {
    for (const row of rows) for (const listener of this.finishedListeners) listener(row);
  }
}
