import { z } from 'zod';

/**
 * The one permission catalogue. Every route declares one of these; roles are sets of
 * them. `scope` says what a permission is checked against: the whole instance
 * (`global`, only administrators hold those unless noted) or one environment.
 * `mutating` permissions are refused to read-only API keys.
 */
export const PERMISSIONS = {
  // Anything an authenticated principal may do to itself (own keys, own password, logout).
  'self.manage': { scope: 'self', mutating: true, description: 'Manage own session, password and API keys' },
  'self.read': { scope: 'self', mutating: false, description: 'Read own profile and effective access' },

  'users.read': { scope: 'global', mutating: false, description: 'List and inspect users' },
  'users.manage': { scope: 'global', mutating: true, description: 'Create, update, disable and delete users' },
  'teams.read': { scope: 'global', mutating: false, description: 'List and inspect teams' },
  'teams.manage': { scope: 'global', mutating: true, description: 'Create and delete teams, change members' },
  'environments.create': { scope: 'global', mutating: true, description: 'Create environments' },
  'groups.manage': { scope: 'global', mutating: true, description: 'Create, update and delete environment groups' },
  'tags.manage': { scope: 'global', mutating: true, description: 'Create and delete tags' },
  'roles.assign': { scope: 'global', mutating: true, description: 'Grant and revoke roles on any scope' },
  'audit.read': { scope: 'global', mutating: false, description: 'Read the audit log' },
  'system.metrics': { scope: 'global', mutating: false, description: 'Scrape Prometheus metrics' },
  'templates.manage': { scope: 'global', mutating: true, description: 'Create, update and delete custom app templates; refresh the catalogue' },
  // Registry definitions hold credentials every agent may be handed: administrators only (never the password).
  'registries.read': { scope: 'global', mutating: false, description: 'List and inspect registry definitions (without passwords)' },
  'registries.manage': { scope: 'global', mutating: true, description: 'Create, update, delete and test registry definitions' },

  'environment.read': { scope: 'environment', mutating: false, description: 'See the environment and its state' },
  'environment.update': { scope: 'environment', mutating: true, description: 'Rename, retag, regroup the environment' },
  'environment.delete': { scope: 'environment', mutating: true, description: 'Delete the environment' },
  'environment.access': { scope: 'environment', mutating: true, description: 'Grant and revoke roles on the environment' },
  'environment.members': { scope: 'environment', mutating: false, description: 'See who holds roles on the environment' },
  'docker.read': { scope: 'environment', mutating: false, description: 'List and inspect containers, images, volumes, networks' },
  'containers.logs': { scope: 'environment', mutating: false, description: 'Read container logs' },
  'containers.operate': { scope: 'environment', mutating: true, description: 'Start, stop, restart, kill containers' },
  'containers.exec': { scope: 'environment', mutating: true, description: 'Open a console or attach to containers' },
  'containers.manage': { scope: 'environment', mutating: true, description: 'Create, update and remove containers' },
  'images.manage': { scope: 'environment', mutating: true, description: 'Pull, build and remove images' },
  'volumes.manage': { scope: 'environment', mutating: true, description: 'Create and remove volumes' },
  'networks.manage': { scope: 'environment', mutating: true, description: 'Create and remove networks' },
  'stacks.read': { scope: 'environment', mutating: false, description: 'See stacks, versions and plans' },
  'stacks.deploy': { scope: 'environment', mutating: true, description: 'Create, deploy and roll back stacks' },
  'stacks.delete': { scope: 'environment', mutating: true, description: 'Delete stacks' },
  'agents.manage': { scope: 'environment', mutating: true, description: 'Create join tokens; rotate and revoke the Edge Agent credentials' },
} as const satisfies Record<
  string,
  { scope: 'self' | 'global' | 'environment'; mutating: boolean; description: string }
>;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];
export const PermissionSchema = z.enum(PERMISSION_NAMES as [Permission, ...Permission[]]);

/** Permissions checked against one environment (or the group holding it). */
export const ENVIRONMENT_PERMISSIONS = PERMISSION_NAMES.filter((p) => PERMISSIONS[p].scope === 'environment');

/** Roles assignable per environment or environment group. Global administrator is a user flag, not a role. */
export const ROLE_NAMES = ['environment_admin', 'operator', 'helpdesk', 'standard_user', 'readonly'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];
export const RoleNameSchema = z.enum(ROLE_NAMES);

type EnvPermission = (typeof ENVIRONMENT_PERMISSIONS)[number];

const READ: EnvPermission[] = ['environment.read', 'docker.read', 'stacks.read'];

/** What each role holds. A principal holding several roles on an environment gets their union. */
export const ROLES: Record<RoleName, { displayName: string; description: string; permissions: readonly EnvPermission[] }> = {
  environment_admin: {
    displayName: 'Environment administrator',
    description: 'Everything inside the environment, including who has access to it',
    permissions: ENVIRONMENT_PERMISSIONS,
  },
  standard_user: {
    displayName: 'Standard user',
    description: 'Deploys and manages workloads; cannot change the environment or its access',
    permissions: [
      ...READ,
      'containers.logs',
      'containers.operate',
      'containers.exec',
      'containers.manage',
      'images.manage',
      'volumes.manage',
      'networks.manage',
      'stacks.deploy',
      'stacks.delete',
    ],
  },
  operator: {
    displayName: 'Operator',
    description: 'Operates running workloads (start, stop, console) but creates nothing',
    permissions: [...READ, 'containers.logs', 'containers.operate', 'containers.exec'],
  },
  helpdesk: {
    displayName: 'Helpdesk',
    description: 'Sees everything including logs, changes nothing, no console',
    permissions: [...READ, 'containers.logs'],
  },
  readonly: {
    displayName: 'Read-only user',
    description: 'Sees resources and stacks; no logs, no changes',
    permissions: [...READ],
  },
};

/** True when `role` includes `permission`. */
export function roleGrants(role: RoleName, permission: Permission): boolean {
  return (ROLES[role].permissions).includes(permission);
}
