// What the signed-in principal may do, computed from GET /api/auth/me the way the server's access
// service decides it: administrators hold everything, others the union of their roles on the
// environment and on its group; read-only API keys never mutate. Pure, so views can ask freely.
import { PERMISSIONS, ROLES, type MeResponse, type Permission, type RoleName } from '@capstan/protocol';

/** The environment a question is about: its id and group (roles on the group count too). */
export interface EnvironmentScope {
  id: number;
  groupId: number | null;
}

/** The roles the principal holds on one environment, directly, through a team, or through its group. */
export function rolesOn(me: MeResponse, env: EnvironmentScope): RoleName[] {
  const direct = me.environmentRoles.find((r) => r.environmentId === env.id)?.roles ?? [];
  const viaGroup = env.groupId === null ? [] : (me.groupRoles.find((r) => r.groupId === env.groupId)?.roles ?? []);
  return [...new Set([...direct, ...viaGroup])];
}

/** Whether the principal may do `permission` (on `env` for environment-scoped permissions). */
export function can(me: MeResponse, permission: Permission, env?: EnvironmentScope): boolean {
  const spec = PERMISSIONS[permission];
  if (me.readOnly && spec.mutating) return false;
  if (spec.scope === 'self') return true;
  // Administrators' list holds every permission (less the mutating ones on a read-only key).
  if (me.user.isAdmin || spec.scope === 'global') return me.permissions.includes(permission);
  if (!env) return false;
  return rolesOn(me, env).some((role) => ROLES[role].permissions.includes(permission));
}

/** Whether the principal may do `permission` on at least one of `envs` (e.g. to show a "Deploy" entry point). */
export function canAnywhere(me: MeResponse, permission: Permission, envs: readonly EnvironmentScope[]): boolean {
  return envs.some((env) => can(me, permission, env));
}

/** A sentence saying why an action is not offered, for a disabled control's tooltip; null when allowed. */
export function whyNot(me: MeResponse, permission: Permission, env?: EnvironmentScope): string | null {
  if (can(me, permission, env)) return null;
  const what = PERMISSIONS[permission].description.toLowerCase();
  if (me.readOnly && PERMISSIONS[permission].mutating) return `This API key is read-only: it cannot ${what}.`;
  if (PERMISSIONS[permission].scope === 'global') return `Only administrators may ${what}.`;
  const roles = env ? rolesOn(me, env) : [];
  if (roles.length === 0) return `You hold no role on this environment that allows this (${permission}).`;
  const names = roles.map((r) => ROLES[r].displayName).join(', ');
  return `Your role here (${names}) does not allow this (${permission}). Ask an environment administrator.`;
}
