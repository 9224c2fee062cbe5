import { describe, expect, it } from 'vitest';
import type { Permission, RoleName } from '@capstan/protocol';
import { decide, rolesOn, type EnvironmentRef, type Grants } from './access.policy.ts';

function grants(env: Record<number, RoleName[]>, groups: Record<number, RoleName[]> = {}): Grants {
  return {
    environments: new Map(Object.entries(env).map(([k, v]) => [Number(k), v])),
    groups: new Map(Object.entries(groups).map(([k, v]) => [Number(k), v])),
  };
}

const E1: EnvironmentRef = { id: 1, groupId: 10 };
const E2: EnvironmentRef = { id: 2, groupId: null };

function allowed(g: Grants, p: Permission, env = E1, extra: { isAdmin?: boolean; readOnly?: boolean } = {}): boolean {
  return decide({ isAdmin: extra.isAdmin ?? false, readOnly: extra.readOnly ?? false, grants: g }, p, env).allowed;
}

describe('decide', () => {
  it('lets administrators do everything except mutations with a read-only key', () => {
    const g = grants({});
    expect(allowed(g, 'users.manage', E1, { isAdmin: true })).toBe(true);
    expect(allowed(g, 'environment.delete', E2, { isAdmin: true })).toBe(true);
    expect(allowed(g, 'users.read', E1, { isAdmin: true, readOnly: true })).toBe(true);
    expect(decide({ isAdmin: true, readOnly: true, grants: g }, 'users.manage', null)).toEqual({
      allowed: false,
      reason: 'read_only_key',
    });
  });

  it('keeps global permissions for administrators', () => {
    const d = decide({ isAdmin: false, readOnly: false, grants: grants({ 1: ['environment_admin'] }) }, 'environments.create', null);
    expect(d).toEqual({ allowed: false, reason: 'admin_only' });
  });

  it('gives every authenticated principal its self permissions', () => {
    expect(allowed(grants({}), 'self.manage')).toBe(true);
    expect(allowed(grants({}), 'self.manage', E1, { readOnly: true })).toBe(false);
  });

  it('answers by role on the environment', () => {
    const table: Array<[RoleName, Permission, boolean]> = [
      ['environment_admin', 'environment.access', true],
      ['standard_user', 'environment.access', false],
      ['standard_user', 'stacks.deploy', true],
      ['operator', 'containers.operate', true],
      ['operator', 'containers.manage', false],
      ['helpdesk', 'containers.logs', true],
      ['helpdesk', 'containers.exec', false],
      ['readonly', 'docker.read', true],
      ['readonly', 'containers.logs', false],
    ];
    for (const [role, perm, want] of table) expect(allowed(grants({ 1: [role] }), perm), `${role} ${perm}`).toBe(want);
  });

  it('distinguishes no access from a role that lacks the permission', () => {
    expect(decide({ isAdmin: false, readOnly: false, grants: grants({}) }, 'docker.read', E1)).toEqual({
      allowed: false,
      reason: 'no_access',
    });
    expect(decide({ isAdmin: false, readOnly: false, grants: grants({ 1: ['readonly'] }) }, 'stacks.deploy', E1)).toEqual({
      allowed: false,
      reason: 'role_lacks_permission',
    });
  });

  it('grants through the environment group and takes the union of roles', () => {
    const g = grants({ 1: ['readonly'] }, { 10: ['operator'] });
    expect(rolesOn(g, E1).sort()).toEqual(['operator', 'readonly']);
    expect(allowed(g, 'containers.exec')).toBe(true);
    expect(allowed(g, 'containers.exec', E2)).toBe(false);
  });

  it('treats list routes (no environment) as allowed, to be filtered by visibility', () => {
    expect(decide({ isAdmin: false, readOnly: false, grants: grants({}) }, 'environment.read', null).allowed).toBe(true);
  });
});
