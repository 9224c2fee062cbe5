// Registry definitions on real databases (SQLite and PostgreSQL) and checks against a real private
// registry (Debian's docker-registry with htpasswd auth, plain HTTP and TLS): CRUD with the password
// sealed at rest and never answered or audited, scopes, the /test endpoint's verdicts, and image.pull
// commands carrying the credentials sealed in the command log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/databases.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { freePort } from './helpers/server-process.ts';
import { startRegistry, type RunningRegistry } from './helpers/registry.ts';

const USER = 'ci';
const PASSWORD = 'the right registry password';
const WRONG = 'a wrong registry password';

let plain: RunningRegistry;
let tls: RunningRegistry;

beforeAll(async () => {
  [plain, tls] = await Promise.all([startRegistry({ users: { [USER]: PASSWORD } }), startRegistry({ users: { [USER]: PASSWORD }, tls: true })]);
});
afterAll(async () => {
  await Promise.all([plain?.stop(), tls?.stop()]);
});

describe.each(DIALECTS)('registries (%s)', (dialect) => {
  let h: Harness;
  let admin: string;
  let envA: number;
  let envB: number;
  let groupG: number;

  const create = (body: Record<string, unknown>) => h.call({ method: 'POST', url: '/api/registries', token: admin, body });
  const patch = (id: number, body: Record<string, unknown>) => h.call({ method: 'PATCH', url: `/api/registries/${id}`, token: admin, body });
  const check = (id: number) => h.call({ method: 'POST', url: `/api/registries/${id}/test`, token: admin });
  const rawRow = (id: number) => h.store.db.selectFrom('registries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const credentials = (env: number, images: string[]) => h.app.services.registries.credentialsFor(env, images);
  let counter = 0;
  const fresh = async (extra: Record<string, unknown> = {}): Promise<number> => {
    const r = await create({ name: `reg-${++counter}`, host: `reg${counter}.example.test:5000`, username: USER, password: PASSWORD, ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  };

  beforeAll(async () => {
    h = await createHarness(dialect);
    admin = await h.setupAdmin();
    groupG = (await h.call({ method: 'POST', url: '/api/environments/groups', token: admin, body: { name: 'G' } })).body.id;
    envA = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'A' } })).body.id;
    envB = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'B', groupId: groupG } })).body.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates, reads, updates and deletes definitions; the password is sealed in the row and never answered', async () => {
    const created = await create({ name: 'Private', host: 'HTTPS://Registry.Example.test:5000/v2/', username: USER, password: PASSWORD });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'Private', host: 'registry.example.test:5000', username: USER, insecure: false, scope: null });
    expect(JSON.stringify(created.body)).not.toContain(PASSWORD);
    const id = created.body.id as number;

    const row = await rawRow(id);
    expect(row.passwordSealed).toMatch(/^v1:/);
    expect(row.passwordSealed).not.toContain(PASSWORD);
    expect(await credentials(envA, ['registry.example.test:5000/team/app:1'])).toEqual([{ serverAddress: 'registry.example.test:5000', username: USER, password: PASSWORD }]);

    const list = await h.call({ method: 'GET', url: '/api/registries', token: admin });
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { id: number }) => r.id)).toContain(id);
    expect(JSON.stringify(list.body)).not.toContain(PASSWORD);
    const one = await h.call({ method: 'GET', url: `/api/registries/${id}`, token: admin });
    expect(one.body).toEqual(created.body);

    const renamed = await patch(id, { name: 'Renamed', password: 'a brand new password' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body).toMatchObject({ id, name: 'Renamed', host: 'registry.example.test:5000' });
    expect(JSON.stringify(renamed.body)).not.toContain('a brand new password');
    expect((await rawRow(id)).passwordSealed).not.toBe(row.passwordSealed);
    expect((await credentials(envA, ['registry.example.test:5000/app']))[0]?.password).toBe('a brand new password');

    expect((await h.call({ method: 'DELETE', url: `/api/registries/${id}`, token: admin })).status).toBe(204);
    expect((await h.call({ method: 'GET', url: `/api/registries/${id}`, token: admin })).status).toBe(404);
    expect(await credentials(envA, ['registry.example.test:5000/app'])).toEqual([]);

    // The audit trail has the operations and none of the passwords.
    await h.app.services.audit.flush();
    const audit = await h.store.audit.selectFrom('auditLog').selectAll().where('action', 'like', 'registries.%').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['registries.create', 'registries.update', 'registries.delete']));
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
    expect(JSON.stringify(audit)).not.toContain('a brand new password');
    await h.expectAllAudited();
  });

  it('refuses clashing names and hosts, bad hosts, unknown scope targets and empty changes', async () => {
    const id = await fresh({ name: 'Unique' });
    const host = (await rawRow(id)).host;
    expect(await create({ name: 'unique', host: 'other.example.test', username: USER, password: PASSWORD })).toMatchObject({ status: 409, body: { code: 'conflict' } });
    expect(await create({ name: 'Other', host: `https://${host}`, username: USER, password: PASSWORD })).toMatchObject({ status: 409, body: { code: 'conflict' } });
    for (const bad of ['fuzz', 'registry.example.test/project', 'example.test:70000', '']) {
      const r = await create({ name: 'Bad', host: bad, username: USER, password: PASSWORD });
      expect(r.status, bad).toBe(400);
      expect(r.body.issues[0].path).toBe('host');
    }
    expect(await create({ name: 'Scoped', host: 'scoped.example.test', username: USER, password: PASSWORD, scope: { environmentIds: [999_999] } })).toMatchObject({
      status: 404,
      body: { code: 'not_found' },
    });
    expect(await patch(id, {})).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await create({ name: 'NoPassword', host: 'nopw.example.test', username: USER })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
  });

  it('lends credentials only to the environments a scope names, and deleting one of them narrows it', async () => {
    const hub = await fresh({ host: 'docker.io', scope: { environmentIds: [envA] } });
    expect(await credentials(envA, ['busybox', 'someone/app:1', 'index.docker.io/x/y'])).toEqual([{ serverAddress: 'docker.io', username: USER, password: PASSWORD }]);
    expect(await credentials(envB, ['busybox'])).toEqual([]);

    const viaGroup = await patch(hub, { scope: { groupIds: [groupG] } });
    expect(viaGroup.body.scope).toEqual({ environmentIds: [], groupIds: [groupG] });
    expect(await credentials(envB, ['busybox'])).toHaveLength(1);
    expect(await credentials(envA, ['busybox'])).toEqual([]);

    // An environment only some scope named: deleting it leaves the registry open to nobody, not to all.
    const envC = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'C' } })).body.id as number;
    await patch(hub, { scope: { environmentIds: [envC] } });
    expect((await h.call({ method: 'DELETE', url: `/api/environments/${envC}`, token: admin })).status).toBe(204);
    expect((await h.call({ method: 'GET', url: `/api/registries/${hub}`, token: admin })).body.scope).toEqual({ environmentIds: [], groupIds: [] });
    expect(await credentials(envA, ['busybox'])).toEqual([]);

    const open = await patch(hub, { scope: null });
    expect(open.body.scope).toBeNull();
    expect(await credentials(envA, ['busybox'])).toHaveLength(1);
    expect(await credentials(envA, ['ghcr.io/org/app'])).toEqual([]);
    await h.call({ method: 'DELETE', url: `/api/registries/${hub}`, token: admin });
  });

  it('checks credentials against a real registry: ok, wrong password, plain HTTP, TLS and unreachable', async () => {
    const id = await fresh({ host: plain.host, insecure: true });
    const ok = await check(id);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, auth: 'basic', endpoint: `http://${plain.host}/v2/` });

    await patch(id, { password: WRONG });
    const refused = await check(id);
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.code).toBe('registry_credentials_rejected');
    expect(refused.body.detail).toContain(`refused the credentials of user "${USER}"`);
    expect(JSON.stringify(refused.body)).not.toContain(WRONG);

    await patch(id, { password: PASSWORD, insecure: false });
    const noTls = await check(id);
    expect(noTls.body.code, JSON.stringify(noTls.body)).toBe('registry_tls_failed');
    expect(noTls.body.detail).toContain('does not speak HTTPS');

    const selfSigned = await fresh({ host: tls.host });
    const untrusted = await check(selfSigned);
    expect(untrusted.status).toBe(422);
    expect(untrusted.body.code, JSON.stringify(untrusted.body)).toBe('registry_tls_failed');
    await patch(selfSigned, { insecure: true });
    expect((await check(selfSigned)).body).toMatchObject({ ok: true, auth: 'basic', endpoint: `https://${tls.host}/v2/` });

    const closed = await fresh({ host: `127.0.0.1:${await freePort()}`, insecure: true });
    const unreachable = await check(closed);
    expect(unreachable.status).toBe(422);
    expect(unreachable.body.code).toBe('registry_unreachable');
    expect(unreachable.body.detail).toContain('cannot reach');

    expect((await check(999_999)).status).toBe(404);
    for (const r of [id, selfSigned, closed]) await h.call({ method: 'DELETE', url: `/api/registries/${r}`, token: admin });
    await h.expectAllAudited();
  });

  it('seals the credentials into image.pull commands of that registry; users cannot send their own', async () => {
    const id = await fresh({ host: plain.host, insecure: true });
    const image = `${plain.host}/app:1`;
    const queued = await h.call({ method: 'POST', url: `/api/environments/${envA}/commands`, token: admin, body: { kind: 'image.pull', payload: { image } } });
    expect(queued.status, JSON.stringify(queued.body)).toBe(202);
    expect(queued.body.payload).toEqual({ image, sealed: true });
    const row = await h.store.db.selectFrom('commands').selectAll().where('id', '=', queued.body.id).executeTakeFirstOrThrow();
    expect(row.payload).not.toContain(PASSWORD);
    const frame = h.app.services.commands.frame(row);
    expect(frame.payload).toEqual({ image, registryAuth: [{ serverAddress: plain.host, username: USER, password: PASSWORD }] });

    // No definition for the image's registry: stored as given.
    const anonymous = await h.call({ method: 'POST', url: `/api/environments/${envA}/commands`, token: admin, body: { kind: 'image.pull', payload: { image: 'busybox:1' } } });
    expect(anonymous.body.payload).toEqual({ image: 'busybox:1' });
    expect(h.app.services.commands.frame(await h.store.db.selectFrom('commands').selectAll().where('id', '=', anonymous.body.id).executeTakeFirstOrThrow()).payload).toEqual({
      image: 'busybox:1',
    });

    const smuggled = await h.call({
      method: 'POST',
      url: `/api/environments/${envA}/commands`,
      token: admin,
      body: { kind: 'image.pull', payload: { image: 'busybox:1', registryAuth: [{ serverAddress: 'docker.io', username: 'u', password: 'p' }] } },
    });
    expect(smuggled.status).toBe(400);
    expect(smuggled.body.issues[0].path).toBe('payload.registryAuth');
    await h.call({ method: 'DELETE', url: `/api/registries/${id}`, token: admin });
  });
});
