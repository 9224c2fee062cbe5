import type { MeResponse } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { safeNext } from './next.ts';
import { can, rolesOn, whyNot } from './permissions.ts';

const user = (isAdmin: boolean) => ({ id: 2, username: 'u', isAdmin, disabled: false, createdAt: '2026-01-01T00:00:00.000Z' }) as unknown as MeResponse['user'];

const me = (over: Partial<MeResponse>): MeResponse => ({
  user: user(false),
  authMethod: 'session',
  readOnly: false,
  permissions: ['self.manage', 'self.read'],
  environmentRoles: [],
  groupRoles: [],
  ...over,
});

describe('permissions', () => {
  const env = { id: 7, groupId: 3 };

  it('gives a read-only role reads and no mutations on its environment only', () => {
    const m = me({ environmentRoles: [{ environmentId: 7, roles: ['readonly'] }] });
    expect(can(m, 'docker.read', env)).toBe(true);
    expect(can(m, 'stacks.deploy', env)).toBe(false);
    expect(can(m, 'containers.operate', env)).toBe(false);
    expect(can(m, 'containers.logs', env)).toBe(false);
    expect(can(m, 'docker.read', { id: 8, groupId: null })).toBe(false);
    expect(whyNot(m, 'stacks.deploy', env)).toContain('Read-only user');
  });

  it("counts roles held on the environment's group", () => {
    const m = me({ groupRoles: [{ groupId: 3, roles: ['operator'] }] });
    expect(rolesOn(m, env)).toEqual(['operator']);
    expect(can(m, 'containers.exec', env)).toBe(true);
    expect(can(m, 'stacks.deploy', env)).toBe(false);
  });

  it('lets administrators do everything except mutations through a read-only key', () => {
    const all = ['users.manage', 'stacks.deploy', 'docker.read'] as const;
    const admin = me({ user: user(true), permissions: [...all] });
    for (const p of all) expect(can(admin, p, env)).toBe(true);
    const key = me({ user: user(true), readOnly: true, permissions: ['docker.read'] });
    expect(can(key, 'stacks.deploy', env)).toBe(false);
    expect(whyNot(key, 'stacks.deploy', env)).toMatch(/read-only/);
    expect(can(key, 'docker.read', env)).toBe(true);
  });

  it('keeps global permissions to administrators', () => {
    const m = me({ environmentRoles: [{ environmentId: 7, roles: ['environment_admin'] }] });
    expect(can(m, 'users.manage')).toBe(false);
    expect(whyNot(m, 'users.manage')).toMatch(/administrators/);
    expect(can(m, 'environment.delete', env)).toBe(true);
  });
});

describe('safeNext', () => {
  it('follows only paths of this app', () => {
    expect(safeNext('/stacks/3?tab=versions')).toBe('/stacks/3?tab=versions');
    for (const bad of [null, '', 'https://evil.example', '//evil.example', '/\\evil.example', 'stacks']) expect(safeNext(bad)).toBe('/');
  });
});
