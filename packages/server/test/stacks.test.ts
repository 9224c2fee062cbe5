// Stacks on the server, on both databases: CRUD, compose validation with positions, secrets sealed
// at rest and masked everywhere, immutable versions, deploy outcomes landing through the command log
// (results fed to the commands service as the tunnel would), rollback pins, snapshot-basis plans,
// adoption, deletion, progress streams and permissions.
import {
  canonicalSnapshot,
  type EngineSnapshot,
  type SnapshotContainer,
  type StackDeployResult,
  type StackPlan,
} from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashCanonical } from '../src/modules/snapshots/snapshots.service.ts';
import { DIALECTS } from './helpers/databases.ts';
import { createHarness, type Answer, type Harness } from './helpers/harness.ts';
import { StackDeployPayloadSchema } from '@capstan/protocol';

const SECRET = 'hunter2-very-secret-value';
const COMPOSE = [
  'services:',
  '  web:',
  '    image: busybox:1.36',
  '    command: ["sleep", "3600"]',
  '    environment:',
  '      PASSWORD: ${DB_PASSWORD}',
  '      MODE: ${MODE:-dev}',
  '  worker:',
  '    image: busybox:1.36',
  '    command: sleep 3600',
  '',
].join('\n');
const engine = { name: 'edge', version: '28.2.2', apiVersion: '1.50', os: 'Debian', arch: 'x86_64', kernelVersion: '6.1', cpus: 2, memoryBytes: 2_000_000_000, storageDriver: 'overlay2' };

function container(project: string, service: string, n = 1): SnapshotContainer {
  return {
    id: `${project}-${service}-${n}`.padEnd(64, 'f'),
    name: `${project}_${service}_${n}`,
    image: 'busybox:1.36',
    imageId: 'sha256:1111',
    command: 'sleep 3600',
    createdAt: '2026-01-01T00:00:00.000Z',
    state: 'running',
    status: 'Up',
    health: null,
    labels: {
      'com.docker.compose.project': project,
      'com.docker.compose.service': service,
      'com.docker.compose.container-number': String(n),
      'com.docker.compose.config-hash': `hash-of-${service}`,
    },
    ports: [],
    composeProject: project,
    composeService: service,
  };
}

function snapshotOf(projects: Record<string, string[]>): EngineSnapshot {
  const containers = Object.entries(projects).flatMap(([p, services]) => services.map((s) => container(p, s)));
  return {
    takenAt: '2026-02-01T10:00:00.000Z',
    engine,
    containers,
    images: [{ id: 'sha256:1111', repoTags: ['busybox:1.36'], repoDigests: [`busybox@sha256:${'a'.repeat(64)}`], size: 1, createdAt: '2025-01-01T00:00:00.000Z' }],
    volumes: [],
    networks: [],
    composeProjects: Object.entries(projects).map(([name, services]) => ({ name, services, containers: services.length, running: services.length, workingDir: `/srv/${name}`, configFiles: `/srv/${name}/docker-compose.yml` })),
  };
}

const emptyPlan = (): StackPlan => ({ services: [], networks: [], volumes: [], basis: 'live', computedAt: new Date().toISOString(), noop: false });

describe.each(DIALECTS)('stacks (%s)', (dialect) => {
  let h: Harness;
  let admin = '';
  let envId = 0;
  let otherEnvId = 0;
  let standard: { id: number; token: string };
  let readonly: { id: number; token: string };
  let stranger: { id: number; token: string };

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, token = admin): Promise<Answer> =>
    h.call({ method, url, token, ...(body !== undefined ? { body } : {}) });
  const ok = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body: unknown, status: number, token = admin): Promise<any> => {
    const r = await call(method, url, body, token);
    expect(r.status, `${method} ${url}: ${JSON.stringify(r.body)}`).toBe(status);
    return r.body;
  };
  const createStack = (name: string, extra: Record<string, unknown> = {}, env = envId) =>
    ok('POST', '/api/stacks', { name, environmentId: env, compose: COMPOSE, variables: [{ name: 'DB_PASSWORD', value: SECRET, secret: true }], ...extra }, 201);
  const putSnapshot = async (environmentId: number, s: EngineSnapshot) => {
    const frame = { type: 'snapshot' as const, hash: hashCanonical(canonicalSnapshot(s)), snapshot: s };
    expect((await h.app.services.snapshots.receive({ environmentId, send: () => true }, frame)).result).toBe('stored');
  };
  /** Feeds a stack.deploy command's acceptance and result to the command log, as the tunnel would. */
  const agentAnswers = async (commandId: string, result: Partial<StackDeployResult> & Pick<StackDeployResult, 'outcome'>, status: 'succeeded' | 'failed' = 'succeeded') => {
    const c = await h.app.services.commands.get(envId, commandId);
    if (c.status !== 'accepted') expect(await h.app.services.commands.accepted(envId, { id: c.id, seq: c.seq })).toBe('applied');
    const output: StackDeployResult = { plan: emptyPlan(), imageDigests: {}, failure: null, durationMs: 5, ...result };
    const at = new Date().toISOString();
    expect(await h.app.services.commands.result(envId, { id: c.id, seq: c.seq, status, output, startedAt: at, finishedAt: at })).toBe('applied');
  };
  const rawStack = (id: number) => h.store.db.selectFrom('stacks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const rawVersion = (id: number) => h.store.db.selectFrom('stackVersions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const rawCommand = (id: string) => h.store.db.selectFrom('commands').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    h = await createHarness(dialect);
    admin = await h.setupAdmin();
    envId = (await ok('POST', '/api/environments', { name: 'stack-env' }, 201)).id;
    otherEnvId = (await ok('POST', '/api/environments', { name: 'stack-other' }, 201)).id;
    standard = await h.user(admin, 'deployer');
    readonly = await h.user(admin, 'watcher');
    stranger = await h.user(admin, 'stranger');
    for (const [u, role] of [[standard, 'standard_user'], [readonly, 'readonly']] as const) {
      await ok('POST', '/api/roles/assignments', { principal: { type: 'user', id: u.id }, scope: { type: 'environment', id: envId }, role }, 201);
    }
  });
  afterAll(async () => h?.close());

  it('creates, lists, reads and updates stacks; names are unique per environment by their project name', async () => {
    const created = await createStack('Shop', { variables: [{ name: 'DB_PASSWORD', value: SECRET, secret: true }, { name: 'MODE', value: 'prod' }] });
    expect(created).toMatchObject({
      name: 'Shop',
      projectName: 'shop',
      environmentId: envId,
      source: 'editor',
      compose: COMPOSE,
      status: 'draft',
      currentVersionId: null,
      latestVersion: null,
      health: { windowSeconds: 10, onFailure: 'rollback' },
      variables: [
        { name: 'DB_PASSWORD', secret: true, value: null },
        { name: 'MODE', secret: false, value: 'prod' },
      ],
    });
    expect(Array.isArray(created.warnings)).toBe(true);
    expect(JSON.stringify(created)).not.toContain(SECRET);

    const got = await ok('GET', `/api/stacks/${created.id}`, undefined, 200);
    expect(got).toEqual((({ warnings: _w, ...rest }) => rest)(created));
    const dup = await call('POST', '/api/stacks', { name: 'SHOP', environmentId: envId, compose: COMPOSE });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('conflict');
    // Another environment may have its own "shop".
    await createStack('shop', {}, otherEnvId);

    const list = await ok('GET', `/api/stacks?environmentId=${envId}`, undefined, 200);
    expect(list.items.map((s: { name: string }) => s.name)).toContain('Shop');
    expect(list.items.every((s: { environmentId: number }) => s.environmentId === envId)).toBe(true);
    expect(list.items[0]).not.toHaveProperty('compose');

    const patched = await ok('PATCH', `/api/stacks/${created.id}`, { health: { windowSeconds: 0, onFailure: 'report' } }, 200);
    expect(patched.health).toEqual({ windowSeconds: 0, onFailure: 'report' });
    const bad = await call('POST', '/api/stacks', { name: 'no spaces allowed', environmentId: envId, compose: COMPOSE });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('name');
  });

  it('refuses an invalid compose file with compose_invalid and the position of each problem', async () => {
    const compose = ['services:', '  web:', '    image: busybox', '    ports:', '      - "80000:80"', ''].join('\n');
    const r = await call('POST', '/api/stacks', { name: 'broken', environmentId: envId, compose });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.code).toBe('compose_invalid');
    const issue = r.body.issues.find((i: { line: number | null }) => i.line === 5);
    expect(issue, JSON.stringify(r.body.issues)).toMatchObject({ location: 'body', file: 'compose.yaml', line: 5 });
    expect(issue.column).toBeGreaterThan(0);
    expect(r.body.detail).toContain('compose.yaml:5');

    const yaml = await call('POST', '/api/stacks', { name: 'broken', environmentId: envId, compose: 'services:\n  web: [\n' });
    expect(yaml.body.code).toBe('compose_invalid');
    expect(yaml.body.issues[0].line).toBeGreaterThan(0);
    // Nothing was stored.
    const list = await ok('GET', `/api/stacks?environmentId=${envId}`, undefined, 200);
    expect(list.items.map((s: { name: string }) => s.name)).not.toContain('broken');
  });

  it('keeps secret variable values encrypted at rest and out of answers, the command log and the audit log', async () => {
    const s = await createStack('vault');
    const raw = await rawStack(s.id);
    expect(raw.variables).not.toContain(SECRET);
    const stored = JSON.parse(raw.variables) as Array<{ name: string; value: string; secret: boolean }>;
    expect(stored[0]).toMatchObject({ name: 'DB_PASSWORD', secret: true });
    expect(stored[0]!.value.startsWith('v1:')).toBe(true);

    const v = await ok('POST', `/api/stacks/${s.id}/deploy`, {}, 202);
    expect((await rawVersion(v.id)).variables).not.toContain(SECRET);
    const command = await rawCommand(v.commandId);
    expect(command.payload).not.toContain(SECRET);
    const shown = await ok('GET', `/api/environments/${envId}/commands/${v.commandId}`, undefined, 200);
    expect(shown.payload).toMatchObject({ stackId: s.id, versionId: v.id, sealed: true });
    expect(JSON.stringify(shown)).not.toContain(SECRET);
    // The agent gets the real value.
    const frame = h.app.services.commands.frame(command);
    expect(JSON.stringify(frame.payload)).toContain(SECRET);
    expect(StackDeployPayloadSchema.parse(frame.payload).target.project.services.web?.environment.PASSWORD).toBe(SECRET);

    // An agent echoing the secret in its result: stored masked, in the command and on the version.
    await agentAnswers(v.commandId, {
      outcome: 'deployed',
      plan: { ...emptyPlan(), services: [{ service: 'web', action: 'recreate', changes: [{ field: 'environment.PASSWORD', from: null, to: SECRET }], image: { reference: 'busybox:1.36', current: null, target: null, updated: false }, containers: { current: 0, target: 1 } }] },
    });
    expect((await rawCommand(v.commandId)).output).not.toContain(SECRET);
    expect((await rawVersion(v.id)).plan).not.toContain(SECRET);
    expect(JSON.stringify(await ok('GET', `/api/stacks/${s.id}/versions/${v.id}`, undefined, 200))).not.toContain(SECRET);

    await h.app.services.audit.flush();
    const audit = await h.store.audit.selectFrom('auditLog').select(['action', 'details']).where('action', 'like', 'stack.%').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['stack.create', 'stack.deploy']));
    expect(audit.some((a) => a.details.includes(SECRET))).toBe(false);
  });

  it('records each deploy as an immutable version; the command result decides its outcome and the current version', async () => {
    const s = await createStack('blog');
    const v1 = await ok('POST', `/api/stacks/${s.id}/deploy`, { pull: 'always' }, 202);
    expect(v1).toMatchObject({ number: 1, kind: 'deploy', status: 'queued', pull: 'always', compose: COMPOSE, createdByName: 'admin' });
    expect((await ok('GET', `/api/stacks/${s.id}`, undefined, 200)).status).toBe('deploying');
    const cmd = await ok('GET', `/api/environments/${envId}/commands/${v1.commandId}`, undefined, 200);
    expect(cmd).toMatchObject({ kind: 'stack.deploy', status: 'queued' });
    // The agent journalled it and runs it: the version is deploying.
    expect(await h.app.services.commands.accepted(envId, { id: cmd.id, seq: cmd.seq })).toBe('applied');
    expect((await ok('GET', `/api/stacks/${s.id}/versions/${v1.id}`, undefined, 200)).status).toBe('deploying');

    const digests = { web: `busybox@sha256:${'1'.repeat(64)}`, worker: `busybox@sha256:${'2'.repeat(64)}` };
    await agentAnswers(v1.commandId, { outcome: 'deployed', imageDigests: digests });
    const v1Done = await ok('GET', `/api/stacks/${s.id}/versions/${v1.id}`, undefined, 200);
    expect(v1Done).toMatchObject({ status: 'deployed', imageDigests: digests, reason: null });
    expect(v1Done.finishedAt).not.toBeNull();
    expect(await ok('GET', `/api/stacks/${s.id}`, undefined, 200)).toMatchObject({ status: 'deployed', currentVersionId: v1.id });

    // New content: a changed variable, the secret kept by leaving its value out.
    const compose2 = COMPOSE.replace('sleep 3600\n', 'sleep 7200\n');
    const v2 = await ok('POST', `/api/stacks/${s.id}/deploy`, { compose: compose2, variables: [{ name: 'DB_PASSWORD', secret: true }, { name: 'MODE', value: 'prod' }] }, 202);
    // Deployed again before v2 was sent: v2 is superseded, its command too.
    const v3 = await ok('POST', `/api/stacks/${s.id}/deploy`, {}, 202);
    expect(v3.number).toBe(3);
    expect((await ok('GET', `/api/stacks/${s.id}/versions/${v2.id}`, undefined, 200)).status).toBe('superseded');
    expect((await ok('GET', `/api/environments/${envId}/commands/${v2.commandId}`, undefined, 200)).status).toBe('superseded');
    const payload = StackDeployPayloadSchema.parse(h.app.services.commands.frame(await rawCommand(v3.commandId)).payload);
    expect(payload.target.project.services.web?.environment).toEqual({ MODE: 'prod', PASSWORD: SECRET });
    // The fallback is the version running now, with its digests pinned.
    expect(payload.previous).toMatchObject({ versionId: v1.id, imagePins: digests });
    expect(payload.health).toEqual({ windowMs: 10_000, onFailure: 'rollback' });

    await agentAnswers(v3.commandId, { outcome: 'rolled_back', failure: { service: 'web', reason: 'unhealthy after 10 s' } });
    expect(await ok('GET', `/api/stacks/${s.id}/versions/${v3.id}`, undefined, 200)).toMatchObject({ status: 'rolled_back', reason: 'web: unhealthy after 10 s' });
    expect(await ok('GET', `/api/stacks/${s.id}`, undefined, 200)).toMatchObject({ status: 'rolled_back', currentVersionId: v1.id });

    const v4 = await ok('POST', `/api/stacks/${s.id}/deploy`, {}, 202);
    const c4 = await h.app.services.commands.get(envId, v4.commandId);
    const at = new Date().toISOString();
    await h.app.services.commands.result(envId, { id: c4.id, seq: c4.seq, status: 'failed', error: { code: 'pull_failed', message: 'manifest unknown' }, startedAt: at, finishedAt: at });
    expect(await ok('GET', `/api/stacks/${s.id}/versions/${v4.id}`, undefined, 200)).toMatchObject({ status: 'failed', reason: 'pull_failed: manifest unknown' });

    // Version 1 is as it was, whatever came after; versions have no route that changes them.
    const v1Again = await ok('GET', `/api/stacks/${s.id}/versions/${v1.id}`, undefined, 200);
    expect(v1Again).toEqual(v1Done);
    expect(v1Again.variables).toEqual([{ name: 'DB_PASSWORD', secret: true, value: null }]);
    expect((await call('PATCH', `/api/stacks/${s.id}/versions/${v1.id}`, { status: 'failed' })).status).toBe(404);
    const list = await ok('GET', `/api/stacks/${s.id}/versions`, undefined, 200);
    expect(list.items.map((v: { number: number; status: string }) => [v.number, v.status])).toEqual([
      [4, 'failed'],
      [3, 'rolled_back'],
      [2, 'superseded'],
      [1, 'deployed'],
    ]);
    // A repeated result changes nothing.
    expect(await h.app.services.commands.result(envId, { id: c4.id, seq: c4.seq, status: 'succeeded', output: { outcome: 'deployed' }, startedAt: at, finishedAt: at })).toBe('duplicate');
  });

  it("rolls back to a stored version: a new version with that version's content and its image digests pinned", async () => {
    const s = await createStack('rollme');
    const v1 = await ok('POST', `/api/stacks/${s.id}/deploy`, {}, 202);
    const digests = { web: `busybox@sha256:${'3'.repeat(64)}`, worker: `busybox@sha256:${'4'.repeat(64)}` };
    await agentAnswers(v1.commandId, { outcome: 'deployed', imageDigests: digests });
    const compose2 = COMPOSE.replace('busybox:1.36', 'busybox:1.37');
    const v2 = await ok('POST', `/api/stacks/${s.id}/deploy`, { compose: compose2, variables: [{ name: 'DB_PASSWORD', value: 'another secret', secret: true }] }, 202);
    await agentAnswers(v2.commandId, { outcome: 'deployed', imageDigests: {} });

    const rb = await ok('POST', `/api/stacks/${s.id}/rollback`, { versionId: v1.id }, 202);
    expect(rb).toMatchObject({ number: 3, kind: 'rollback', rollbackOf: v1.id, compose: COMPOSE, imagePins: digests, status: 'queued' });
    const payload = StackDeployPayloadSchema.parse(h.app.services.commands.frame(await rawCommand(rb.commandId)).payload);
    expect(payload.target.imagePins).toEqual(digests);
    expect(payload.target.project.services.web?.environment.PASSWORD).toBe(SECRET);
    expect(payload.previous?.versionId).toBe(v2.id);
    // The stack's content is version 1's again.
    const stack = await ok('GET', `/api/stacks/${s.id}`, undefined, 200);
    expect(stack.compose).toBe(COMPOSE);

    const missing = await call('POST', `/api/stacks/${s.id}/rollback`, { versionId: 999_999 });
    expect(missing.status).toBe(404);
    await h.app.services.audit.flush();
    const audit = await h.store.audit.selectFrom('auditLog').selectAll().where('action', '=', 'stack.rollback').where('targetId', '=', String(s.id)).execute();
    expect(audit).toHaveLength(2);
    expect(JSON.parse(audit.find((a) => a.statusCode === 202)!.details)).toMatchObject({ rollbackOf: v1.id, imagePins: digests });
  });

  it('plans against the last snapshot when the agent is not connected, and says so', async () => {
    const env = (await ok('POST', '/api/environments', { name: 'plan-env' }, 201)).id as number;
    const s = await createStack('plan', {}, env);
    const none = await call('POST', `/api/stacks/${s.id}/plan`, {});
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('plan_unavailable');

    await putSnapshot(env, snapshotOf({ plan: ['web', 'old'], other: ['db'] }));
    const r = await ok('POST', `/api/stacks/${s.id}/plan`, {}, 200);
    expect(r.plan.basis).toBe('snapshot');
    expect(r.liveUnavailable).toContain('not connected');
    expect(r.liveUnavailable).toContain('2026-02-01T10:00:00.000Z');
    const actions = Object.fromEntries(r.plan.services.map((p: { service: string; action: string }) => [p.service, p.action]));
    expect(actions.worker).toBe('create');
    expect(actions.old).toBe('remove');
    expect(['recreate', 'unchanged']).toContain(actions.web);
    expect(actions).not.toHaveProperty('db');
    expect(r.plan.noop).toBe(false);
    expect(JSON.stringify(r)).not.toContain(SECRET);

    // Proposed content is planned without being stored.
    const proposed = await ok('POST', `/api/stacks/${s.id}/plan`, { compose: 'services:\n  web:\n    image: busybox:1.36\n' }, 200);
    expect(proposed.plan.services.map((p: { service: string; action: string }) => [p.service, p.action]).sort()).toEqual([['old', 'remove'], ['web', expect.any(String)]]);
    expect((await ok('GET', `/api/stacks/${s.id}`, undefined, 200)).compose).toBe(COMPOSE);
  });

  it('adopts a running compose project from the snapshot as a stack without deploying anything', async () => {
    const env = (await ok('POST', '/api/environments', { name: 'adopt-env' }, 201)).id as number;
    const noSnapshot = await call('POST', `/api/environments/${env}/stacks/adopt`, { projectName: 'legacy' });
    expect(noSnapshot.body.code).toBe('snapshot_not_found');
    await putSnapshot(env, snapshotOf({ legacy: ['api', 'db'] }));
    const before = await h.store.db.selectFrom('commands').select((eb) => eb.fn.countAll<number>().as('n')).where('environmentId', '=', env).executeTakeFirstOrThrow();

    const adopted = await ok('POST', `/api/environments/${env}/stacks/adopt`, { projectName: 'legacy', name: 'Legacy' }, 201);
    expect(adopted).toMatchObject({ name: 'Legacy', projectName: 'legacy', source: 'adopted', compose: null, status: 'deployed', variables: [], files: [] });
    const version = await ok('GET', `/api/stacks/${adopted.id}/versions/${adopted.currentVersionId}`, undefined, 200);
    expect(version).toMatchObject({ number: 1, kind: 'adopt', status: 'deployed', compose: null, commandId: null });
    expect(version.reason).toContain('/srv/legacy');
    expect(Object.keys(version.adopted.services).sort()).toEqual(['api', 'db']);
    expect(version.adopted.services.api[0].labels['com.docker.compose.config-hash']).toBe('hash-of-api');
    expect(version.imageDigests).toEqual({ api: `busybox@sha256:${'a'.repeat(64)}`, db: `busybox@sha256:${'a'.repeat(64)}` });
    const after = await h.store.db.selectFrom('commands').select((eb) => eb.fn.countAll<number>().as('n')).where('environmentId', '=', env).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));

    expect((await call('POST', `/api/environments/${env}/stacks/adopt`, { projectName: 'legacy' })).status).toBe(409);
    expect((await call('POST', `/api/environments/${env}/stacks/adopt`, { projectName: 'nothing' })).status).toBe(404);
    expect((await call('POST', `/api/environments/${env}/stacks/adopt`, { projectName: 'legacy', name: 'other' })).status).toBe(400);
    // No compose file yet: deploys need one, the adopted version cannot be deployed again.
    expect((await call('POST', `/api/stacks/${adopted.id}/deploy`, {})).status).toBe(409);
    expect((await call('POST', `/api/stacks/${adopted.id}/rollback`, { versionId: version.id })).status).toBe(409);
    const taken = await ok('POST', `/api/stacks/${adopted.id}/deploy`, { compose: 'services:\n  api:\n    image: busybox:1.36\n' }, 202);
    expect(taken.number).toBe(2);
    expect(StackDeployPayloadSchema.parse(h.app.services.commands.frame(await rawCommand(taken.commandId)).payload).previous).toBeNull();
  });

  it('deletes a stack: at once when it never ran, through stack.remove otherwise (and keeps it when that fails)', async () => {
    const fresh = await createStack('fresh');
    expect(await ok('DELETE', `/api/stacks/${fresh.id}`, undefined, 202)).toEqual({ stackId: fresh.id, commandId: null, removed: true });
    expect((await call('GET', `/api/stacks/${fresh.id}`)).status).toBe(404);

    const s = await createStack('doomed');
    const v = await ok('POST', `/api/stacks/${s.id}/deploy`, {}, 202);
    await agentAnswers(v.commandId, { outcome: 'deployed' });
    const r = await h.call({ method: 'DELETE', url: `/api/stacks/${s.id}?removeVolumes=true`, token: admin });
    expect(r.status).toBe(202);
    expect(r.body.removed).toBe(false);
    const cmd = await ok('GET', `/api/environments/${envId}/commands/${r.body.commandId}`, undefined, 200);
    expect(cmd).toMatchObject({ kind: 'stack.remove', payload: { projectName: 'doomed', removeVolumes: true } });
    expect((await ok('GET', `/api/stacks/${s.id}`, undefined, 200)).status).toBe('removing');
    expect((await call('POST', `/api/stacks/${s.id}/deploy`, {})).status).toBe(409);

    const at = new Date().toISOString();
    await h.app.services.commands.result(envId, { id: cmd.id, seq: cmd.seq, status: 'failed', error: { code: 'engine_error', message: 'device busy' }, startedAt: at, finishedAt: at });
    const kept = await ok('GET', `/api/stacks/${s.id}`, undefined, 200);
    expect(kept).toMatchObject({ status: 'deployed', removeError: 'the remove command ended failed: device busy' });

    const again = await ok('DELETE', `/api/stacks/${s.id}`, undefined, 202);
    const cmd2 = await h.app.services.commands.get(envId, again.commandId);
    await h.app.services.commands.result(envId, { id: cmd2.id, seq: cmd2.seq, status: 'succeeded', output: {}, startedAt: at, finishedAt: at });
    expect((await call('GET', `/api/stacks/${s.id}`)).status).toBe(404);
    expect(await h.store.db.selectFrom('stackVersions').select('id').where('stackId', '=', s.id).execute()).toEqual([]);
  });

  it('streams a deploy as Server-Sent Events: history for a late client, live progress, then the final status', async () => {
    const s = await createStack('streamed');
    const v = await ok('POST', `/api/stacks/${s.id}/deploy`, {}, 202);
    const c = await h.app.services.commands.get(envId, v.commandId);
    const bus = h.app.services.stacks.progress;
    const at = () => new Date().toISOString();
    bus.publish(envId, c.id, at(), { type: 'step', step: 'pull busybox:1.36', status: 'started' });
    bus.publish(envId, c.id, at(), { type: 'pull', image: 'busybox:1.36', layer: 'abc', status: 'Downloading', current: 10, total: 100 });

    const url = `/api/stacks/${s.id}/versions/${v.id}/events`;
    const streaming = h.call({ method: 'GET', url, token: admin });
    bus.publish(envId, c.id, at(), { type: 'message', level: 'info', text: `using ${SECRET}` });
    await agentAnswers(v.commandId, { outcome: 'deployed' });
    const res = await streaming;
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toContain('text/event-stream');
    const events = parseSse(String(res.body));
    const progress = events.filter((e) => e.event === 'progress');
    expect(progress.map((e) => e.id)).toEqual(['1', '2', '3']);
    expect(progress.map((e) => JSON.parse(e.data).type)).toEqual(['step', 'pull', 'message']);
    expect(String(res.body)).not.toContain(SECRET);
    const last = events.at(-1)!;
    expect(last.event).toBe('status');
    expect(JSON.parse(last.data)).toMatchObject({ id: v.id, status: 'deployed', final: true });

    // Reconnecting after event 2: only what came later, then the outcome.
    const resumed = await h.call({ method: 'GET', url, token: admin, headers: { 'last-event-id': '2' } });
    const again = parseSse(String(resumed.body));
    expect(again.filter((e) => e.event === 'progress').map((e) => e.id)).toEqual(['3']);
    expect(JSON.parse(again.at(-1)!.data)).toMatchObject({ status: 'deployed', final: true });
  });

  it('authorizes by the stack environment: stacks.read to see, stacks.deploy to change, stacks.delete to delete', async () => {
    const s = await createStack('guarded');
    expect((await call('GET', `/api/stacks/${s.id}`, undefined, readonly.token)).status).toBe(200);
    expect((await call('POST', `/api/stacks/${s.id}/deploy`, {}, readonly.token)).body.code).toBe('forbidden');
    expect((await call('DELETE', `/api/stacks/${s.id}`, undefined, readonly.token)).body.code).toBe('forbidden');
    expect((await call('GET', `/api/stacks/${s.id}`, undefined, stranger.token)).body.code).toBe('forbidden');
    // Strangers cannot tell a missing stack from one they may not see.
    expect((await call('GET', '/api/stacks/987654', undefined, stranger.token)).body.code).toBe('forbidden');
    expect((await call('GET', '/api/stacks/987654')).status).toBe(404);
    expect((await ok('GET', '/api/stacks', undefined, 200, stranger.token)).items).toEqual([]);
    const v = await ok('POST', `/api/stacks/${s.id}/deploy`, {}, 202, standard.token);
    expect(v.createdByName).toBe('deployer');
    expect((await call('POST', '/api/stacks', { name: 'nope', environmentId: envId, compose: COMPOSE }, readonly.token)).body.code).toBe('forbidden');
    await h.expectAllAudited();
  });
});

/** Server-Sent Events in a body: each block's id, event and data. */
function parseSse(text: string): Array<{ id?: string; event?: string; data: string }> {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '' && !block.startsWith(':') && !block.startsWith('retry:'))
    .map((block) => {
      const e: { id?: string; event?: string; data: string } = { data: '' };
      for (const line of block.split('\n')) {
        const i = line.indexOf(': ');
        const [k, v] = i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 2)];
        if (k === 'id') e.id = v;
        else if (k === 'event') e.event = v;
        else if (k === 'data') e.data += v;
      }
      return e;
    });
}
