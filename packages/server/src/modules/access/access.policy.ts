import { PERMISSIONS, ROLES, ROLE_NAMES, type Permission, type RoleName } from '@capstan/protocol';

/** Roles a principal holds, per environment and per environment group (team roles included). */
export interface Grants {
  environments: ReadonlyMap<number, readonly RoleName[]>;
  groups: ReadonlyMap<number, readonly RoleName[]>;
}

export interface Subject {
  isAdmin: boolean;
  readOnly: boolean;
  grants: Grants;
}

/** Where an environment-scoped permission is being exercised. */
export interface EnvironmentRef {
  id: number;
  groupId: number | null;
}

export type Decision =
  | { allowed: true }
  | { allowed: false; reason: 'read_only_key' | 'admin_only' | 'no_access' | 'role_lacks_permission' };

const ROLE_SETS = new Map<RoleName, ReadonlySet<Permission>>(
  ROLE_NAMES.map((r) => [r, new Set<Permission>(ROLES[r].permissions)]),
);

/** Every role the subject holds on `env`, directly or through its group. */
export function rolesOn(grants: Grants, env: EnvironmentRef): RoleName[] {
  const direct = grants.environments.get(env.id) ?? [];
  const viaGroup = env.groupId === null ? [] : (grants.groups.get(env.groupId) ?? []);
  return viaGroup.length === 0 ? [...direct] : [...new Set([...direct, ...viaGroup])];
}

/**
 * The one authorization decision. `env` is the environment an environment-scoped permission
 * applies to; null for global and self permissions, and for list routes (which filter by `canSee`).
 */
export function decide(subject: Subject, permission: Permission, env: EnvironmentRef | null): Decision {
  const spec = PERMISSIONS[permission];
  if (subject.readOnly && spec.mutating) return { allowed: false, reason: 'read_only_key' };
  if (spec.scope === 'self' || subject.isAdmin) return { allowed: true };
  if (spec.scope === 'global') return { allowed: false, reason: 'admin_only' };
  if (env === null) return { allowed: true };
  const roles = rolesOn(subject.grants, env);
  if (roles.length === 0) return { allowed: false, reason: 'no_access' };
  return roles.some((r) => ROLE_SETS.get(r)?.has(permission)) ? { allowed: true } : { allowed: false, reason: 'role_lacks_permission' };
}

/** Roles that include `permission`, for error messages. */
export function rolesGranting(permission: Permission): RoleName[] {
  return ROLE_NAMES.filter((r) => ROLE_SETS.get(r)?.has(permission));
}
