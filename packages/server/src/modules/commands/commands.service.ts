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
  RegistryAuth,
} from '@capstan/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { MainDatabase } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import type { RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { Publish } from '../events/events.hub.ts';
import { commandFrame, copyStoredPayload, redactionsOf, sealInternalPayload, storedPullPayload } from './commands.frame.ts';
import { agentTime, expiryOf, isFinished, permissionForKind, redactSecrets, resultDetail, retryRefusal, storedRetry, ttlOf } from './commands.policy.ts';
import { presentCommand, queuedRow, UNFINISHED, type CommandRow, type CommandsRepository } from './commands.repository.ts';
import { CommandTransitions, type TransitionHook } from './commands.transitions.ts';

export { commandFrame, SEALED_PAYLOAD_KEY } from './commands.frame.ts';
export type { TransitionHook } from './commands.transitions.ts';

/** What became of a frame from the agent. */
export type FrameOutcome = 'applied' | 'duplicate' | 'unknown';

/** A command the server itself queues (stack deploys, plans, removals), not a user's container command. */
export interface InternalCommand {
  environmentId: number;
  kind: string;
  /** What the agent receives. */
  payload: Record<string, unknown>;
  /**
   * When given, `payload` is stored encrypted (it may carry secrets or registry credentials) and
   * the command log shows this summary instead.
   */
  summary?: Record<string, unknown>;
  /** Values (secrets) the agent may echo that the stored result must not show: masked on arrival. */
  redact?: readonly string[];
  createdBy: number | null;
  /** Who, for the history (a username or "server"). */
  by: string;
  ttlSeconds?: number;
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
  // Hooks, notices and listeners of status changes; the service calls them at the right moments.
  private readonly transitions: CommandTransitions;
  private readonly secrets: SecretBox | null;
  private readonly registryAuth: ((environmentId: number, images: string[]) => Promise<RegistryAuth[]>) | null;
  private readonly now: () => Date;

  constructor(deps: {
    repo: CommandsRepository;
    db: Kysely<MainDatabase>;
    access: AccessService;
    audit: AuditService;
    secrets?: SecretBox;
    registryAuth?: (environmentId: number, images: string[]) => Promise<RegistryAuth[]>;
    now?: () => Date;
    /** Change notices (live events): every committed status change of a command. */
    publish?: Publish;
  }) {
    this.transitions = new CommandTransitions(deps.publish ?? (() => undefined));
    this.repo = deps.repo;
    this.db = deps.db;
    this.access = deps.access;
    this.audit = deps.audit;
    this.secrets = deps.secrets ?? null;
    this.registryAuth = deps.registryAuth ?? null;
    this.now = deps.now ?? (() => new Date());
  }

  /** The frame delivering a stored command, its sealed payload opened. */
  frame(row: CommandRow): CommandFrame {
    const box = this.secrets;
    return commandFrame(row, box ? (sealed, context) => box.open(sealed, context) : undefined);
  }

  /** Registers a hook run inside every transaction that accepts or ends a command (it commits with it). */
  hookTransitions(hook: TransitionHook): void {
    this.transitions.addHook(hook);
  }

  /** Calls `listener` after a command ended (result, expiry, cancel, supersede) and that committed. */
  onFinished(listener: (row: CommandRow) => void): () => void {
    return this.transitions.onFinished(listener);
  }

  /**
   * Queues a server-initiated command inside the caller's transaction (no permission check: the
   * caller authorized the operation it is part of). Call `announce` once that transaction committed.
   */
  async enqueueInternal(trx: Transaction<MainDatabase>, spec: InternalCommand): Promise<CommandRow> {
    const now = this.now();
    const at = now.toISOString();
    const id = randomUUID();
    let payload = JSON.stringify(spec.payload);
    if (spec.summary) {
      if (!this.secrets) throw new Error('sealed command payloads need the secret box');
      payload = sealInternalPayload(id, payload, spec.summary, spec.redact, this.secrets);
    }
    const seq = await this.repo.nextSeq(trx, spec.environmentId);
    const row = queuedRow({ id, environmentId: spec.environmentId, seq, kind: spec.kind, payload, createdBy: spec.createdBy, createdAt: at, expiresAt: expiryOf(now, spec.ttlSeconds) });
    await this.repo.insert(trx, row);
    await this.repo.addHistory(trx, id, at, 'queued', { by: spec.by });
    return row;
  }

  /** Ends a command not yet sent as `superseded`, inside the caller's transaction; undefined once it was sent. */
  async supersede(trx: Transaction<MainDatabase>, environmentId: number, id: string, detail: Record<string, unknown>): Promise<CommandRow | undefined> {
    const at = this.now().toISOString();
    const row = await this.repo.transition(trx, environmentId, id, ['queued'], 'superseded', { finishedAt: at });
    if (!row) return undefined;
    await this.repo.addHistory(trx, id, at, 'superseded', detail);
    await this.transitions.runHooks(trx, row);
    return row;
  }

  /**
   * After the caller's transaction committed: push the environment's queued commands, publish the
   * rows it queued (enqueueInternal) or ended (supersede), report the ended ones.
   */
  announce(environmentId: number, changed: readonly CommandRow[] = []): void {
    this.transitions.queued(environmentId);
    this.transitions.published(changed);
    this.transitions.finished(changed.filter((row) => isFinished(row.status)));
  }

  /** The command once it has ended, or null when it has not within `timeoutMs`. */
  async whenFinished(environmentId: number, id: string, timeoutMs: number): Promise<CommandRow | null> {
    let resolve: (row: CommandRow | null) => void = () => undefined;
    const done = new Promise<CommandRow | null>((r) => (resolve = r));
    const off = this.onFinished((row) => {
      if (row.id === id && Number(row.environmentId) === environmentId) resolve(row);
    });
    const timer = setTimeout(() => resolve(null), timeoutMs);
    try {
      // Listening first, then looking: an end committed in between is seen by one or the other.
      const current = await this.repo.get(environmentId, id);
      if (current && isFinished(current.status)) return current;
      return await done;
    } finally {
      clearTimeout(timer);
      off();
    }
  }

  /** Calls `listener` after a command of an environment committed (so a transport can push it). */
  onQueued(listener: (environmentId: number) => void): () => void {
    return this.transitions.onQueued(listener);
  }

  /** Queues a command (the caller's permission for its kind is checked here); answers it as committed. */
  async enqueue(ctx: RequestContext, environmentId: number, body: EnqueueCommand): Promise<Command> {
    const principal = requirePrincipal(ctx);
    const permission = permissionForKind(body.kind);
    await this.access.authorize(principal, permission, environmentId);
    ctx.permission = permission;
    const { ttlSeconds, retry, ...spec } = body;
    const now = this.now();
    const at = now.toISOString();
    const id = randomUUID();
    const payload = spec.kind === 'image.pull' ? await this.pullPayload(environmentId, id, spec.payload) : JSON.stringify(spec.payload);
    const row = await this.audit.transact(ctx, async (trx, audit) => {
      const seq = await this.repo.nextSeq(trx, environmentId);
      const expiresAt = expiryOf(now, ttlSeconds);
      const stored = queuedRow({ id, environmentId, seq, kind: spec.kind, payload, createdBy: principal.userId, createdAt: at, expiresAt, retry: storedRetry(retry) });
      await this.repo.insert(trx, stored);
      await this.repo.addHistory(trx, id, at, 'queued', { by: principal.username });
      audit.targetType = 'environment';
      audit.targetId = String(environmentId);
      // Not the payload: exec environments may carry secrets.
      audit.details = { commandId: id, seq, kind: spec.kind, target: targetOf(spec.payload), ttlSeconds: ttlSeconds ?? null, ...(retry ? { retry } : {}) };
      return stored;
    });
    this.transitions.queued(environmentId);
    this.transitions.published([row]);
    return presentCommand(row);
  }

  /**
   * An image.pull payload as stored: with the credentials of the image's registry (registries
   * module) sealed in, when there are any. Users may not send credentials themselves.
   */
  private async pullPayload(environmentId: number, id: string, payload: { image: string; registryAuth?: unknown }): Promise<string> {
    if (payload.registryAuth !== undefined) {
      const message = 'is filled by the server from the registry definitions (POST /api/registries): leave it out';
      throw new AppError('validation_failed', `body.payload.registryAuth: ${message}`, { issues: [{ location: 'body', path: 'payload.registryAuth', message }] });
    }
    const registryAuth = this.registryAuth && this.secrets ? await this.registryAuth(environmentId, [payload.image]) : [];
    return storedPullPayload(id, payload, registryAuth, this.secrets);
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
      await this.transitions.runHooks(trx, updated);
      return updated;
    });
    this.transitions.published([row]);
    this.transitions.finished([row]);
    return presentCommand(row);
  }

  /**
   * Queues a copy of a command that ended failed or expired: same kind, payload (sealed parts sealed
   * again for the copy's id), retry policy and time to live; `retryOf` names the original.
   */
  async retry(ctx: RequestContext, environmentId: number, id: string): Promise<Command> {
    const found = await this.repo.get(environmentId, id);
    if (!found) throw notFoundCommand(environmentId, id);
    const principal = requirePrincipal(ctx);
    const permission = permissionForKind(found.kind);
    await this.access.authorize(principal, permission, environmentId);
    ctx.permission = permission;
    const refusal = retryRefusal(found);
    if (refusal) throw new AppError('conflict', refusal, { status: found.status });
    const now = this.now();
    const at = now.toISOString();
    const copyId = randomUUID();
    const payload = copyStoredPayload(found.payload, id, copyId, this.secrets);
    const row = await this.audit.transact(ctx, async (trx, audit) => {
      const seq = await this.repo.nextSeq(trx, environmentId);
      const expiresAt = expiryOf(now, ttlOf(found));
      const copy = queuedRow({ id: copyId, environmentId, seq, kind: found.kind, payload, createdBy: principal.userId, createdAt: at, expiresAt, retry: found.retry, retryOf: id });
      await this.repo.insert(trx, copy);
      await this.repo.addHistory(trx, copyId, at, 'queued', { by: principal.username, retryOf: id });
      audit.targetType = 'environment';
      audit.targetId = String(environmentId);
      audit.details = { commandId: copyId, seq, kind: found.kind, retryOf: id, originalStatus: found.status };
      return copy;
    });
    this.announce(environmentId, [row]);
    return presentCommand(row);
  }

  /** Ends queued commands whose expiry passed (they were never sent). */
  async expireDue(environmentId: number): Promise<void> {
    const at = this.now().toISOString();
    for (const row of await this.repo.dueToExpire(environmentId, at)) {
      const ended = await this.db.transaction().execute(async (trx) => {
        const error = JSON.stringify({ code: 'expired', message: `not sent to the agent before it expired at ${row.expiresAt}` });
        const done = await this.repo.transition(trx, environmentId, row.id, ['queued'], 'expired', { finishedAt: at, error });
        if (!done) return null;
        await this.repo.addHistory(trx, row.id, at, 'expired', { by: 'server' });
        await this.transitions.runHooks(trx, done);
        return done;
      });
      if (ended) {
        this.transitions.published([ended]);
        this.transitions.finished([ended]);
      }
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
    const sent = await this.db.transaction().execute(async (trx) => {
      const row = await this.repo.markSent(trx, environmentId, id, at);
      if (row) await this.repo.addHistory(trx, id, at, 'sent', { attempt: Number(row.attempts), ...detail });
      return row;
    });
    if (sent) this.transitions.published([sent]);
    return sent;
  }

  /** The agent journalled the command and is about to run it. */
  async accepted(environmentId: number, frame: Pick<CommandAcceptedFrame, 'id' | 'seq'>): Promise<FrameOutcome> {
    const at = this.now().toISOString();
    const outcome = await this.db.transaction().execute(async (trx): Promise<{ outcome: FrameOutcome; row?: CommandRow }> => {
      const row = await this.repo.get(environmentId, frame.id, trx);
      if (!row || Number(row.seq) !== frame.seq) return { outcome: 'unknown' };
      const done = await this.repo.transition(trx, environmentId, frame.id, ['queued', 'sent'], 'accepted', { acceptedAt: at });
      if (!done) return { outcome: 'duplicate' };
      await this.repo.addHistory(trx, frame.id, at, 'accepted', null);
      await this.transitions.runHooks(trx, done);
      return { outcome: 'applied', row: done };
    });
    if (outcome.row) this.transitions.published([outcome.row]);
    return outcome.outcome;
  }

  /** The agent's outcome. Idempotent: a repeated result for a finished command changes nothing. */
  async result(environmentId: number, frame: Omit<CommandResultFrame, 'type'>): Promise<FrameOutcome> {
    const at = this.now().toISOString();
    const outcome = await this.db.transaction().execute(async (trx): Promise<{ outcome: FrameOutcome; row?: CommandRow }> => {
      const row = await this.repo.get(environmentId, frame.id, trx);
      if (!row || Number(row.seq) !== frame.seq) return { outcome: 'unknown' };
      if (isFinished(row.status)) return { outcome: 'duplicate' };
      const redact = redactionsOf(row, this.secrets);
      const output = redactSecrets(frame.output, redact);
      const error = frame.error ? redactSecrets({ code: frame.error.code, message: frame.error.message }, redact) : null;
      const done = await this.repo.transition(trx, environmentId, frame.id, UNFINISHED, frame.status, {
        startedAt: agentTime(frame.startedAt, null),
        finishedAt: agentTime(frame.finishedAt, at),
        output: output === undefined ? null : JSON.stringify(output),
        error: error ? JSON.stringify(error) : null,
      });
      if (!done) return { outcome: 'duplicate' };
      await this.repo.addHistory(trx, frame.id, at, frame.status, resultDetail(frame));
      await this.transitions.runHooks(trx, done);
      return { outcome: 'applied', row: done };
    });
    if (outcome.row) {
      this.transitions.published([outcome.row]);
      this.transitions.finished([outcome.row]);
    }
    return outcome.outcome;
  }
}

function notFoundCommand(environmentId: number, id: string): AppError {
  return new AppError('not_found', `command ${id} does not exist in environment ${environmentId}: list them with GET /api/environments/${environmentId}/commands`, {
    resource: 'command',
    id,
  });
}
