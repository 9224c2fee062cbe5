import type { Kysely, Transaction } from 'kysely';
import type { AuditQuery, AuditRecord } from '@capstan/protocol';
import { likeLiteral, likeMatch } from '../../db/like.ts';
import type { AuditDatabase, AuditLogTable, MainDatabase } from '../../db/schema.ts';

function toRow(r: AuditRecord): AuditLogTable {
  return { ...r, details: JSON.stringify(r.details) };
}

function fromRow(row: AuditLogTable): AuditRecord {
  return {
    ...row,
    authMethod: row.authMethod as AuditRecord['authMethod'],
    outcome: row.outcome as AuditRecord['outcome'],
    statusCode: Number(row.statusCode),
    actorId: row.actorId === null ? null : Number(row.actorId),
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

/** Audit storage: the outbox in the main database and the log in the audit database. */
export class AuditRepository {
  private readonly db: Kysely<MainDatabase>;
  private readonly audit: Kysely<AuditDatabase>;

  constructor(db: Kysely<MainDatabase>, audit: Kysely<AuditDatabase>) {
    this.db = db;
    this.audit = audit;
  }

  /** Queues a record inside the caller's transaction: it commits or rolls back with the mutation. */
  async enqueue(trx: Transaction<MainDatabase>, record: AuditRecord): Promise<void> {
    await trx
      .insertInto('auditOutbox')
      .values({ id: record.id, record: JSON.stringify(record), createdAt: record.at })
      .execute();
  }

  /** Oldest queued records, up to `limit`. */
  async pending(limit: number): Promise<AuditRecord[]> {
    const rows = await this.db.selectFrom('auditOutbox').select('record').orderBy('createdAt').limit(limit).execute();
    return rows.map((r) => JSON.parse(r.record) as AuditRecord);
  }

  async dequeue(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.db.deleteFrom('auditOutbox').where('id', 'in', ids).execute();
  }

  /** Writes records to the audit log; a record already there (same id) is left as is. */
  async append(records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.audit
      .insertInto('auditLog')
      .values(records.map(toRow))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  /** Newest first, filtered, with the total count of matches. */
  async query(q: AuditQuery): Promise<{ items: AuditRecord[]; total: number }> {
    let base = this.audit.selectFrom('auditLog');
    if (q.userId !== undefined) base = base.where('actorId', '=', q.userId);
    if (q.username !== undefined) base = base.where('actorName', '=', q.username);
    if (q.action !== undefined) {
      base = q.action.endsWith('*')
        ? base.where(likeMatch('action', `${likeLiteral(q.action.slice(0, -1))}%`))
        : base.where('action', '=', q.action);
    }
    if (q.targetType !== undefined) base = base.where('targetType', '=', q.targetType);
    if (q.targetId !== undefined) base = base.where('targetId', '=', q.targetId);
    if (q.outcome !== undefined) base = base.where('outcome', '=', q.outcome);
    if (q.requestId !== undefined) base = base.where('requestId', '=', q.requestId);
    if (q.from !== undefined) base = base.where('at', '>=', new Date(q.from).toISOString());
    if (q.to !== undefined) base = base.where('at', '<=', new Date(q.to).toISOString());
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map(fromRow), total: Number(count?.n ?? 0) };
  }
}
