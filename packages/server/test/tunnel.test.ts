// The Edge Agent tunnel, end to end on real parts: a real HTTPS listener, test agents speaking the
// protocol with the real Mux over real WebSockets, and a real dockerd behind them.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { encodeFrame } from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, stopEngine, type Engine } from '../../../e2e/rig/engine.ts';
import { loadTestImage, TEST_IMAGE } from '../../../e2e/rig/images.ts';
import { runSync } from '../../../e2e/rig/sys.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { engineGet } from './helpers/engine-get.ts';
import { enrolAgent, type Enrolled } from './helpers/enrol.ts';
import { ADMIN } from './helpers/harness.ts';
import { fetchJson } from './helpers/https-client.ts';
import { testConfig } from './helpers/server-config.ts';
import { TestAgent } from './helpers/test-agent.ts';
import { until } from './helpers/until.ts';

const CGROUP = `/capstan-rig/tunnel-test-${process.pid}`;

/** Any request through the server, raw body back. */
function request(port: number, method: string, p: string, token: string, body?: unknown): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return fetchJson(`https://127.0.0.1:${port}${p}`, { method, token, body }).then((r) => ({ status: r.status, text: typeof r.body === 'string' ? r.body : JSON.stringify(r.body), headers: {} }));
}

describe('Edge Agent tunnel', () => {
  let server: RunningServer;
  let engine: Engine;
  let dataDir: string;
  let port: number;
  let admin: string;
  const base = () => `https://127.0.0.1:${port}`;
  const agents: TestAgent[] = [];
  const connect = async (o: Omit<ConstructorParameters<typeof TestAgent>[0], 'port'>) => {
    const a = new TestAgent({ port, dockerSocket: engine.socket, ...o });
    agents.push(a);
    await a.opened;
    return a;
  };

  const enrol = (name: string) => enrolAgent(base(), admin, name);
  const status = async (envId: number) => (await fetchJson(`${base()}/api/environments/${envId}/status`, { token: admin })).body;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-tunnel-'));
    const [s, e] = await Promise.all([
      startServer(testConfig(path.join(dataDir, 'server'), { agentHeartbeatMs: 300, agentDownAfterMs: 1_500 })),
      startEngine(path.join(dataDir, 'engine'), { cgroupParent: CGROUP }),
    ]);
    server = s;
    engine = e;
    port = server.port;
    const setup = await fetchJson(`${base()}/api/setup/admin`, { method: 'POST', body: ADMIN });
    admin = setup.body.token;
    await loadTestImage(engine.socket);
    runSync('docker', ['-H', `unix://${engine.socket}`, 'create', '--name', 'created-one', '--network', 'none', TEST_IMAGE, 'true']);
    runSync('docker', ['-H', `unix://${engine.socket}`, 'run', '-d', '--name', 'running-one', '--network', 'none', TEST_IMAGE, 'sleep', '600']);
  }, 120_000);

  afterAll(async () => {
    for (const a of agents) a.ws.terminate();
    await server?.close();
    if (engine) stopEngine(engine, { cgroupParent: CGROUP });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('handshake → welcome, environment up with versions and an online audit event; heartbeats acknowledged', async () => {
    const e = await enrol('hs-ok');
    expect((await status(e.envId)).status).toBe('pending');
    const a = await connect({ agentId: e.agentId, privateKey: e.privateKey });
    await a.welcome;
    expect(a.heartbeatIntervalMs).toBe(300);
    await until('status up', 5_000, async () => (await status(e.envId)).status === 'up');
    const s = await status(e.envId);
    expect(s).toMatchObject({ connected: true, agentId: e.agentId, agentVersion: '0.0.0-test', engineVersion: '20.10-test', protocolVersion: 1 });
    await server.app.services.tunnel.settled();
    const audit = await fetchJson(`${base()}/api/audit?action=environments.online&targetId=${e.envId}`, { token: admin });
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ actorName: 'agent', targetType: 'environment' });
    // Still connected after several heartbeat periods (heartbeats keep it alive).
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await status(e.envId)).connected).toBe(true);
    await a.close();
    await until('status down', 5_000, async () => (await status(e.envId)).status === 'down');
  });

  it('refuses a bad signature and a replayed hello, closing the connection', async () => {
    const e = await enrol('hs-bad');
    const other = generateKeyPairSync('ed25519').privateKey;
    const bad = await connect({ agentId: e.agentId, privateKey: other });
    await expect(bad.welcome).rejects.toThrow();
    await bad.closed;
    expect(bad.error?.code).toBe('unauthorized');

    const good = await connect({ agentId: e.agentId, privateKey: e.privateKey });
    await good.welcome;
    // A recorded nonce + signature replayed on a new connection is refused (its nonce is not this connection's).
    const replay = await connect({ agentId: e.agentId, privateKey: e.privateKey, nonce: good.nonce!, signature: good.signature! });
    await expect(replay.welcome).rejects.toThrow();
    expect(replay.error?.code).toBe('unauthorized');
    expect((await status(e.envId)).connected).toBe(true);
    await good.close();
  });

  it('a malformed frame closes only that connection; another agent stays up', async () => {
    const e1 = await enrol('mal-1');
    const e2 = await enrol('mal-2');
    const a1 = await connect({ agentId: e1.agentId, privateKey: e1.privateKey });
    const a2 = await connect({ agentId: e2.agentId, privateKey: e2.privateKey });
    await Promise.all([a1.welcome, a2.welcome]);
    a1.ws.send(Buffer.from([0x09, 1, 2, 3]));
    await a1.closed;
    expect(a1.error?.code).toBe('malformed_frame');
    // Data on a stream that was never opened: a Mux violation, same outcome.
    const e3 = await enrol('mal-3');
    const a3 = await connect({ agentId: e3.agentId, privateKey: e3.privateKey });
    await a3.welcome;
    a3.ws.send(encodeFrame({ type: 'data', streamId: 7, payload: new Uint8Array([1]) }));
    await a3.closed;
    expect(a3.error?.code).toBe('unknown_stream');
    await until('e1 down', 5_000, async () => (await status(e1.envId)).status === 'down');
    expect((await status(e2.envId)).connected).toBe(true);
    a2.heartbeat();
    await new Promise((r) => setTimeout(r, 100));
    expect(a2.ws.readyState).toBe(a2.ws.OPEN);
    await a2.close();
  });

  it('a second connection with the same identity fences the first; revoke closes it and reconnects are refused', async () => {
    const e = await enrol('fence');
    const first = await connect({ agentId: e.agentId, privateKey: e.privateKey });
    await first.welcome;
    const second = await connect({ agentId: e.agentId, privateKey: e.privateKey });
    await second.welcome;
    await first.closed;
    expect(first.error).toMatchObject({ code: 'going_away', message: expect.stringContaining('superseded') });
    expect(second.ws.readyState).toBe(second.ws.OPEN);
    expect((await status(e.envId)).status).toBe('up');
    expect(server.app.services.tunnel.live(e.envId).connected).toBe(true);

    const revoke = await fetchJson(`${base()}/api/agents/${e.agentId}/revoke`, { method: 'POST', token: admin });
    expect(revoke.status, JSON.stringify(revoke.body)).toBe(200);
    await second.closed;
    expect(second.error?.code).toBe('unauthorized');
    const again = await connect({ agentId: e.agentId, privateKey: e.privateKey });
    await expect(again.welcome).rejects.toThrow();
    expect(again.error?.code).toBe('unauthorized');
    await until('down after revoke', 5_000, async () => (await status(e.envId)).status === 'down');
  });

  it('a silent agent is disconnected and its environment marked down', async () => {
    const e = await enrol('silent');
    const a = await connect({ agentId: e.agentId, privateKey: e.privateKey, heartbeat: false });
    await a.welcome;
    await until('up', 5_000, async () => (await status(e.envId)).status === 'up');
    await a.closed;
    expect(a.error?.code).toBe('heartbeat_timeout');
    await until('down', 5_000, async () => (await status(e.envId)).status === 'down');
    await server.app.services.tunnel.settled();
    const audit = await fetchJson(`${base()}/api/audit?action=environments.offline&targetId=${e.envId}`, { token: admin });
    expect(audit.body.items[0].details).toMatchObject({ code: 'heartbeat_timeout' });
  });

  describe('Docker API passthrough', () => {
    let e: Enrolled;
    let readonlyToken: string;
    beforeAll(async () => {
      e = await enrol('docker');
      const a = await connect({ agentId: e.agentId, privateKey: e.privateKey });
      await a.welcome;
      const pw = 'readonly-password-123';
      const u = await fetchJson(`${base()}/api/users`, { method: 'POST', token: admin, body: { username: 'viewer', password: pw } });
      await fetchJson(`${base()}/api/roles/assignments`, {
        method: 'POST',
        token: admin,
        body: { principal: { type: 'user', id: u.body.id }, scope: { type: 'environment', id: e.envId }, role: 'readonly' },
      });
      readonlyToken = (await fetchJson(`${base()}/api/auth/login`, { method: 'POST', body: { username: 'viewer', password: pw } })).body.token;
    });

    it('lists the containers of the engine, as the socket does (both URL forms)', async () => {
      const expected = (await engineGet(engine.socket, '/v1.41/containers/json?all=1')).body.map((c: { Id: string }) => c.Id).sort();
      expect(expected.length).toBeGreaterThanOrEqual(2);
      for (const prefix of ['environments', 'endpoints']) {
        const r = await fetchJson(`${base()}/api/${prefix}/${e.envId}/docker/v1.41/containers/json?all=1`, { token: admin });
        expect(r.status).toBe(200);
        expect(r.body.map((c: { Id: string }) => c.Id).sort()).toEqual(expected);
      }
      const ping = await request(port, 'GET', `/api/environments/${e.envId}/docker/_ping`, admin);
      expect(ping).toMatchObject({ status: 200, text: 'OK' });
    });

    it('authorizes per Docker call: readonly may list but not create; anonymous is refused; offline answers at once with 503', async () => {
      const list = await fetchJson(`${base()}/api/environments/${e.envId}/docker/containers/json`, { token: readonlyToken });
      expect(list.status).toBe(200);
      const create = await fetchJson(`${base()}/api/environments/${e.envId}/docker/containers/create`, {
        method: 'POST',
        token: readonlyToken,
        body: { Image: TEST_IMAGE, Cmd: ['true'] },
      });
      expect(create.status).toBe(403);
      expect(create.body.code).toBe('forbidden');
      const anon = await fetchJson(`${base()}/api/environments/${e.envId}/docker/containers/json`);
      expect(anon.status).toBe(401);
      const off = await enrol('offline');
      const r = await fetchJson(`${base()}/api/environments/${off.envId}/docker/containers/json`, { token: admin });
      expect(r.status).toBe(503);
      expect(r.body.code).toBe('environment_offline');
      expect(r.body.detail).toContain('offline');
      // An administrator creates through the tunnel (body passed through), audited.
      const made = await fetchJson(`${base()}/api/environments/${e.envId}/docker/containers/create?name=via-tunnel`, {
        method: 'POST',
        token: admin,
        body: { Image: TEST_IMAGE, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } },
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      expect((await engineGet(engine.socket, `/containers/${made.body.Id}/json`)).body.Name).toBe('/via-tunnel');
      await server.app.services.audit.flush();
      const audit = await fetchJson(`${base()}/api/audit?action=docker.post&targetId=${e.envId}`, { token: admin });
      const outcomes = audit.body.items.map((i: any) => `${i.statusCode} ${i.details.path}`);
      expect(outcomes).toContain('201 /containers/create?name=via-tunnel');
      expect(outcomes).toContain('403 /containers/create');
    });

    it('exec round trip through a hijacked connection', async () => {
      const exec = await fetchJson(`${base()}/api/environments/${e.envId}/docker/containers/running-one/exec`, {
        method: 'POST',
        token: admin,
        body: { AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true, Cmd: ['sh', '-c', 'read x; echo got-$x'] },
      });
      expect(exec.status, JSON.stringify(exec.body)).toBe(201);
      const body = JSON.stringify({ Detach: false, Tty: true });
      const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      let text = '';
      sock.on('data', (c: Buffer) => (text += c.toString('latin1')));
      sock.write(
        `POST /api/environments/${e.envId}/docker/exec/${exec.body.Id}/start HTTP/1.1\r\nHost: capstan\r\nAuthorization: Bearer ${admin}\r\n` +
          `Content-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      await until('101 head', 10_000, () => text.includes('\r\n\r\n'));
      expect(text).toMatch(/^HTTP\/1\.1 101 UPGRADED\r\n/);
      sock.write('ping\n');
      await until('exec output', 10_000, () => text.includes('got-ping'));
      sock.destroy();
    });

    it('follows logs as they are written', async () => {
      const id = runSync('docker', ['-H', `unix://${engine.socket}`, 'run', '-d', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'for i in 1 2 3 4 5 6; do echo line-$i; sleep 0.2; done']).trim();
      const got = await new Promise<string>((resolve, reject) => {
        const req = https.request(
          { host: '127.0.0.1', port, path: `/api/environments/${e.envId}/docker/containers/${id}/logs?follow=1&stdout=1`, headers: { authorization: `Bearer ${admin}` }, rejectUnauthorized: false },
          (res: http.IncomingMessage) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString('latin1')));
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end();
      });
      for (let i = 1; i <= 6; i++) expect(got).toContain(`line-${i}`);
    });
  });

  // Last: it restarts the server.
  it('after a restart, an environment still recorded up without an agent is marked down; a reconnecting one stays up', async () => {
    const back = await enrol('comes-back');
    const gone = await enrol('gone');
    const a = await connect({ agentId: back.agentId, privateKey: back.privateKey });
    await a.welcome;
    await server.close();
    // As after a crash: the database still says 'up' for both.
    const db = new Database(path.join(dataDir, 'server', 'capstan.db'));
    db.prepare("update environments set status = 'up' where id in (?, ?)").run(back.envId, gone.envId);
    db.close();
    server = await startServer(testConfig(path.join(dataDir, 'server'), { agentHeartbeatMs: 300, agentDownAfterMs: 1_500 }));
    port = server.port;
    const again = await connect({ agentId: back.agentId, privateKey: back.privateKey });
    await again.welcome;
    await until('stale status down', 5_000, async () => (await status(gone.envId)).status === 'down');
    await server.app.services.tunnel.settled();
    expect((await status(back.envId)).status).toBe('up');
    const offline = await fetchJson(`${base()}/api/audit?action=environments.offline&targetId=${gone.envId}`, { token: admin });
    expect(offline.body.items.map((i: { requestId: string }) => i.requestId)).toContain('tunnel-startup');
  });
});
