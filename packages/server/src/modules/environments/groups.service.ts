import type { CreateEnvironmentGroup, EnvironmentGroup, Tag, UpdateEnvironmentGroup } from '@capstan/protocol';
import { AppError, notFound } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import type { AccessRepository } from '../access/access.repository.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { GroupsRepository } from './groups.repository.ts';

/** Environment groups (shared access) and tags (labels for filtering and targeting). */
export class GroupsService {
  private readonly repo: GroupsRepository;
  private readonly accessRepo: AccessRepository;
  private readonly access: AccessService;
  private readonly audit: AuditService;

  constructor(deps: { repo: GroupsRepository; accessRepo: AccessRepository; access: AccessService; audit: AuditService }) {
    this.repo = deps.repo;
    this.accessRepo = deps.accessRepo;
    this.access = deps.access;
    this.audit = deps.audit;
  }

  listGroups(): Promise<EnvironmentGroup[]> {
    return this.repo.listGroups();
  }

  async getGroup(id: number): Promise<EnvironmentGroup> {
    const g = await this.repo.getGroup(id);
    if (!g) throw notFound('environment group', id);
    return g;
  }

  async createGroup(ctx: RequestContext, body: CreateEnvironmentGroup): Promise<EnvironmentGroup> {
    if (await this.repo.groupNameTaken(body.name)) throw new AppError('conflict', `a group named "${body.name}" exists: choose another name`);
    return this.audit.transact(ctx, async (trx, audit) => {
      const id = await this.repo.insertGroup(trx, body.name, body.description);
      audit.targetType = 'environment_group';
      audit.targetId = String(id);
      audit.details = { name: body.name };
      const g = await this.repo.getGroup(id, trx);
      if (!g) throw notFound('environment group', id);
      return g;
    });
  }

  async updateGroup(ctx: RequestContext, id: number, body: UpdateEnvironmentGroup): Promise<EnvironmentGroup> {
    await this.getGroup(id);
    if (body.name !== undefined && (await this.repo.groupNameTaken(body.name, id))) {
      throw new AppError('conflict', `a group named "${body.name}" exists: choose another name`);
    }
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { changes: body };
      await this.repo.updateGroup(trx, id, body);
    });
    return this.getGroup(id);
  }

  /** Deletes a group; its environments stay, ungrouped, and lose the group's role assignments. */
  async deleteGroup(ctx: RequestContext, id: number): Promise<void> {
    const g = await this.getGroup(id);
    const moved = await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { name: g.name };
      await this.accessRepo.deleteFor(trx, 'scope', 'group', id);
      return this.repo.deleteGroup(trx, id);
    });
    moved.forEach((envId) => this.access.forgetEnvironment(envId));
    this.access.invalidate();
  }

  listTags(): Promise<Tag[]> {
    return this.repo.listTags();
  }

  async createTag(ctx: RequestContext, name: string): Promise<Tag> {
    if (await this.repo.tagNameTaken(name)) throw new AppError('conflict', `tag "${name}" exists`);
    return this.audit.transact(ctx, async (trx, audit) => {
      const tag = await this.repo.insertTag(trx, name);
      audit.targetType = 'tag';
      audit.targetId = String(tag.id);
      audit.details = { name };
      return tag;
    });
  }

  async deleteTag(ctx: RequestContext, id: number): Promise<void> {
    const tag = await this.repo.getTag(id);
    if (!tag) throw notFound('tag', id);
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { name: tag.name };
      await this.repo.deleteTag(trx, id);
    });
  }
}
