import { randomUUID } from 'node:crypto';
import type {
  Command,
  CommandAcceptedFrame,
  CommandFrame,
  CommandListQuery,
  CommandPage,
  CommandResultFrame,
  CommandWithHistory,
  EnqueueCommand,
} from '@capstan/protocol';
import type { Kysely } from 'kysely';
import type { MainDatabase } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { agentTime, expiryOf, isFinished, permissionForKind } from './commands.policy.ts';
import { presentCommand, UNFINISHED, type CommandRow, type CommandsRepository } from './commands.repository.ts';

/** What became of a frame from the agent. */
export type FrameOutcome = 'applied' | 'duplicate' | 'unknown';

/** The frame that delivers a stored command to its agent (any transport). */
export function commandFrame(row: CommandRow): CommandFrame {
  const c = presentCommand(row);
  return { type: 'command', id: c.id, seq: c.seq, kind: c.kind, payload: c.payload, queuedAt: c.createdAt, expiresAt: c.expiresAt };
}

const targetOf = (payload: Record<string, unknown>): unknown => payload.containerId ?? payload.image ?? null;

/**
 * The durable, ordered command log of each environment. Users queue commands; a transport
 * (the tunnel now, polling later) asks for what to deliver and reports what agents answer.
 * Every state change is one conditional update: delivery may repeat, an outcome lands once.
 */
export class CommandsService {
  private readonly repo: CommandsRepository;
  private readonly db: Kysely<MainDatabase>;
  private readonly access: AccessService;
  private readonly audit: AuditService;
  private readonly listeners = new Set<(environmentId: number) => void>();
  private readonly now: () => Date;

  constructor(deps: { repo: CommandsRepository; db: Kysely<MainDatabase>; access: AccessService; audit: AuditService; now?: () => Date }) {
    this.repo = deps.repo;
    this.db = deps.db;
    this.access = deps.access;
    this.audit = deps.audit;
    this.now = deps.now ?? (() => new Date());
  }

  /** Calls `listener` after a command of an environment committed (so a transport can push it). */
  onQueued(listener: (environmentId: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queues a command (the caller's permission for its kind is checked here); answers it as committed. */
  async enqueue(ctx: RequestContext, environmentId: number, body: EnqueueCommand): Promise<Command> {
    const principal = requirePrincipal(ctx);
    const permission = permissionForKind(body.kind);
    await this.access.authorize(principal, permission, environmentId);
    ctx.permission = permission;
    const { ttlSeconds, ...spec } = body;
    const now = this.now();
    const at = now.toISOString();
    const id = randomUUID();
    const row = await this.audit.transact(ctx, async (trx, audit) => {
      const seq = await this.repo.nextSeq(trx, environmentId);
      const stored: CommandRow = {
        id,
        environmentId,
        seq,
        kind: spec.kind,
        payload: JSON.stringify(spec.payload),
        status: 'queued',
        attempts: 0,
        createdBy: principal.userId,
        createdAt: at,
        sentAt: null,
        acceptedAt: null,
        startedAt: null,
        finishedAt: null,
        expiresAt: expiryOf(now, ttlSeconds),
        output: null,
        error: null,
      };
      await this.repo.insert(trx, stored);
      await this.repo.addHistory(trx, id, at, 'queued', { by: principal.username });
      audit.targetType = 'environment';
      audit.targetId = String(environmentId);
      // Not the payload: exec environments may carry secrets.
      audit.details = { commandId: id, seq, kind: spec.kind, target: targetOf(spec.payload), ttlSeconds: ttlSeconds ?? null };
      return stored;
    });
    for (const listener of this.listeners) listener(environmentId);
    return presentCommand(row);
  }

  /** The environment's commands, newest first or in seq order, optionally of one status. */
  async list(environmentId: number, q: CommandListQuery): Promise<CommandPage> {
    await this.expireDue(environmentId);
    const { items, total } = await this.repo.list(environmentId, q);
    return { items: items.map(presentCommand), total, limit: q.limit, offset: q.offset };
  }

  /** One command with its history; not_found when it is not this environment's. */
  async get(environmentId: number, id: string): Promise<CommandWithHistory> {
    await this.expireDue(environmentId);
    const row = await this.repo.get(environmentId, id);
    if (!row) throw notFoundCommand(environmentId, id);
    return { ...presentCommand(row), history: await this.repo.history(id) };
  }

  /** Cancels a command that was not delivered yet; `conflict` once an agent may have it. */
  async cancel(ctx: RequestContext, environmentId: number, id: string): Promise<Command> {
    const found = await this.repo.get(environmentId, id);
    if (!found) throw notFoundCommand(environmentId, id);
    const permission = permissionForKind(found.kind);
    await this.access.authorize(requirePrincipal(ctx), permission, environmentId);
    ctx.permission = permission;
    const at = this.now().toISOString();
    const row = await this.audit.transact(ctx, async (trx, audit) => {
      audit.targetType = 'environment';
      audit.targetId = String(environmentId);
      audit.details = { commandId: id, seq: Number(found.seq), kind: found.kind };
      const updated = await this.repo.transition(trx, environmentId, id, ['queued'], 'cancelled', { finishedAt: at });
      if (!updated) {
        const current = (await this.repo.get(environmentId, id, trx))?.status ?? found.status;
        throw new AppError('conflict', `command ${id} is ${current}: only a queued command (not yet sent to the agent) can be cancelled`, {
          status: current,
        });
      }
      await this.repo.addHistory(trx, id, at, 'cancelled', { by: requirePrincipal(ctx).username });
      return updated;
    });
    return presentCommand(row);
  }

  /** Ends queued commands whose expiry passed (they were never sent). */
  async expireDue(environmentId: number): Promise<void> {
    const at = this.now().toISOString();
    for (const row of await this.repo.dueToExpire(environmentId, at)) {
      await this.db.transaction().execute(async (trx) => {
        const error = JSON.stringify({ code: 'expired', message: `not sent to the agent before it expired at ${row.expiresAt}` });
        const done = await this.repo.transition(trx, environmentId, row.id, ['queued'], 'expired', { finishedAt: at, error });
        if (done) await this.repo.addHistory(trx, row.id, at, 'expired', { by: 'server' });
      });
    }
  }

  /** Unfinished commands after `afterSeq` in seq order, for delivery (expired ones are ended first). */
  async deliverable(environmentId: number, afterSeq: number, limit: number): Promise<CommandRow[]> {
    await this.expireDue(environmentId);
    return this.repo.unfinished(environmentId, afterSeq, limit);
  }

  /** Records one delivery attempt; undefined when the command finished meanwhile (do not send it). */
  async markSent(environmentId: number, id: string, detail: Record<string, unknown>): Promise<CommandRow | undefined> {
    const at = this.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const row = await this.repo.markSent(trx, environmentId, id, at);
      if (row) await this.repo.addHistory(trx, id, at, 'sent', { attempt: Number(row.attempts), ...detail });
      return row;
    });
  }

  /** The agent journalled the command and is about to run it. */
  async accepted(environmentId: number, frame: Pick<CommandAcceptedFrame, 'id' | 'seq'>): Promise<FrameOutcome> {
    const at = this.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const row = await this.repo.get(environmentId, frame.id, trx);
      if (!row || Number(row.seq) !== frame.seq) return 'unknown';
      const done = await this.repo.transition(trx, environmentId, frame.id, ['queued', 'sent'], 'accepted', { acceptedAt: at });
      if (!done) return 'duplicate';
      await this.repo.addHistory(trx, frame.id, at, 'accepted', null);
      return 'applied';
    });
  }

  /** The agent's outcome. Idempotent: a repeated result for a finished command changes nothing. */
  async result(environmentId: number, frame: Omit<CommandResultFrame, 'type'>): Promise<FrameOutcome> {
    const at = this.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const row = await this.repo.get(environmentId, frame.id, trx);
      if (!row || Number(row.seq) !== frame.seq) return 'unknown';
      if (isFinished(row.status)) return 'duplicate';
      const done = await this.repo.transition(trx, environmentId, frame.id, UNFINISHED, frame.status, {
        startedAt: agentTime(frame.startedAt, null),
        finishedAt: agentTime(frame.finishedAt, at),
        output: frame.output === undefined ? null : JSON.stringify(frame.output),
        error: frame.error ? JSON.stringify({ code: frame.error.code, message: frame.error.message }) : null,
      });
      if (!done) return 'duplicate';
      await this.repo.addHistory(trx, frame.id, at, frame.status, frame.error ? { code: frame.error.code } : null);
      return 'applied';
    });
  }
}

function notFoundCommand(environmentId: number, id: string): AppError {
  return new AppError('not_found', `command ${id} does not exist in environment ${environmentId}: list them with GET /api/environments/${environmentId}/commands`, {
    resource: 'command',
    id,
  });
}
