import type { CreateTeam, Team, TeamPage } from '@capstan/protocol';
import { AppError, notFound } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import type { AccessRepository } from '../access/access.repository.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { TeamsRepository } from './teams.repository.ts';

/** Teams: named sets of users that receive roles together. */
export class TeamsService {
  private readonly repo: TeamsRepository;
  private readonly accessRepo: AccessRepository;
  private readonly access: AccessService;
  private readonly audit: AuditService;

  constructor(deps: { repo: TeamsRepository; accessRepo: AccessRepository; access: AccessService; audit: AuditService }) {
    this.repo = deps.repo;
    this.accessRepo = deps.accessRepo;
    this.access = deps.access;
    this.audit = deps.audit;
  }

  async list(limit: number, offset: number): Promise<TeamPage> {
    return { ...(await this.repo.list(limit, offset)), limit, offset };
  }

  async get(id: number): Promise<Team> {
    const team = await this.repo.get(id);
    if (!team) throw notFound('team', id);
    return team;
  }

  async create(ctx: RequestContext, body: CreateTeam): Promise<Team> {
    if (await this.repo.nameTaken(body.name)) throw new AppError('conflict', `a team named "${body.name}" exists: choose another name`);
    const memberIds = [...new Set(body.memberIds)];
    await this.assertUsers(memberIds, 'check memberIds');
    return this.audit.transact(ctx, async (trx, audit) => {
      const id = await this.repo.insert(trx, body.name);
      await this.repo.addMembers(trx, id, memberIds);
      audit.targetType = 'team';
      audit.targetId = String(id);
      audit.details = { name: body.name, memberIds };
      const team = await this.repo.get(id, trx);
      if (!team) throw notFound('team', id);
      return team;
    });
  }

  async rename(ctx: RequestContext, id: number, name: string): Promise<Team> {
    await this.get(id);
    if (await this.repo.nameTaken(name, id)) throw new AppError('conflict', `a team named "${name}" exists: choose another name`);
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { name };
      await this.repo.rename(trx, id, name);
    });
    return this.get(id);
  }

  async delete(ctx: RequestContext, id: number): Promise<void> {
    const team = await this.get(id);
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { name: team.name };
      await this.accessRepo.deleteFor(trx, 'principal', 'team', id);
      await this.repo.delete(trx, id);
    });
    this.access.invalidate();
  }

  async addMember(ctx: RequestContext, id: number, userId: number): Promise<Team> {
    await this.get(id);
    await this.assertUsers([userId], 'check the user id in the path');
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { userId };
      await this.repo.addMembers(trx, id, [userId]);
    });
    this.access.invalidate();
    return this.get(id);
  }

  async removeMember(ctx: RequestContext, id: number, userId: number): Promise<void> {
    await this.get(id);
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { userId };
      if (!(await this.repo.removeMember(trx, id, userId))) throw new AppError('not_found', `user ${userId} is not a member of team ${id}`);
    });
    this.access.invalidate();
  }

  private async assertUsers(ids: number[], hint: string): Promise<void> {
    const missing = await this.repo.missingUsers(ids);
    if (missing.length > 0) throw new AppError('not_found', `no user with id ${missing.join(', ')}: ${hint}`);
  }
}
