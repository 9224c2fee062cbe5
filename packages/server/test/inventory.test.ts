import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/databases.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

describe.each(DIALECTS)('users, teams, environments, groups and tags (%s)', (dialect) => {
  let h: Harness;
  afterEach(async () => {
    await h?.expectAllAudited();
    await h?.close();
  });

  it('manages users and never leaves the instance without an active administrator', async () => {
    h = await createHarness(dialect);
    const admin = await h.setupAdmin();
    const dup = await h.call({ method: 'POST', url: '/api/users', token: admin, body: { username: 'ADMIN', password: 'long enough password' } });
    expect(dup.status).toBe(409);
    expect(dup.body.detail).toMatch(/taken/);
    const weak = await h.call({ method: 'POST', url: '/api/users', token: admin, body: { username: 'carol', password: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.body.issues[0]).toMatchObject({ location: 'body', path: 'password' });
    const me = (await h.call({ method: 'GET', url: '/api/auth/me', token: admin })).body.user;
    const demote = await h.call({ method: 'PATCH', url: `/api/users/${me.id}`, token: admin, body: { isAdmin: false } });
    expect(demote.status).toBe(409);
    expect(demote.body.code).toBe('last_admin');
    expect((await h.call({ method: 'DELETE', url: `/api/users/${me.id}`, token: admin })).status).toBe(409);
    const second = await h.user(admin, 'root2', { isAdmin: true });
    expect((await h.call({ method: 'PATCH', url: `/api/users/${me.id}`, token: second.token, body: { isAdmin: false } })).status).toBe(200);
    const demoted = await h.call({ method: 'GET', url: '/api/users', token: admin });
    expect(demoted.status).toBe(403); // refused at once: the same session, no longer an administrator
    const del = await h.call({ method: 'DELETE', url: `/api/users/${me.id}`, token: second.token });
    expect(del.status).toBe(204);
    expect((await h.call({ method: 'GET', url: '/api/auth/me', token: admin })).status).toBe(401);
    const page = await h.call({ method: 'GET', url: '/api/users?limit=1', token: second.token });
    expect(page.body).toMatchObject({ total: 1, limit: 1, offset: 0 });
    expect(page.body.items[0]).not.toHaveProperty('passwordHash');
  });

  it('manages teams and their members', async () => {
    h = await createHarness(dialect);
    const admin = await h.setupAdmin();
    const a = await h.user(admin, 'a');
    const b = await h.user(admin, 'b');
    const t = await h.call({ method: 'POST', url: '/api/teams', token: admin, body: { name: 'Ops', memberIds: [a.id, a.id] } });
    expect(t.status).toBe(201);
    expect(t.body.memberIds).toEqual([a.id]);
    expect((await h.call({ method: 'POST', url: '/api/teams', token: admin, body: { name: 'ops' } })).body.code).toBe('conflict');
    expect((await h.call({ method: 'POST', url: '/api/teams', token: admin, body: { name: 'x', memberIds: [999] } })).body.code).toBe('not_found');
    const added = await h.call({ method: 'PUT', url: `/api/teams/${t.body.id}/members/${b.id}`, token: admin });
    expect(added.body.memberIds).toEqual([a.id, b.id]);
    expect((await h.call({ method: 'DELETE', url: `/api/teams/${t.body.id}/members/${a.id}`, token: admin })).status).toBe(204);
    expect((await h.call({ method: 'DELETE', url: `/api/teams/${t.body.id}/members/${a.id}`, token: admin })).body.code).toBe('not_found');
    const renamed = await h.call({ method: 'PATCH', url: `/api/teams/${t.body.id}`, token: admin, body: { name: 'Platform' } });
    expect(renamed.body).toMatchObject({ name: 'Platform', memberIds: [b.id] });
    const list = await h.call({ method: 'GET', url: '/api/teams', token: admin });
    expect(list.body.items.map((x: any) => x.name)).toEqual(['Platform']);
    expect((await h.call({ method: 'DELETE', url: `/api/teams/${t.body.id}`, token: admin })).status).toBe(204);
    expect((await h.call({ method: 'GET', url: `/api/teams/${t.body.id}`, token: admin })).status).toBe(404);
  });

  it('organises environments by group and tags, with search and paging', async () => {
    h = await createHarness(dialect);
    const admin = await h.setupAdmin();
    const g = await h.call({ method: 'POST', url: '/api/environments/groups', token: admin, body: { name: 'EU', description: 'Europe' } });
    expect(g.status).toBe(201);
    const prod = await h.call({ method: 'POST', url: '/api/environments/tags', token: admin, body: { name: 'prod' } });
    const edge = await h.call({ method: 'POST', url: '/api/environments/tags', token: admin, body: { name: 'edge' } });
    expect((await h.call({ method: 'POST', url: '/api/environments/tags', token: admin, body: { name: 'has space' } })).status).toBe(400);
    const e1 = await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'paris-1', groupId: g.body.id, tagIds: [prod.body.id, edge.body.id] } });
    expect(e1.status).toBe(201);
    expect(e1.body).toMatchObject({ name: 'paris-1', groupId: g.body.id, mode: 'standard', status: 'pending' });
    expect(e1.body.tags.map((t: any) => t.name)).toEqual(['edge', 'prod']);
    await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'berlin-1', groupId: g.body.id, mode: 'async' } });
    await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'lab', tagIds: [edge.body.id] } });
    expect((await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'x', groupId: 99 } })).body.code).toBe('not_found');
    expect((await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'x', tagIds: [99] } })).body.code).toBe('not_found');

    const names = async (q: string) =>
      (await h.call({ method: 'GET', url: `/api/environments${q}`, token: admin })).body.items.map((e: any) => e.name);
    expect(await names('')).toEqual(['paris-1', 'berlin-1', 'lab']);
    expect(await names(`?groupId=${g.body.id}`)).toEqual(['paris-1', 'berlin-1']);
    expect(await names(`?tagId=${edge.body.id}`)).toEqual(['paris-1', 'lab']);
    expect(await names('?search=BER')).toEqual(['berlin-1']);
    // Wildcards in search text match literally.
    await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'web_01' } });
    await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'webx01' } });
    expect(await names('?search=b_0')).toEqual(['web_01']);
    expect(await names('?search=%25')).toEqual([]);
    for (const n of ['web_01', 'webx01']) {
      const e = (await h.call({ method: 'GET', url: `/api/environments?search=${n}`, token: admin })).body.items[0];
      await h.call({ method: 'DELETE', url: `/api/environments/${e.id}`, token: admin });
    }
    const page = await h.call({ method: 'GET', url: '/api/environments?limit=2&offset=2', token: admin });
    expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 2 });
    expect(page.body.items.map((e: any) => e.name)).toEqual(['lab']);

    const groups = await h.call({ method: 'GET', url: '/api/environments/groups', token: admin });
    expect(groups.body.items).toEqual([expect.objectContaining({ name: 'EU', environmentCount: 2 })]);
    const upd = await h.call({ method: 'PATCH', url: `/api/environments/${e1.body.id}`, token: admin, body: { name: 'paris-01', tagIds: [], groupId: null } });
    expect(upd.body).toMatchObject({ name: 'paris-01', groupId: null, tags: [] });
    expect((await h.call({ method: 'DELETE', url: `/api/environments/tags/${edge.body.id}`, token: admin })).status).toBe(204);
    expect(await names(`?tagId=${edge.body.id}`)).toEqual([]);
    expect((await h.call({ method: 'DELETE', url: `/api/environments/groups/${g.body.id}`, token: admin })).status).toBe(204);
    const berlin = (await h.call({ method: 'GET', url: '/api/environments?search=berlin', token: admin })).body.items[0];
    expect(berlin.groupId).toBeNull();
    expect((await h.call({ method: 'DELETE', url: `/api/environments/${berlin.id}`, token: admin })).status).toBe(204);
    expect((await h.call({ method: 'GET', url: `/api/environments/${berlin.id}`, token: admin })).body.code).toBe('not_found');
  });

  it('grants roles per environment and group, to users and teams', async () => {
    h = await createHarness(dialect);
    const admin = await h.setupAdmin();
    const ann = await h.user(admin, 'ann');
    const grp = await h.call({ method: 'POST', url: '/api/environments/groups', token: admin, body: { name: 'G' } });
    const e1 = await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'e1', groupId: grp.body.id } });
    const e2 = await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'e2' } });
    const team = await h.call({ method: 'POST', url: '/api/teams', token: admin, body: { name: 'T', memberIds: [ann.id] } });
    const visible = async () => (await h.call({ method: 'GET', url: '/api/environments', token: ann.token })).body.items.map((e: any) => e.name);
    expect(await visible()).toEqual([]);
    const viaTeam = await h.call({
      method: 'POST',
      url: '/api/roles/assignments',
      token: admin,
      body: { principal: { type: 'team', id: team.body.id }, scope: { type: 'group', id: grp.body.id }, role: 'readonly' },
    });
    expect(viaTeam.status).toBe(201);
    expect(await visible()).toEqual(['e1']);
    const me = await h.call({ method: 'GET', url: '/api/auth/me', token: ann.token });
    expect(me.body.groupRoles).toEqual([{ groupId: grp.body.id, roles: ['readonly'] }]);
    const direct = await h.call({
      method: 'POST',
      url: '/api/roles/assignments',
      token: admin,
      body: { principal: { type: 'user', id: ann.id }, scope: { type: 'environment', id: e2.body.id }, role: 'environment_admin' },
    });
    expect(await visible()).toEqual(['e1', 'e2']);
    // Re-granting on the same scope replaces the role rather than adding a second one.
    const regrant = await h.call({
      method: 'POST',
      url: '/api/roles/assignments',
      token: admin,
      body: { principal: { type: 'user', id: ann.id }, scope: { type: 'environment', id: e2.body.id }, role: 'operator' },
    });
    expect(regrant.body).toMatchObject({ id: direct.body.id, role: 'operator' });
    const list = await h.call({ method: 'GET', url: `/api/roles/assignments?principalType=user&principalId=${ann.id}`, token: admin });
    expect(list.body.items).toHaveLength(1);
    // Leaving the team removes the group's access at once.
    await h.call({ method: 'DELETE', url: `/api/teams/${team.body.id}/members/${ann.id}`, token: admin });
    expect(await visible()).toEqual(['e2']);
    expect((await h.call({ method: 'DELETE', url: `/api/roles/assignments/${direct.body.id}`, token: admin })).status).toBe(204);
    expect(await visible()).toEqual([]);
    const roles = await h.call({ method: 'GET', url: '/api/roles', token: ann.token });
    expect(roles.body.items.map((r: any) => r.name)).toEqual(['environment_admin', 'operator', 'helpdesk', 'standard_user', 'readonly']);
    const unknownRole = await h.call({
      method: 'POST',
      url: '/api/roles/assignments',
      token: admin,
      body: { principal: { type: 'user', id: ann.id }, scope: { type: 'environment', id: e1.body.id }, role: 'superuser' },
    });
    expect(unknownRole.status).toBe(400);
    expect(unknownRole.body.issues[0].path).toBe('role');
  });
});
