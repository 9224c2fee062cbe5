// Async mode on the server's tunnel side, on a real HTTPS server with real WebSockets: every
// interactive feature of an async environment answers 409 environment_async at once (Docker API
// plain and hijacked, live logs / console / stats), and agents that can switch are told to poll
// with an agent-mode frame (on connect, and when an environment with a live tunnel turns async).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { CAPABILITY_MODES, pollIntervals } from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../src/server.ts';
import { enrolAgent } from './helpers/enrol.ts';
import { ADMIN } from './helpers/harness.ts';
import { fetchJson, type Fetched } from './helpers/https-client.ts';
import { testConfig } from './helpers/server-config.ts';
import { TestAgent } from './helpers/test-agent.ts';
import { until } from './helpers/until.ts';

/** An interactive call must be refused quickly, not after a stream or handshake timeout. */
const QUICK_MS = 2_000;

type Refusal = Pick<Fetched, 'status' | 'body'> & { ms: number };

describe('Async mode: interactive features and the agent-mode frame', () => {
  let server: RunningServer;
  let dataDir: string;
  let port: number;
  let admin: string;
  const agents: TestAgent[] = [];
  const base = () => `https://127.0.0.1:${port}`;

  const createEnv = async (name: string, mode: 'standard' | 'async'): Promise<number> => {
    const r = await fetchJson(`${base()}/api/environments`, { method: 'POST', token: admin, body: { name, mode } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  };
  const patch = async (id: number, body: unknown) => {
    const r = await fetchJson(`${base()}/api/environments/${id}`, { method: 'PATCH', token: admin, body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const connect = async (agentId: number, privateKey: TestAgent['opts']['privateKey'], capabilities: string[]) => {
    const a = new TestAgent({ port, agentId, privateKey, capabilities });
    agents.push(a);
    await a.welcome;
    return a;
  };
  const agentModeFrames = (a: TestAgent) => a.controls.filter((f) => f.type === 'agent-mode');

  /** A plain Docker API call through the server. */
  async function docker(envId: number, method: string, p: string, body?: unknown): Promise<Refusal> {
    const started = Date.now();
    const r = await fetchJson(`${base()}/api/environments/${envId}/docker${p}`, { method, token: admin, body });
    return { status: r.status, body: r.body, ms: Date.now() - started };
  }

  /** A hijacked Docker call (exec start with Upgrade: tcp): the raw answer's status line and body. */
  function hijack(envId: number): Promise<Refusal> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      let text = '';
      sock.on('data', (c: Buffer) => (text += c.toString('utf8')));
      sock.on('error', reject);
      sock.on('close', () => {
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
        const body = text.slice(text.indexOf('\r\n\r\n') + 4);
        resolve({ status, body: body ? JSON.parse(body) : undefined, ms: Date.now() - started });
      });
      const payload = JSON.stringify({ Detach: false, Tty: true });
      sock.write(
        `POST /api/environments/${envId}/docker/exec/abc123/start HTTP/1.1\r\nHost: capstan\r\nAuthorization: Bearer ${admin}\r\n` +
          `Content-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: ${payload.length}\r\n\r\n${payload}`,
      );
    });
  }

  /** A live WebSocket (logs, console, stats); resolves with the refusal, rejects when it was accepted. */
  function live(envId: number, feature: 'logs' | 'console' | 'stats'): Promise<Refusal> {
    const started = Date.now();
    const query = feature === 'console' ? '?cmd=sh' : '';
    const ws = new WebSocket(`wss://127.0.0.1:${port}/api/environments/${envId}/containers/web/${feature}/ws${query}`, {
      rejectUnauthorized: false,
      headers: { authorization: `Bearer ${admin}` },
    });
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, ms: Date.now() - started }));
      });
      ws.once('open', () => {
        ws.close();
        reject(new Error(`${feature} was accepted`));
      });
      ws.on('error', () => undefined);
    });
  }

  function expectAsyncRefusal(r: Refusal, envId: number, what: string): void {
    expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(409);
    expect(r.body).toMatchObject({ code: 'environment_async', status: 409 });
    expect(r.body.detail).toContain(`environment ${envId} runs in Async mode`);
    expect(r.body.detail).toContain(`PATCH /api/environments/${envId} {"mode":"standard"}`);
    expect(r.ms, `${what} took ${r.ms} ms`).toBeLessThan(QUICK_MS);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-async-mode-'));
    server = await startServer(testConfig(dataDir, { agentHeartbeatMs: 300, agentDownAfterMs: 1_500 }));
    port = server.port;
    admin = (await fetchJson(`${base()}/api/setup/admin`, { method: 'POST', body: ADMIN })).body.token;
  }, 60_000);

  afterAll(async () => {
    for (const a of agents) a.ws.terminate();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every interactive path of an async environment with 409 environment_async, at once', async () => {
    const envId = await createEnv('ship', 'async');
    expectAsyncRefusal(await docker(envId, 'GET', '/v1.41/containers/json?all=1'), envId, 'docker list');
    expectAsyncRefusal(await docker(envId, 'POST', '/containers/create', { Image: 'busybox' }), envId, 'docker create');
    const endpoints = await fetchJson(`${base()}/api/endpoints/${envId}/docker/_ping`, { token: admin });
    expect(endpoints).toMatchObject({ status: 409, body: { code: 'environment_async' } });
    expectAsyncRefusal(await hijack(envId), envId, 'docker hijack');
    for (const feature of ['logs', 'console', 'stats'] as const) expectAsyncRefusal(await live(envId, feature), envId, `live ${feature}`);
    // A standard environment without an agent still answers offline.
    const offline = await createEnv('offline-one', 'standard');
    expect((await docker(offline, 'GET', '/containers/json')).body.code).toBe('environment_offline');
    expect((await live(offline, 'logs')).body.code).toBe('environment_offline');
    // Refusals of mutating calls are audited like any other.
    await server.app.services.audit.flush();
    const audit = await fetchJson(`${base()}/api/audit?action=docker.post&targetId=${envId}`, { token: admin });
    expect(audit.body.items.map((i: { statusCode: number }) => i.statusCode)).toContain(409);
  });

  it('refuses interactive calls as soon as an environment is switched to async, and serves them again once it is standard', async () => {
    const envId = await createEnv('switching', 'standard');
    expect((await docker(envId, 'GET', '/containers/json')).body.code).toBe('environment_offline');
    await patch(envId, { mode: 'async' });
    expectAsyncRefusal(await docker(envId, 'GET', '/containers/json'), envId, 'after PATCH async');
    await patch(envId, { mode: 'standard' });
    expect((await docker(envId, 'GET', '/containers/json')).body.code).toBe('environment_offline');
    // A deleted environment is forgotten (an id is never reused, but the cache must not grow).
    await patch(envId, { mode: 'async' });
    expect((await fetchJson(`${base()}/api/environments/${envId}`, { method: 'DELETE', token: admin })).status).toBe(204);
    expect(server.app.services.tunnel.isAsync(envId)).toBe(false);
  });

  it('tells an agent announcing modes.v1 to poll when it connects to an async environment', async () => {
    const e = await enrolAgent(base(), admin, 'connects-async');
    await patch(e.envId, { mode: 'async' });
    const a = await connect(e.agentId, e.privateKey, [CAPABILITY_MODES]);
    await until('agent-mode frame', 5_000, () => agentModeFrames(a).length > 0);
    expect(agentModeFrames(a)).toEqual([{ type: 'agent-mode', mode: 'async', intervals: pollIntervals(60) }]);
    // Still connected (the real agent closes the tunnel itself): interactive calls are refused all the same.
    expectAsyncRefusal(await docker(e.envId, 'GET', '/containers/json'), e.envId, 'async with a live tunnel');
    await a.close();
  });

  it('sends agent-mode at once when a connected environment is switched to async, only to agents that can switch', async () => {
    const e = await enrolAgent(base(), admin, 'switched-live');
    const a = await connect(e.agentId, e.privateKey, [CAPABILITY_MODES]);
    await new Promise((r) => setTimeout(r, 200));
    expect(agentModeFrames(a)).toEqual([]);
    await patch(e.envId, { mode: 'async', pollIntervalSeconds: 120 });
    await until('agent-mode frame after PATCH', 5_000, () => agentModeFrames(a).length > 0);
    expect(agentModeFrames(a)[0]).toEqual({ type: 'agent-mode', mode: 'async', intervals: pollIntervals(120) });
    // A PATCH that leaves the mode alone sends nothing more; back to standard needs no frame either.
    await patch(e.envId, { name: 'switched-live-renamed', pollIntervalSeconds: 30 });
    await patch(e.envId, { mode: 'standard' });
    await new Promise((r) => setTimeout(r, 200));
    expect(agentModeFrames(a)).toHaveLength(1);
    await a.close();

    // An agent without modes.v1 gets no frame (it could not follow it) and is not disconnected.
    const old = await enrolAgent(base(), admin, 'old-agent');
    const b = await connect(old.agentId, old.privateKey, []);
    await patch(old.envId, { mode: 'async' });
    await new Promise((r) => setTimeout(r, 300));
    expect(agentModeFrames(b)).toEqual([]);
    expect(b.ws.readyState).toBe(WebSocket.OPEN);
    expectAsyncRefusal(await docker(old.envId, 'GET', '/containers/json'), old.envId, 'async, old agent connected');
    await b.close();
  });
});
