// The environment's mode at enrolment, on both databases: an agent started with --mode sets it
// (host and group tokens, audited), the enrolment answers the mode the agent starts in, join
// commands of async environments carry --mode async, and interactive calls follow at once.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/databases.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const publicKey = (): string => generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();

describe.each(DIALECTS)('enrolment mode (%s)', (dialect) => {
  let h: Harness;
  let admin: string;

  const createEnv = async (name: string, mode: 'standard' | 'async' = 'standard'): Promise<number> => {
    const r = await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name, mode } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  };
  const joinToken = async (envId: number) => {
    const r = await h.call({ method: 'POST', url: `/api/environments/${envId}/join-tokens`, token: admin, body: { ttl: 600 } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { token: string; command: string; dockerCommand: string };
  };
  const enrol = (token: string, hostname: string, mode?: string) =>
    h.call({ method: 'POST', url: '/api/agents/enrol', body: { token, publicKey: publicKey(), hostname, agentVersion: '0.1.0', ...(mode ? { mode } : {}) } });
  const modeOf = async (envId: number) => (await h.call({ method: 'GET', url: `/api/environments/${envId}`, token: admin })).body.mode as string;
  const dockerCode = async (envId: number) => (await h.call({ method: 'GET', url: `/api/environments/${envId}/docker/containers/json`, token: admin })).body.code as string;
  const enrolAudit = async () => {
    await h.app.services.audit.flush();
    return (await h.call({ method: 'GET', url: '/api/audit?action=agents.enrol&outcome=success', token: admin })).body.items as Array<{ details: Record<string, unknown> }>;
  };

  beforeAll(async () => {
    h = await createHarness(dialect, { publicUrl: 'https://capstan.example.com:9443' });
    admin = await h.setupAdmin();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('puts --mode async into both join commands of an async environment only', async () => {
    const envId = await createEnv('joins');
    const standard = await joinToken(envId);
    expect(standard.command).not.toContain('--mode');
    expect(standard.dockerCommand).not.toContain('--mode');
    await h.call({ method: 'PATCH', url: `/api/environments/${envId}`, token: admin, body: { mode: 'async' } });
    const async = await joinToken(envId);
    expect(async.command).toMatch(/ --join-token cjt_\S+ .*--mode async$/);
    expect(async.dockerCommand).toMatch(/--mode async$/);
    // Enrolling without --mode keeps the environment's mode and answers it.
    const e = await enrol(async.token, 'joins');
    expect(e.status, JSON.stringify(e.body)).toBe(201);
    expect(e.body).toMatchObject({ environmentId: envId, mode: 'async' });
    // A rotation's join command follows the environment's mode too.
    const rotated = await h.call({ method: 'POST', url: `/api/agents/${e.body.agentId}/rotate`, token: admin, body: {} });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(201);
    expect(rotated.body.command).toMatch(/--mode async$/);
  });

  it('sets the mode of the environment a host token enrols into, audited, and the tunnel gate follows at once', async () => {
    const toAsync = await createEnv('host-async');
    expect(await dockerCode(toAsync)).toBe('environment_offline');
    const e = await enrol((await joinToken(toAsync)).token, 'host-async', 'async');
    expect(e.status, JSON.stringify(e.body)).toBe(201);
    expect(e.body).toMatchObject({ environmentId: toAsync, mode: 'async' });
    expect(await modeOf(toAsync)).toBe('async');
    expect(await dockerCode(toAsync)).toBe('environment_async');

    const toStandard = await createEnv('host-standard', 'async');
    const s = await enrol((await joinToken(toStandard)).token, 'host-standard', 'standard');
    expect(s.body).toMatchObject({ environmentId: toStandard, mode: 'standard' });
    expect(await modeOf(toStandard)).toBe('standard');
    expect(await dockerCode(toStandard)).toBe('environment_offline');

    const audit = await enrolAudit();
    const byEnv = (id: number) => audit.find((r) => r.details.environmentId === id)?.details;
    expect(byEnv(toAsync)).toMatchObject({ hostname: 'host-async', mode: 'async' });
    expect(byEnv(toStandard)).toMatchObject({ hostname: 'host-standard', mode: 'standard' });
  });

  it('creates the environment of a group enrolment in the mode the agent asks for', async () => {
    const group = await h.call({ method: 'POST', url: '/api/environments/groups', token: admin, body: { name: `ships-${dialect}` } });
    const groupId = group.body.id as number;
    const jt = await h.call({ method: 'POST', url: `/api/environments/groups/${groupId}/join-tokens`, token: admin, body: { ttl: 600, maxUses: 2 } });
    expect(jt.status, JSON.stringify(jt.body)).toBe(201);
    const polled = await enrol(jt.body.token, 'vessel-1', 'async');
    expect(polled.status, JSON.stringify(polled.body)).toBe(201);
    expect(polled.body.mode).toBe('async');
    expect(await modeOf(polled.body.environmentId)).toBe('async');
    expect(await dockerCode(polled.body.environmentId)).toBe('environment_async');
    const plain = await enrol(jt.body.token, 'vessel-2');
    expect(plain.body.mode).toBe('standard');
    expect(await modeOf(plain.body.environmentId)).toBe('standard');
    const audit = await enrolAudit();
    expect(audit.find((r) => r.details.environmentId === polled.body.environmentId)?.details).toMatchObject({ groupId, mode: 'async' });
  });

  it('refuses an unknown mode naming the field, and audited every mutating call', async () => {
    const envId = await createEnv('bad-mode');
    const r = await enrol((await joinToken(envId)).token, 'bad-mode', 'sometimes');
    expect(r.status).toBe(400);
    expect(r.body.issues.map((i: { path: string }) => i.path)).toContain('mode');
    expect(await modeOf(envId)).toBe('standard');
    await h.expectAllAudited();
  });
});
