import {
  PERMISSIONS,
  PERMISSION_NAMES,
  ROLES,
  ROLE_NAMES,
  type CreateRoleAssignment,
  type MeResponse,
  type Permission,
  type RoleAssignment,
  type RoleAssignmentQuery,
  type RoleList,
  type RoleName,
} from '@capstan/protocol';
import { AppError, notFound } from '../../errors.ts';
import type { Principal, RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { decide, rolesGranting, type EnvironmentRef, type Grants } from './access.policy.ts';
import type { AccessRepository } from './access.repository.ts';
import { BoundedCache } from '../../lib/bounded-cache.ts';

/** Environments a non-administrator may see: those granted directly or through a group. */
export interface Visibility {
  environmentIds: number[];
  groupIds: number[];
}

const REASONS = {
  read_only_key: 'this API key is read-only',
  admin_only: 'only administrators may do this',
  no_access: 'you have no role on this environment',
  role_lacks_permission: 'your role on this environment does not allow it',
} as const;

/**
 * Authorization: caches each user's grants and each environment's group, asks the pure
 * policy, and manages role assignments. Writes that change access call `invalidate`.
 */
export class AccessService {
  private readonly repo: AccessRepository;
  private readonly audit: AuditService;
  // Bounded so memory does not grow with every user that ever called.
  private readonly grantsCache: BoundedCache<number, Grants>;
  private readonly envCache = new Map<number, number | null>();

  constructor(repo: AccessRepository, audit: AuditService, maxCachedUsers = 20_000) {
    this.repo = repo;
    this.audit = audit;
    this.grantsCache = new BoundedCache(maxCachedUsers);
  }

  /** Forget cached grants (assignments or team membership changed). */
  invalidate(): void {
    this.grantsCache.clear();
  }

  /** Forget one environment's cached group (moved or deleted). */
  forgetEnvironment(id: number): void {
    this.envCache.delete(id);
  }

  async grants(userId: number): Promise<Grants> {
    const cached = this.grantsCache.get(userId);
    if (cached) return cached;
    const environments = new Map<number, RoleName[]>();
    const groups = new Map<number, RoleName[]>();
    for (const a of await this.repo.assignmentsForUser(userId)) {
      const map = a.scopeType === 'environment' ? environments : groups;
      const list = map.get(a.scopeId) ?? [];
      if (!list.includes(a.role as RoleName)) list.push(a.role as RoleName);
      map.set(a.scopeId, list);
    }
    const grants: Grants = { environments, groups };
    this.grantsCache.set(userId, grants);
    return grants;
  }

  /** The environment and its group; null when it does not exist. */
  private async environment(id: number): Promise<EnvironmentRef | null> {
    if (!this.envCache.has(id)) {
      const row = await this.repo.environmentGroup(id);
      if (!row) return null;
      this.envCache.set(id, row.groupId);
    }
    return { id, groupId: this.envCache.get(id) ?? null };
  }

  /** Throws `forbidden` (or `read_only_key`) unless `principal` holds `permission` (on `environmentId`). */
  async authorize(principal: Principal, permission: Permission, environmentId: number | null): Promise<void> {
    const env = environmentId === null ? null : await this.environment(environmentId);
    if (environmentId !== null && env === null) {
      // Only administrators learn that an id does not exist; others cannot probe for ids.
      if (principal.isAdmin) throw notFound('environment', environmentId);
      throw new AppError('forbidden', `you have no role on environment ${environmentId}`, { permission });
    }
    const grants = principal.isAdmin ? { environments: new Map(), groups: new Map() } : await this.grants(principal.userId);
    const d = decide({ isAdmin: principal.isAdmin, readOnly: principal.readOnly, grants }, permission, env);
    if (d.allowed) return;
    const where = env ? ` on environment ${env.id}` : '';
    const hint =
      d.reason === 'read_only_key'
        ? 'use a key without the read-only scope'
        : d.reason === 'admin_only'
          ? 'ask an administrator'
          : `roles that allow it: ${rolesGranting(permission).map((r) => ROLES[r].displayName).join(', ')}`;
    throw new AppError(d.reason === 'read_only_key' ? 'read_only_key' : 'forbidden', `${REASONS[d.reason]}: "${permission}"${where} is needed (${hint})`, {
      permission,
    });
  }

  /** True when the principal may exercise `permission` on the environment. */
  async can(principal: Principal, permission: Permission, environmentId: number): Promise<boolean> {
    return this.authorize(principal, permission, environmentId).then(
      () => true,
      (e: unknown) => {
        if (e instanceof AppError && (e.code === 'forbidden' || e.code === 'read_only_key')) return false;
        throw e;
      },
    );
  }

  /** null for administrators (everything), else the environments and groups the principal may see. */
  async visibility(principal: Principal): Promise<Visibility | null> {
    if (principal.isAdmin) return null;
    const g = await this.grants(principal.userId);
    return { environmentIds: [...g.environments.keys()], groupIds: [...g.groups.keys()] };
  }

  /** The caller's identity and effective access. */
  async me(principal: Principal): Promise<Pick<MeResponse, 'permissions' | 'environmentRoles' | 'groupRoles'>> {
    const g: Grants = principal.isAdmin ? { environments: new Map(), groups: new Map() } : await this.grants(principal.userId);
    const permissions = PERMISSION_NAMES.filter((p) => {
      const spec = PERMISSIONS[p];
      if (principal.readOnly && spec.mutating) return false;
      return spec.scope === 'self' || principal.isAdmin;
    });
    return {
      permissions,
      environmentRoles: [...g.environments].map(([environmentId, roles]) => ({ environmentId, roles: [...roles] })),
      groupRoles: [...g.groups].map(([groupId, roles]) => ({ groupId, roles: [...roles] })),
    };
  }

  roles(): RoleList {
    return {
      items: ROLE_NAMES.map((name) => ({ name, ...ROLES[name], permissions: [...ROLES[name].permissions] })),
      permissions: PERMISSION_NAMES.map((name) => ({ name, ...PERMISSIONS[name] })),
    };
  }

  async listAssignments(ctx: RequestContext, q: RoleAssignmentQuery): Promise<{ items: RoleAssignment[] }> {
    const p = requirePrincipal(ctx);
    if (!p.isAdmin) {
      // Non-administrators see assignments of environments they administer only.
      if (q.scopeType !== 'environment' || q.scopeId === undefined) {
        throw new AppError('forbidden', 'only administrators may list all assignments: filter by scopeType=environment&scopeId=N');
      }
      await this.authorize(p, 'environment.members', q.scopeId);
    }
    return { items: await this.repo.list(q) };
  }

  /** Grants a role; environment administrators may grant on their environment, groups need an administrator. */
  async grant(ctx: RequestContext, body: CreateRoleAssignment): Promise<RoleAssignment> {
    const p = requirePrincipal(ctx);
    if (body.scope.type === 'group') await this.authorize(p, 'roles.assign', null);
    else await this.authorize(p, 'environment.access', body.scope.id);
    if (!(await this.repo.scopeExists(body.scope.type, body.scope.id))) throw notFound(body.scope.type, body.scope.id);
    if (!(await this.repo.principalExists(body.principal.type, body.principal.id))) throw notFound(body.principal.type, body.principal.id);
    const created = await this.audit.transact(ctx, async (trx, audit) => {
      const row = await this.repo.upsert(trx, body);
      audit.targetType = 'role_assignment';
      audit.targetId = String(row.id);
      audit.details = { principal: body.principal, scope: body.scope, role: body.role };
      return row;
    });
    this.invalidate();
    return created;
  }

  async revoke(ctx: RequestContext, id: number): Promise<void> {
    const p = requirePrincipal(ctx);
    const existing = await this.repo.findById(id);
    if (!existing) throw notFound('role assignment', id);
    await this.authorize(p, existing.scope.type === 'group' ? 'roles.assign' : 'environment.access', existing.scope.type === 'group' ? null : existing.scope.id);
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.targetType = 'role_assignment';
      audit.details = { principal: existing.principal, scope: existing.scope, role: existing.role };
      await this.repo.delete(trx, id);
    });
    this.invalidate();
  }
}
