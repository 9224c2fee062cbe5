import { ROLES, ROLE_NAMES, PERMISSIONS, PERMISSION_NAMES, type RoleList } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { adminOnlyPermissions, buildRoleMatrix } from './roleMatrix.ts';

/** The catalogue as the server answers GET /api/roles. */
const catalogue: RoleList = {
  items: ROLE_NAMES.map((name) => ({ name, ...ROLES[name], permissions: [...ROLES[name].permissions] })),
  permissions: PERMISSION_NAMES.map((name) => ({ name, ...PERMISSIONS[name] })),
};

describe('buildRoleMatrix', () => {
  const m = buildRoleMatrix(catalogue);

  it('has one column per role, in the server order', () => {
    expect(m.roles.map((r) => r.name)).toEqual([...ROLE_NAMES]);
  });

  it('lists environment permissions only, in catalogue order', () => {
    expect(m.rows.map((r) => r.permission)).toEqual(PERMISSION_NAMES.filter((p) => PERMISSIONS[p].scope === 'environment'));
    expect(m.rows.some((r) => r.permission === 'users.manage')).toBe(false);
  });

  it('marks what each role grants', () => {
    const exec = m.rows.find((r) => r.permission === 'containers.exec');
    const col = (role: string) => m.roles.findIndex((r) => r.name === role);
    expect(exec?.granted[col('operator')]).toBe(true);
    expect(exec?.granted[col('helpdesk')]).toBe(false);
    expect(m.rows.every((r) => r.granted[col('environment_admin')])).toBe(true);
    expect(exec?.area).toBe('containers');
  });

  it('keeps a permission some role holds even when it is not environment-scoped', () => {
    const odd: RoleList = {
      items: [{ name: 'readonly', displayName: 'R', description: '', permissions: ['audit.read'] }],
      permissions: [{ name: 'audit.read', scope: 'global', mutating: false, description: 'Read the audit log' }],
    };
    expect(buildRoleMatrix(odd).rows).toEqual([{ permission: 'audit.read', area: 'audit', description: 'Read the audit log', mutating: false, granted: [true] }]);
  });
});

describe('adminOnlyPermissions', () => {
  it('names the global permissions', () => {
    expect(adminOnlyPermissions(catalogue)).toContain('users.manage');
    expect(adminOnlyPermissions(catalogue)).not.toContain('self.read');
  });
});
