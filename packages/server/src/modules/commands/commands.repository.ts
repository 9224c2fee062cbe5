import type { Command, CommandError, CommandHistoryEntry, CommandListQuery, CommandStatus } from '@capstan/protocol';
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { CommandsTable, MainDatabase } from '../../db/schema.ts';
import { effectiveRetry } from './commands.policy.ts';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;
export type CommandRow = Selectable<CommandsTable>;

/** Statuses a command can still leave: it has not run, or its result has not arrived. */
export const UNFINISHED: readonly CommandStatus[] = ['queued', 'sent', 'accepted'];

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** The API view of a command row (a sealed payload shows as its summary: it may hold secrets). */
export function presentCommand(row: CommandRow): Command {
  const { $sealed: sealed, $redact: _redact, ...payload } = asRecord(parseJson(row.payload)) ?? {};
  return {
    id: row.id,
    environmentId: Number(row.environmentId),
    seq: Number(row.seq),
    kind: row.kind,
    payload: sealed === undefined ? payload : { ...payload, sealed: true },
    status: row.status,
    attempts: Number(row.attempts),
    createdBy: row.createdBy === null ? null : Number(row.createdBy),
    createdAt: row.createdAt,
    sentAt: row.sentAt,
    acceptedAt: row.acceptedAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    expiresAt: row.expiresAt,
    output: parseJson(row.output) ?? null,
    error: (asRecord(parseJson(row.error)) as CommandError | null) ?? null,
    retry: effectiveRetry(row),
    retryOf: row.retryOf,
  };
}

/** A new command row, as queued (nothing sent, no outcome). */
export function queuedRow(
  r: Pick<CommandRow, 'id' | 'environmentId' | 'seq' | 'kind' | 'payload' | 'createdBy' | 'createdAt' | 'expiresAt'> & Partial<Pick<CommandRow, 'retry' | 'retryOf'>>,
): CommandRow {
  return { retry: null, retryOf: null, ...r, status: 'queued', attempts: 0, sentAt: null, acceptedAt: null, startedAt: null, finishedAt: null, output: null, error: null };
}

/** The changes a status transition writes besides `status`. */
export type CommandChanges = Partial<Pick<CommandsTable, 'sentAt' | 'acceptedAt' | 'startedAt' | 'finishedAt' | 'output' | 'error'>>;

/** SQL for the command log. Every transition is a conditional update: it happens once, or not at all. */
export class CommandsRepository {
  private readonly db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  /**
   * The environment's next seq. The upsert takes the counter row's lock until the transaction
   * ends, so on PostgreSQL concurrent enqueues wait for each other: seqs are unique and commit in
   * order (SQLite runs one write transaction at a time anyway).
   */
  async nextSeq(trx: Transaction<MainDatabase>, environmentId: number): Promise<number> {
    const row = await trx
      .insertInto('commandSequences')
      .values({ environmentId, lastSeq: 1 })
      .onConflict((oc) => oc.column('environmentId').doUpdateSet((eb) => ({ lastSeq: eb('commandSequences.lastSeq', '+', 1) })))
      .returning('lastSeq')
      .executeTakeFirstOrThrow();
    return Number(row.lastSeq);
  }

  async insert(trx: Db, row: Insertable<CommandsTable>): Promise<void> {
    await trx.insertInto('commands').values(row).execute();
  }

  async addHistory(trx: Db, commandId: string, at: string, event: CommandStatus, detail: Record<string, unknown> | null): Promise<void> {
    await trx
      .insertInto('commandHistory')
      .values({ commandId, at, event, detail: detail === null ? null : JSON.stringify(detail) })
      .execute();
  }

  async get(environmentId: number, id: string, db: Db = this.db): Promise<CommandRow | undefined> {
    return db.selectFrom('commands').selectAll().where('id', '=', id).where('environmentId', '=', environmentId).executeTakeFirst();
  }

  async history(commandId: string): Promise<CommandHistoryEntry[]> {
    const rows = await this.db.selectFrom('commandHistory').selectAll().where('commandId', '=', commandId).orderBy('id').execute();
    return rows.map((r) => ({ at: r.at, event: r.event, detail: asRecord(parseJson(r.detail)) }));
  }

  async list(environmentId: number, q: CommandListQuery): Promise<{ items: CommandRow[]; total: number }> {
    let base = this.db.selectFrom('commands').where('environmentId', '=', environmentId);
    if (q.status) base = base.where('status', '=', q.status);
    const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const items = await base
      .selectAll()
      .orderBy('seq', q.order === 'seq' ? 'asc' : 'desc')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return { items, total: Number(totalRow?.n ?? 0) };
  }

  /** Unfinished commands with seq above `afterSeq`, in seq order. */
  async unfinished(environmentId: number, afterSeq: number, limit: number): Promise<CommandRow[]> {
    return this.db
      .selectFrom('commands')
      .selectAll()
      .where('environmentId', '=', environmentId)
      .where('status', 'in', UNFINISHED)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
  }

  /** Queued commands of the environment whose expiry is at or before `now`. */
  async dueToExpire(environmentId: number, now: string): Promise<CommandRow[]> {
    return this.db
      .selectFrom('commands')
      .selectAll()
      .where('environmentId', '=', environmentId)
      .where('status', '=', 'queued')
      .where('expiresAt', 'is not', null)
      .where('expiresAt', '<=', now)
      .orderBy('seq')
      .execute();
  }

  /**
   * Moves a command to `status` (with `changes`) only while it is in one of `from`; answers the
   * updated row, or undefined when it was not (another transition won, or it does not exist).
   */
  async transition(
    trx: Db,
    environmentId: number,
    id: string,
    from: readonly CommandStatus[],
    status: CommandStatus,
    changes: CommandChanges = {},
  ): Promise<CommandRow | undefined> {
    return trx
      .updateTable('commands')
      .set({ status, ...changes })
      .where('id', '=', id)
      .where('environmentId', '=', environmentId)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst();
  }

  /** Counts one more delivery of a still unfinished command; marks a queued one sent. */
  async markSent(trx: Db, environmentId: number, id: string, at: string): Promise<CommandRow | undefined> {
    const first = await trx
      .updateTable('commands')
      .set((eb) => ({ status: 'sent', sentAt: at, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('environmentId', '=', environmentId)
      .where('status', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
    if (first) return first;
    return trx
      .updateTable('commands')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('environmentId', '=', environmentId)
      .where('status', 'in', ['sent', 'accepted'])
      .returningAll()
      .executeTakeFirst();
  }
}
