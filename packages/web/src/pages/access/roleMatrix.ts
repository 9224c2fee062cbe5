// The role catalogue as a matrix: one row per permission a role can hold, one column per role.
// Roles hold environment permissions only (global ones are the administrator flag), so rows are
// the catalogue's environment permissions, in catalogue order, grouped by their area.
import type { RoleList } from '@capstan/protocol';

export interface MatrixRole {
  name: string;
  displayName: string;
  description: string;
}

export interface MatrixRow {
  permission: string;
  /** The part before the dot: "containers" for containers.exec. */
  area: string;
  description: string;
  mutating: boolean;
  /** One flag per role, in the order of `roles`. */
  granted: boolean[];
}

export interface RoleMatrix {
  roles: MatrixRole[];
  rows: MatrixRow[];
}

/** Builds the matrix from GET /api/roles; roles keep the server's order (broadest first). */
export function buildRoleMatrix(list: RoleList): RoleMatrix {
  const roles = list.items.map(({ name, displayName, description }) => ({ name, displayName, description }));
  const held = list.items.map((r) => new Set<string>(r.permissions));
  const rows = list.permissions
    // Any permission some role holds is shown even if the catalogue ever scoped it otherwise.
    .filter((p) => p.scope === 'environment' || held.some((s) => s.has(p.name)))
    .map((p) => ({
      permission: p.name,
      area: p.name.split('.')[0] ?? p.name,
      description: p.description,
      mutating: p.mutating,
      granted: held.map((s) => s.has(p.name)),
    }));
  return { roles, rows };
}

/** The permissions only administrators hold (scope global), for the note under the matrix. */
export function adminOnlyPermissions(list: RoleList): string[] {
  return list.permissions.filter((p) => p.scope === 'global').map((p) => p.name);
}
