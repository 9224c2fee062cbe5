// Fleet onboarding and agent transport options: group join tokens (one token, many hosts, each a
// new environment of the group) on both databases; optional mTLS with the internal agent CA and
// the separate tunnel listener on a real HTTPS server with real WebSockets.
import { X509Certificate, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.ts';
import { DIALECTS } from './helpers/databases.ts';
import { ADMIN, createHarness, type Harness } from './helpers/harness.ts';
import { fetchJson } from './helpers/https-client.ts';
import { testConfig } from './helpers/server-config.ts';
import { TestAgent } from './helpers/test-agent.ts';

function agentKeys(): { privateKey: KeyObject; publicKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      if (await check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(() => void tick(), 50);
    };
    void tick();
  });
}

describe.each(DIALECTS)('group join tokens (%s)', (dialect) => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('one token enrols several hosts, each as a new environment of the group, until its uses run out', async () => {
    h = await createHarness(dialect, { publicUrl: 'https://capstan.example.com:9443' });
    const admin = await h.setupAdmin();
    const group = await h.call({ method: 'POST', url: '/api/environments/groups', token: admin, body: { name: 'stores' } });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    const groupId = group.body.id as number;
    // A name already taken: the host with that name gets a suffixed environment.
    await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'till-1' } });

    const jt = await h.call({ method: 'POST', url: `/api/environments/groups/${groupId}/join-tokens`, token: admin, body: { ttl: 600, maxUses: 3 } });
    expect(jt.status, JSON.stringify(jt.body)).toBe(201);
    expect(jt.body).toMatchObject({ groupId, maxUses: 3, token: expect.stringMatching(/^cjt_/) });
    expect(jt.body.command).toContain(`--join-token ${jt.body.token}`);
    const token = jt.body.token as string;

    const enrolled: Array<{ agentId: number; environmentId: number }> = [];
    for (const hostname of ['till-1', 'till-2', 'till-1']) {
      const e = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { token, publicKey: agentKeys().publicKey, hostname, agentVersion: '0.1.0' } });
      expect(e.status, JSON.stringify(e.body)).toBe(201);
      enrolled.push(e.body);
    }
    expect(new Set(enrolled.map((e) => e.environmentId)).size).toBe(3);
    const envs = await h.call({ method: 'GET', url: `/api/environments?groupId=${groupId}`, token: admin });
    expect(envs.body.items.map((e: { name: string }) => e.name).sort()).toEqual(['till-1-2', 'till-1-3', 'till-2']);
    for (const e of envs.body.items) expect(e).toMatchObject({ groupId, status: 'pending', mode: 'standard' });

    // Each enrolled agent belongs to its own environment.
    for (const e of enrolled) {
      const agents = await h.call({ method: 'GET', url: `/api/environments/${e.environmentId}/agents`, token: admin });
      expect(agents.body.items.map((a: { id: number }) => a.id)).toEqual([e.agentId]);
    }

    // The fourth host is refused: the token allowed three.
    const fourth = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { token, publicKey: agentKeys().publicKey, hostname: 'till-4', agentVersion: '0.1.0' } });
    expect(fourth.status).toBe(401);
    expect(fourth.body.code).toBe('join_token_used');
    expect(fourth.body.detail).toContain('3 hosts');

    // Audited: the token's creation and every enrolment, with the group and the new environment.
    await h.app.services.audit.flush();
    const created = await h.call({ method: 'GET', url: '/api/audit?action=agents.group_join_token.create', token: admin });
    expect(created.body.items[0]).toMatchObject({ targetType: 'group', targetId: String(groupId), outcome: 'success' });
    expect(JSON.stringify(created.body.items[0])).not.toContain(token.slice(4));
    const enrols = await h.call({ method: 'GET', url: '/api/audit?action=agents.enrol&outcome=success', token: admin });
    expect(enrols.body.items).toHaveLength(3);
    expect(enrols.body.items[0].details).toMatchObject({ groupId });
  });

  it('refuses expired tokens, unknown groups and bad bodies with clear problems', async () => {
    h = await createHarness(dialect);
    const admin = await h.setupAdmin();
    const group = await h.call({ method: 'POST', url: '/api/environments/groups', token: admin, body: { name: 'fleet' } });
    const groupId = group.body.id as number;

    const missing = await h.call({ method: 'POST', url: '/api/environments/groups/999999/join-tokens', token: admin, body: {} });
    expect(missing.status).toBe(404);
    const badUses = await h.call({ method: 'POST', url: `/api/environments/groups/${groupId}/join-tokens`, token: admin, body: { maxUses: 0 } });
    expect(badUses.status).toBe(400);
    expect(badUses.body.issues).toContainEqual(expect.objectContaining({ path: 'maxUses' }));

    const jt = await h.call({ method: 'POST', url: `/api/environments/groups/${groupId}/join-tokens`, token: admin, body: { ttl: 60 } });
    expect(jt.body.maxUses).toBeNull();
    await h.store.db.updateTable('groupJoinTokens').set({ expiresAt: new Date(Date.now() - 1000).toISOString() }).execute();
    const late = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { token: jt.body.token, publicKey: agentKeys().publicKey, hostname: 'late', agentVersion: '0.1.0' } });
    expect(late.body.code).toBe('join_token_expired');
    const envs = await h.call({ method: 'GET', url: `/api/environments?groupId=${groupId}`, token: admin });
    expect(envs.body.items).toHaveLength(0);

    // Deleting the group takes its tokens along: the token is then simply invalid.
    const jt2 = await h.call({ method: 'POST', url: `/api/environments/groups/${groupId}/join-tokens`, token: admin, body: {} });
    const del = await h.call({ method: 'DELETE', url: `/api/environments/groups/${groupId}`, token: admin });
    expect(del.status).toBeLessThan(300);
    const gone = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { token: jt2.body.token, publicKey: agentKeys().publicKey, hostname: 'x', agentVersion: '0.1.0' } });
    expect(gone.body.code).toBe('join_token_invalid');
  });
});

describe('agent mTLS and the tunnel listener (real HTTPS server)', () => {
  let server: RunningServer;
  let dataDir: string;
  let admin: string;
  const agents: TestAgent[] = [];
  const base = () => `https://127.0.0.1:${server.port}`;

  async function enrol(name: string, port = server.port): Promise<{ envId: number; agentId: number; privateKey: KeyObject; cert: string; ca: string }> {
    const env = await fetchJson(`${base()}/api/environments`, { method: 'POST', token: admin, body: { name } });
    const jt = await fetchJson(`${base()}/api/environments/${env.body.id}/join-tokens`, { method: 'POST', token: admin, body: {} });
    const keys = agentKeys();
    const e = await fetchJson(`https://127.0.0.1:${port}/api/agents/enrol`, {
      method: 'POST',
      body: { token: jt.body.token, publicKey: keys.publicKey, hostname: name, agentVersion: '0.1.0' },
    });
    expect(e.status, JSON.stringify(e.body)).toBe(201);
    return { envId: env.body.id, agentId: e.body.agentId, privateKey: keys.privateKey, cert: e.body.clientCertificate, ca: e.body.caCertificate };
  }
  const status = async (envId: number) => (await fetchJson(`${base()}/api/environments/${envId}/status`, { token: admin })).body;
  const connect = (o: ConstructorParameters<typeof TestAgent>[0]) => {
    const a = new TestAgent(o);
    agents.push(a);
    return a;
  };

  async function start(overrides: Parameters<typeof testConfig>[1]): Promise<void> {
    server = await startServer(testConfig(path.join(dataDir, 'server'), { agentHeartbeatMs: 300, agentDownAfterMs: 1_500, ...overrides }));
    const setup = await fetchJson(`${base()}/api/setup/admin`, { method: 'POST', body: ADMIN });
    if (setup.status === 201) admin = setup.body.token;
    else admin = (await fetchJson(`${base()}/api/auth/login`, { method: 'POST', body: ADMIN })).body.token;
  }

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-onboarding-'));
  });
  afterAll(async () => {
    for (const a of agents) a.ws.terminate();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('issues each agent a client certificate for its own key from the internal CA, kept across restarts', async () => {
    await start({ tunnelPort: 0 });
    const e = await enrol('mtls-1');
    const cert = new X509Certificate(e.cert);
    const ca = new X509Certificate(e.ca);
    expect(cert.subject).toBe(`CN=capstan-agent-${e.agentId}`);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.2'); // clientAuth
    // It certifies the agent's key, nothing else.
    const spki = createPrivateKey(e.privateKey.export({ type: 'pkcs8', format: 'pem' })).export({ type: 'pkcs8', format: 'der' });
    expect(spki.length).toBeGreaterThan(0);
    expect(cert.checkPrivateKey(e.privateKey)).toBe(true);
    // The CA lives in the data dir (key 0600) and survives a restart.
    expect(readFileSync(path.join(dataDir, 'server', 'agent-ca', 'ca.pem'), 'utf8')).toBe(e.ca);
    await server.close();
    await start({ tunnelPort: 0 });
    const again = await enrol('mtls-2');
    expect(again.ca).toBe(e.ca);
  });

  it('marks a connection mTLS only with the certificate of that very agent; --require-agent-mtls refuses the rest', async () => {
    const withCert = await enrol('mtls-ok');
    const a = connect({ port: server.port, agentId: withCert.agentId, privateKey: withCert.privateKey, clientCert: withCert.cert });
    await a.welcome;
    await until(async () => (await status(withCert.envId)).connected === true, 5_000, 'connected');
    expect((await status(withCert.envId)).mtls).toBe(true);

    const noCert = await enrol('mtls-none');
    const b = connect({ port: server.port, agentId: noCert.agentId, privateKey: noCert.privateKey });
    await b.welcome;
    await until(async () => (await status(noCert.envId)).connected === true, 5_000, 'connected');
    expect((await status(noCert.envId)).mtls).toBe(false);

    // Another agent's certificate (with its key, to pass TLS) does not make this agent mTLS.
    const other = await enrol('mtls-other');
    const c = connect({ port: server.port, agentId: other.agentId, privateKey: other.privateKey, clientCert: withCert.cert, clientKey: withCert.privateKey });
    await c.welcome;
    expect((await status(other.envId)).mtls).toBe(false);
    for (const x of [a, b, c]) await x.close();

    await server.close();
    await start({ requireAgentMtls: true });
    const refused = connect({ port: server.port, agentId: noCert.agentId, privateKey: noCert.privateKey });
    await expect(refused.welcome).rejects.toThrow();
    await refused.closed;
    expect(refused.error?.code).toBe('unauthorized');
    expect(refused.error?.message).toContain('requires agent mTLS');
    const wrong = connect({ port: server.port, agentId: other.agentId, privateKey: other.privateKey, clientCert: withCert.cert, clientKey: withCert.privateKey });
    await expect(wrong.welcome).rejects.toThrow();
    expect(wrong.error?.message).toContain('does not belong to this agent');
    const ok = connect({ port: server.port, agentId: withCert.agentId, privateKey: withCert.privateKey, clientCert: withCert.cert });
    await ok.welcome;
    await until(async () => (await status(withCert.envId)).mtls === true, 5_000, 'mtls up');
    await ok.close();
  });

  it('serves enrolment and tunnels on --tunnel-port, and nothing else there', async () => {
    await server.close();
    await start({ tunnelPort: 0 });
    const tunnelPort = server.tunnelPort;
    expect(tunnelPort).not.toBeNull();
    if (tunnelPort === null) return;
    const health = await fetchJson(`https://127.0.0.1:${tunnelPort}/api/health`);
    expect(health.status).toBe(200);
    const users = await fetchJson(`https://127.0.0.1:${tunnelPort}/api/users`, { token: admin });
    expect(users.status).toBe(404);
    expect(users.body).toMatchObject({ code: 'route_not_found', status: 404 });
    const e = await enrol('tunnel-port', tunnelPort);
    const a = connect({ port: tunnelPort, agentId: e.agentId, privateKey: e.privateKey, clientCert: e.cert });
    await a.welcome;
    await until(async () => (await status(e.envId)).connected === true, 5_000, 'connected through the tunnel port');
    expect((await status(e.envId)).mtls).toBe(true);
    await a.close();
  });
});
