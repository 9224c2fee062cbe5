// Git sources of stacks: create (checked against the Git server first), read, change, delete,
// manual sync and webhook deliveries. Fetching and redeploying is git-sources.sync.ts.
import { randomBytes } from 'node:crypto';
import type { CreatedGitSource, CreateGitSource, GitAuthInput, GitSource, GitSyncResult, Permission, SyncGitSource, UpdateGitSource } from '@capstan/protocol';
import { AppError, notFound } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { GitAuth } from './git.client.ts';
import type { GitSourceChanges, GitSourceRow, GitSourcesRepository, StackRef } from './git-sources.repository.ts';
import { sealContext, type GitSyncEngine } from './git-sources.sync.ts';
import { verifyWebhook } from './webhook-signature.ts';

export interface GitSourcesDeps {
  repo: GitSourcesRepository;
  engine: GitSyncEngine;
  access: AccessService;
  audit: AuditService;
  secrets: SecretBox;
  now?: () => Date;
}

/** Where a source's webhook is delivered. */
export const webhookPath = (id: number): string => `/api/git-sources/${id}/webhook`;

/** The API view of a stored source (never its secrets). */
export function presentGitSource(row: GitSourceRow, environmentId: number): GitSource {
  const id = Number(row.id);
  return {
    id,
    stackId: Number(row.stackId),
    environmentId,
    url: row.url,
    ref: row.ref,
    composePath: row.composePath,
    extraPaths: JSON.parse(row.extraPaths) as string[],
    auth: { kind: row.authKind, username: row.authKind === 'token' ? row.authUsername : null },
    pollIntervalSeconds: Number(row.pollIntervalSeconds),
    webhook: { enabled: row.webhookSecret !== null, path: webhookPath(id) },
    lastSeenCommit: row.lastSeenCommit,
    lastSeenAt: row.lastSeenAt,
    lastDeployedCommit: row.lastDeployedCommit,
    lastDeployedAt: row.lastDeployedAt,
    lastFetchAt: row.lastFetchAt,
    lastError: row.lastError,
    lastErrorAt: row.lastErrorAt,
    consecutiveFailures: Number(row.consecutiveFailures),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const toGitAuth = (a: GitAuthInput): GitAuth => (a.kind === 'token' ? { kind: 'token', username: a.username, token: a.token } : a.kind === 'ssh' ? { kind: 'ssh', privateKey: a.privateKey } : { kind: 'none' });

/** Stack Git sources: configuration, authorization and webhook verification. */
export class GitSourcesService {
  readonly #d: GitSourcesDeps;
  readonly #now: () => Date;

  constructor(deps: GitSourcesDeps) {
    this.#d = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /** The stack, once the caller holds `permission` on its environment (only administrators learn that an id does not exist). */
  async #stack(ctx: RequestContext, stackId: number, permission: Permission): Promise<StackRef> {
    const p = requirePrincipal(ctx);
    const stack = await this.#d.repo.stack(stackId);
    if (!stack) {
      if (p.isAdmin) throw notFound('stack', stackId);
      throw new AppError('forbidden', `you have no role on the environment of stack ${stackId}`, { permission });
    }
    await this.#d.access.authorize(p, permission, stack.environmentId);
    ctx.permission = permission;
    return stack;
  }

  async #source(stack: StackRef): Promise<GitSourceRow> {
    const row = await this.#d.repo.byStack(stack.id);
    if (!row) throw new AppError('not_found', `stack ${stack.id} has no Git source: create one with POST /api/stacks/${stack.id}/git`, { resource: 'git source', stackId: stack.id });
    return row;
  }

  #sealAuth(stackId: number, auth: GitAuthInput): { authKind: GitAuthInput['kind']; authUsername: string | null; authSecret: string | null } {
    if (auth.kind === 'token') return { authKind: 'token', authUsername: auth.username, authSecret: this.#d.secrets.seal(auth.token, sealContext(stackId, 'auth')) };
    if (auth.kind === 'ssh') return { authKind: 'ssh', authUsername: null, authSecret: this.#d.secrets.seal(auth.privateKey, sealContext(stackId, 'auth')) };
    return { authKind: 'none', authUsername: null, authSecret: null };
  }

  /** The source's stored credentials, opened (memory only). */
  #storedAuth(row: GitSourceRow): GitAuth {
    const stackId = Number(row.stackId);
    if (row.authKind === 'token' && row.authSecret) return { kind: 'token', username: row.authUsername ?? 'x-access-token', token: this.#d.secrets.open(row.authSecret, sealContext(stackId, 'auth')) };
    if (row.authKind === 'ssh' && row.authSecret) return { kind: 'ssh', privateKey: this.#d.secrets.open(row.authSecret, sealContext(stackId, 'auth')) };
    return { kind: 'none' };
  }

  /**
   * Attaches a Git source to a stack: the ref is fetched and the stack's files read first (a wrong
   * URL, token or path is refused and nothing is stored), then the stack is deployed from it.
   */
  async create(ctx: RequestContext, stackId: number, body: CreateGitSource): Promise<CreatedGitSource> {
    const d = this.#d;
    const stack = await this.#stack(ctx, stackId, 'stacks.deploy');
    const principal = requirePrincipal(ctx);
    if (stack.state === 'removing') throw new AppError('conflict', `stack ${stackId} is being removed`, { stackId });
    if (await d.repo.byStack(stackId)) throw new AppError('conflict', `stack ${stackId} has a Git source already: change it with PATCH /api/stacks/${stackId}/git`, { stackId });
    const probeDir = await d.engine.probe({ url: body.url, ref: body.ref, composePath: body.composePath, extraPaths: body.extraPaths, auth: toGitAuth(body.auth) });
    const generated = body.webhookSecret === undefined ? randomBytes(24).toString('base64url') : null;
    const webhookSecret = body.webhookSecret === undefined ? generated : body.webhookSecret;
    const at = this.#now().toISOString();
    let row: GitSourceRow;
    try {
      row = await d.audit.transact(ctx, async (trx, audit) => {
        if (await d.repo.byStack(stackId, trx)) throw new AppError('conflict', `stack ${stackId} has a Git source already`, { stackId });
        const created = await d.repo.insert(trx, {
          stackId,
          url: body.url,
          ref: body.ref,
          composePath: body.composePath,
          extraPaths: JSON.stringify(body.extraPaths),
          ...this.#sealAuth(stackId, body.auth),
          pollIntervalSeconds: body.pollIntervalSeconds,
          webhookSecret: webhookSecret === null ? null : d.secrets.seal(webhookSecret, sealContext(stackId, 'webhook')),
          actorId: principal.userId,
          lastFetchAt: null,
          lastSeenCommit: null,
          lastSeenAt: null,
          lastDeployedCommit: null,
          lastDeployedAt: null,
          lastError: null,
          lastErrorAt: null,
          consecutiveFailures: 0,
          createdBy: principal.userId,
          createdAt: at,
          updatedAt: at,
        });
        await d.repo.setStackSource(trx, stackId, 'git');
        audit.targetType = 'stack';
        audit.targetId = String(stackId);
        audit.details = { gitSourceId: Number(created.id), url: body.url, ref: body.ref, composePath: body.composePath, auth: body.auth.kind, pollIntervalSeconds: body.pollIntervalSeconds, webhook: webhookSecret !== null };
        return created;
      });
    } catch (e) {
      d.engine.dropCache(probeDir);
      throw e;
    }
    const id = Number(row.id);
    d.engine.adoptCache(probeDir, id);
    // The first deploy; when it fails the source stays, its error shown and retried by the poller.
    await d.engine.sync(id, { trigger: 'create', force: false, actorUserId: principal.userId }).catch(() => undefined);
    const fresh = (await d.repo.get(id)) ?? row;
    return { ...presentGitSource(fresh, stack.environmentId), webhookSecret: generated };
  }

  /** The stack's Git source. */
  async get(ctx: RequestContext, stackId: number): Promise<GitSource> {
    const stack = await this.#stack(ctx, stackId, 'stacks.read');
    return presentGitSource(await this.#source(stack), stack.environmentId);
  }

  /** Changes the source; a new URL, ref or credentials are checked against the Git server first. Automatic redeploys then act as the caller. */
  async update(ctx: RequestContext, stackId: number, body: UpdateGitSource): Promise<GitSource> {
    const d = this.#d;
    const stack = await this.#stack(ctx, stackId, 'stacks.deploy');
    const principal = requirePrincipal(ctx);
    const found = await this.#source(stack);
    const id = Number(found.id);
    const spec = {
      url: body.url ?? found.url,
      ref: body.ref ?? found.ref,
      composePath: body.composePath ?? found.composePath,
      extraPaths: body.extraPaths ?? (JSON.parse(found.extraPaths) as string[]),
      auth: body.auth ? toGitAuth(body.auth) : this.#storedAuth(found),
    };
    const reaches = body.url !== undefined || body.ref !== undefined || body.auth !== undefined || body.composePath !== undefined || body.extraPaths !== undefined;
    const probeDir = reaches ? await d.engine.probe(spec) : null;
    let row: GitSourceRow;
    try {
      row = await d.audit.transact(ctx, async (trx, audit) => {
        const changes: GitSourceChanges = {
          ...(body.url !== undefined ? { url: body.url } : {}),
          ...(body.ref !== undefined ? { ref: body.ref } : {}),
          ...(body.composePath !== undefined ? { composePath: body.composePath } : {}),
          ...(body.extraPaths !== undefined ? { extraPaths: JSON.stringify(body.extraPaths) } : {}),
          ...(body.auth !== undefined ? this.#sealAuth(stackId, body.auth) : {}),
          ...(body.pollIntervalSeconds !== undefined ? { pollIntervalSeconds: body.pollIntervalSeconds } : {}),
          ...(body.webhookSecret !== undefined ? { webhookSecret: body.webhookSecret === null ? null : d.secrets.seal(body.webhookSecret, sealContext(stackId, 'webhook')) } : {}),
          ...(reaches ? { lastError: null, lastErrorAt: null, consecutiveFailures: 0 } : {}),
          actorId: principal.userId,
          updatedAt: this.#now().toISOString(),
        };
        const updated = await d.repo.update(id, changes, trx);
        if (!updated) throw notFound('git source', id);
        audit.targetType = 'stack';
        audit.targetId = String(stackId);
        // Which fields changed, never secret values.
        audit.details = {
          gitSourceId: id,
          changed: Object.keys(body),
          ...(body.url !== undefined ? { url: body.url } : {}),
          ...(body.ref !== undefined ? { ref: body.ref } : {}),
          ...(body.auth !== undefined ? { auth: body.auth.kind } : {}),
          ...(body.webhookSecret !== undefined ? { webhook: body.webhookSecret !== null } : {}),
        };
        return updated;
      });
    } catch (e) {
      if (probeDir) d.engine.dropCache(probeDir);
      throw e;
    }
    if (probeDir) d.engine.adoptCache(probeDir, id);
    d.engine.schedule(row);
    return presentGitSource(row, stack.environmentId);
  }

  /** Detaches the stack from Git (the stack and its versions stay); the server's cache of the repository goes. */
  async remove(ctx: RequestContext, stackId: number): Promise<void> {
    const d = this.#d;
    const stack = await this.#stack(ctx, stackId, 'stacks.deploy');
    const found = await this.#source(stack);
    await d.audit.transact(ctx, async (trx, audit) => {
      await d.repo.delete(trx, Number(found.id));
      await d.repo.setStackSource(trx, stackId, 'editor');
      audit.targetType = 'stack';
      audit.targetId = String(stackId);
      audit.details = { gitSourceId: Number(found.id), url: found.url, ref: found.ref };
    });
    await d.engine.forget(Number(found.id));
  }

  /** Fetches now and redeploys when the stack's files changed (or always with `redeploy`, from the last good checkout if the Git server is down). */
  async sync(ctx: RequestContext, stackId: number, body: SyncGitSource): Promise<GitSyncResult> {
    const d = this.#d;
    const stack = await this.#stack(ctx, stackId, 'stacks.deploy');
    const principal = requirePrincipal(ctx);
    const found = await this.#source(stack);
    const id = Number(found.id);
    if (ctx.audit) {
      ctx.audit.targetType = 'stack';
      ctx.audit.targetId = String(stackId);
      ctx.audit.details = { gitSourceId: id, redeploy: body.redeploy };
    }
    const outcome = await d.engine.sync(id, { trigger: 'manual', force: body.redeploy, actorUserId: principal.userId });
    if (ctx.audit) Object.assign(ctx.audit.details, { commit: outcome.commit, redeployed: outcome.decision.redeploy, reason: outcome.decision.reason, fetched: outcome.fetched });
    const row = (await d.repo.get(id)) ?? found;
    return {
      source: presentGitSource(row, stack.environmentId),
      commit: outcome.commit,
      fetched: outcome.fetched,
      fetchError: outcome.fetchError,
      redeployed: outcome.decision.redeploy,
      reason: outcome.decision.reason,
      changedPaths: outcome.decision.paths,
    };
  }

  /**
   * A webhook delivery: verified against the source's secret over the raw body, then a fetch is
   * started (the delivery's content is never trusted, so a replay costs one fetch at most).
   * Unknown sources, sources without a webhook and bad signatures all answer the same 401.
   */
  async webhook(ctx: RequestContext, id: number, headers: Readonly<Record<string, string | string[] | undefined>>, rawBody: Buffer): Promise<{ accepted: true }> {
    const d = this.#d;
    const row = await d.repo.get(id);
    if (ctx.audit) {
      ctx.audit.targetType = 'git_source';
      ctx.audit.targetId = String(id);
    }
    let verdict: ReturnType<typeof verifyWebhook> = { ok: false, reason: 'mismatch' };
    if (row?.webhookSecret) {
      let secret: string | null = null;
      try {
        secret = d.secrets.open(row.webhookSecret, sealContext(Number(row.stackId), 'webhook'));
      } catch (e) {
        // The sender cannot fix this; whoever reads the source can.
        await d.repo.recordFailure(id, `webhook refused: ${e instanceof Error ? e.message : String(e)}`, this.#now().toISOString());
      }
      if (secret !== null) verdict = verifyWebhook(secret, headers, rawBody);
    }
    if (!row || !verdict.ok) {
      if (ctx.audit) ctx.audit.details = { reason: verdict.ok ? 'mismatch' : verdict.reason };
      throw new AppError(
        'webhook_signature_invalid',
        verdict.ok || verdict.reason !== 'missing'
          ? 'the webhook signature does not verify: sign the raw body with HMAC-SHA256 and the source\'s webhook secret (X-Hub-Signature-256: sha256=<hex>)'
          : 'the webhook is not signed: send X-Hub-Signature-256 (sha256=<hex> HMAC of the body), X-Gitea-Signature or X-Gitlab-Token',
      );
    }
    if (ctx.audit) ctx.audit.details = { scheme: verdict.scheme, stackId: Number(row.stackId) };
    void d.engine.auto(id, 'webhook');
    return { accepted: true };
  }
}
