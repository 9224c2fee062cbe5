import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { AuditPage, AuditQuery, AuditRecord } from '@capstan/protocol';
import type { MainDatabase } from '../../db/schema.ts';
import type { AuditDraft, RequestContext } from '../../http/context.ts';
import type { AuditRepository } from './audit.repository.ts';

function outcomeFor(status: number): AuditRecord['outcome'] {
  if (status < 400) return 'success';
  if (status === 401 || status === 403) return 'denied';
  return 'failure';
}

/** Builds the record for this request from its context. */
function buildRecord(ctx: RequestContext, draft: AuditDraft, status: number): AuditRecord {
  const actor = ctx.principal
    ? { id: ctx.principal.userId, name: ctx.principal.username }
    : (draft.actorOverride ?? { id: null, name: null });
  return {
    id: randomUUID(),
    at: new Date().toISOString(),
    actorId: actor.id,
    actorName: actor.name,
    authMethod: ctx.principal?.authMethod ?? 'none',
    sourceIp: ctx.sourceIp,
    action: draft.action,
    targetType: draft.targetType,
    targetId: draft.targetId,
    outcome: outcomeFor(status),
    statusCode: status,
    requestId: ctx.requestId,
    details: draft.details,
  };
}

/**
 * The audit trail. Mutations run through `transact`, which commits the audit record in the
 * same transaction as the change (outbox), so no change can commit without its record; the
 * outbox is then moved to the audit database. Failed calls are recorded directly.
 */
export class AuditService {
  private readonly db: Kysely<MainDatabase>;
  private readonly repo: AuditRepository;
  private flushing: Promise<void> = Promise.resolve();

  constructor(db: Kysely<MainDatabase>, repo: AuditRepository) {
    this.db = db;
    this.repo = repo;
  }

  /** Runs `fn` in a transaction that also commits this request's audit record. */
  async transact<T>(ctx: RequestContext, fn: (trx: Transaction<MainDatabase>, audit: AuditDraft) => Promise<T>): Promise<T> {
    const draft = ctx.audit;
    if (!draft) throw new Error('transact() called from a route without an audit action');
    const result = await this.db.transaction().execute(async (trx) => {
      const value = await fn(trx, draft);
      await this.repo.enqueue(trx, buildRecord(ctx, draft, ctx.successStatus));
      return value;
    });
    ctx.audited = true;
    // The record is durable in the outbox already; a failed move is retried by the periodic flush.
    await this.flush().catch(() => undefined);
    return result;
  }

  /** Records the outcome of a mutating call that did not commit through `transact`. */
  async recordOutcome(ctx: RequestContext, status: number): Promise<void> {
    if (!ctx.audit || ctx.audited) return;
    ctx.audited = true;
    await this.repo.append([buildRecord(ctx, ctx.audit, status)]);
  }

  /** Moves committed outbox records to the audit log; safe to call concurrently and after a crash. */
  flush(): Promise<void> {
    this.flushing = this.flushing.catch(() => undefined).then(async () => {
      for (;;) {
        const batch = await this.repo.pending(500);
        if (batch.length === 0) return;
        await this.repo.append(batch);
        await this.repo.dequeue(batch.map((r) => r.id));
      }
    });
    return this.flushing;
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    const { items, total } = await this.repo.query(query);
    return { items, total, limit: query.limit, offset: query.offset };
  }
}
