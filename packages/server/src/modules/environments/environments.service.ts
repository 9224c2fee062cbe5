import type { CreateEnvironment, Environment, EnvironmentListQuery, EnvironmentPage, UpdateEnvironment } from '@capstan/protocol';
import { AppError, notFound } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import type { AccessRepository } from '../access/access.repository.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { EnvironmentsRepository } from './environments.repository.ts';

/** Environments: the managed engines, organised by group and tags. */
export class EnvironmentsService {
  private readonly repo: EnvironmentsRepository;
  private readonly accessRepo: AccessRepository;
  private readonly access: AccessService;
  private readonly audit: AuditService;
  private readonly present: (env: Environment) => Environment;
  private readonly modeListeners = new Set<(environmentId: number, env: Environment | null) => void>();

  constructor(deps: {
    repo: EnvironmentsRepository;
    accessRepo: AccessRepository;
    access: AccessService;
    audit: AuditService;
    /** Lays state kept in memory over a stored view (polls not yet written, async status). */
    present?: (env: Environment) => Environment;
  }) {
    this.present = deps.present ?? ((env) => env);
    this.repo = deps.repo;
    this.accessRepo = deps.accessRepo;
    this.access = deps.access;
    this.audit = deps.audit;
  }

  /** Calls `listener` after an environment was created, updated (its committed view) or deleted (null). */
  onModeChanged(listener: (environmentId: number, env: Environment | null) => void): () => void {
    this.modeListeners.add(listener);
    return () => this.modeListeners.delete(listener);
  }

  private changed(environmentId: number, env: Environment | null): void {
    for (const listener of this.modeListeners) listener(environmentId, env);
  }

  /** The environments the caller may see, filtered and paged. */
  async list(ctx: RequestContext, q: EnvironmentListQuery): Promise<EnvironmentPage> {
    const visible = await this.access.visibility(requirePrincipal(ctx));
    const page = await this.repo.list(q, visible);
    return { items: page.items.map(this.present), total: page.total, limit: q.limit, offset: q.offset };
  }

  async get(id: number): Promise<Environment> {
    const env = await this.repo.get(id);
    if (!env) throw notFound('environment', id);
    return this.present(env);
  }

  private async checkRefs(name: string | undefined, groupId: number | null | undefined, tagIds: number[] | undefined, selfId?: number): Promise<void> {
    if (name !== undefined && (await this.repo.nameTaken(name, selfId))) {
      throw new AppError('conflict', `an environment named "${name}" exists: choose another name`);
    }
    if (groupId !== undefined && groupId !== null && !(await this.repo.groupExists(groupId))) {
      throw new AppError('not_found', `environment group ${groupId} does not exist: create it first or use groupId null`);
    }
    const missing = tagIds ? await this.repo.missingTags(tagIds) : [];
    if (missing.length > 0) throw new AppError('not_found', `no tag with id ${missing.join(', ')}: create tags with POST /api/environments/tags`);
  }

  async create(ctx: RequestContext, body: CreateEnvironment): Promise<Environment> {
    const tagIds = [...new Set(body.tagIds)];
    await this.checkRefs(body.name, body.groupId, tagIds);
    const created = await this.audit.transact(ctx, async (trx, audit) => {
      const id = await this.repo.insert(trx, body);
      await this.repo.setTags(trx, id, tagIds);
      audit.targetType = 'environment';
      audit.targetId = String(id);
      audit.details = { name: body.name, groupId: body.groupId, tagIds, mode: body.mode, pollIntervalSeconds: body.pollIntervalSeconds };
      const env = await this.repo.get(id, trx);
      if (!env) throw notFound('environment', id);
      return env;
    });
    this.changed(created.id, created);
    return created;
  }

  async update(ctx: RequestContext, id: number, body: UpdateEnvironment): Promise<Environment> {
    await this.get(id);
    const tagIds = body.tagIds ? [...new Set(body.tagIds)] : undefined;
    // Authorize before checking references, so the answer does not reveal which group ids exist.
    if (body.groupId !== undefined) await this.access.authorize(requirePrincipal(ctx), 'groups.manage', null);
    await this.checkRefs(body.name, body.groupId, tagIds, id);
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { changes: body };
      const { tagIds: _t, ...fields } = body;
      if (Object.keys(fields).length > 0) await this.repo.update(trx, id, fields);
      if (tagIds) await this.repo.setTags(trx, id, tagIds);
    });
    this.access.forgetEnvironment(id);
    const updated = await this.get(id);
    this.changed(id, updated);
    return updated;
  }

  async delete(ctx: RequestContext, id: number): Promise<void> {
    const env = await this.get(id);
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { name: env.name };
      await this.accessRepo.deleteFor(trx, 'scope', 'environment', id);
      await this.repo.delete(trx, id);
    });
    this.access.forgetEnvironment(id);
    this.access.invalidate();
    this.changed(id, null);
  }
}
