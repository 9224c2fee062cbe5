// Live change notices (GET /api/events, Server-Sent Events) on a real SQLite store: what the real
// services publish (environments, commands, snapshots, stacks, polls, agent tunnels), who sees
// which notice (environment.read on its environment), and that streams end with the server.
import { generateKeyPairSync } from 'node:crypto';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { EVENTS_PATH, LiveEventSchema, type LiveEvent } from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signChallenge } from '../src/modules/agents/agent-auth.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { enrolAgent } from './helpers/enrol.ts';
import { ADMIN, createHarness, type Harness } from './helpers/harness.ts';
import { fetchJson } from './helpers/https-client.ts';
import { testConfig } from './helpers/server-config.ts';
import { container, hashOf, snapshot } from './helpers/snapshot-fixtures.ts';
import { TestAgent } from './helpers/test-agent.ts';
import { until } from './helpers/until.ts';

/** An open change-notice stream as a browser's EventSource sees it. */
interface Listener {
  readonly events: LiveEvent[];
  /** Everything received so far. */
  text(): string;
  /** The first notice (from now on or already received) matching `match`. */
  next(what: string, match: (e: LiveEvent) => boolean, ms?: number): Promise<LiveEvent>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  hangUp(): void;
}

/** Reads SSE text as it arrives: complete `event:`/`data:` blocks become notices (checked against the contract). */
function follow(stream: Readable, hangUp: () => void): Listener {
  const events: LiveEvent[] = [];
  let text = '';
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
    rest += chunk;
    let end: number;
    while ((end = rest.indexOf('\n\n')) >= 0) {
      const block = rest.slice(0, end);
      rest = rest.slice(end + 2);
      const name = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (name === undefined || data === undefined) continue;
      const event = LiveEventSchema.parse(JSON.parse(data));
      expect(event.type, 'the event name is the notice type').toBe(name);
      events.push(event);
    }
  });
  const ended = new Promise<void>((resolve) => {
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
  });
  return {
    events,
    text: () => text,
    next: (what, match, ms = 5_000) => until(what, ms, () => events.find(match)),
    ended,
    hangUp,
  };
}

const isEnv = (id: number) => (e: LiveEvent) => e.type === 'environment' && e.environmentId === id;

describe('live change notices (GET /api/events)', () => {
  let h: Harness;
  let admin = '';
  let counter = 0;
  const open: Listener[] = [];

  /** Opens the stream in-process as the given bearer token. */
  async function listen(token: string): Promise<Listener> {
    const res = await h.app.fastify.inject({ method: 'GET', url: EVENTS_PATH, headers: { authorization: `Bearer ${token}` }, payloadAsStream: true });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    const l = follow(res.stream(), () => res.raw.res.destroy());
    open.push(l);
    await until('the retry line', 2_000, () => l.text().startsWith('retry: 3000\n\n'));
    return l;
  }
  async function newEnv(extra: Record<string, unknown> = {}): Promise<number> {
    const r = await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: `events-${++counter}`, ...extra } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  }
  async function enqueue(envId: number, token = admin): Promise<string> {
    const r = await h.call({ method: 'POST', url: `/api/environments/${envId}/commands`, token, body: { kind: 'container.start', payload: { containerId: 'web' } } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    return r.body.id as string;
  }

  beforeAll(async () => {
    h = await createHarness('sqlite');
    admin = await h.setupAdmin();
  });
  afterAll(async () => {
    for (const l of open) l.hangUp();
    await h?.close();
  });

  it('refuses anonymous callers with Problem 401 and answers signed-in ones with an event stream', async () => {
    const anon = await h.call({ method: 'GET', url: EVENTS_PATH });
    expect(anon.status).toBe(401);
    expect(anon.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(anon.body.code).toBe('unauthenticated');
    const ok = await h.call({ method: 'GET', url: EVENTS_PATH, token: admin });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('retry: 3000\n\n');
    // The harness hung up: the server let go of the stream.
    await until('stream released', 2_000, () => h.app.services.eventStreams.size === 0);
  });

  it('tells an administrator about environments, commands, snapshots and stacks', async () => {
    const l = await listen(admin);
    const envId = await newEnv();
    await l.next('environment created', isEnv(envId));
    const patched = await h.call({ method: 'PATCH', url: `/api/environments/${envId}`, token: admin, body: { name: `renamed-${envId}` } });
    expect(patched.status).toBe(200);
    // Coalesced with the creation's (at most one per second per environment), never lost.
    await until('environment updated', 3_000, () => l.events.filter(isEnv(envId)).length >= 2);

    const commandId = await enqueue(envId);
    await l.next('command queued', (e) => e.type === 'command' && e.commandId === commandId && e.status === 'queued');
    const cancelled = await h.call({ method: 'POST', url: `/api/environments/${envId}/commands/${commandId}/cancel`, token: admin });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await l.next('command cancelled', (e) => e.type === 'command' && e.commandId === commandId && e.status === 'cancelled');
    expect(l.events.find((e) => e.type === 'command' && e.commandId === commandId)).toEqual({ type: 'command', environmentId: envId, commandId, status: 'queued' });

    const s = snapshot([container('a', 'running')]);
    const stored = await h.app.services.snapshots.receive({ environmentId: envId, send: () => true }, { type: 'snapshot', hash: hashOf(s), snapshot: s });
    expect(stored.result).toBe('stored');
    await l.next('snapshot stored', (e) => e.type === 'snapshot' && e.environmentId === envId);

    const created = await h.call({ method: 'POST', url: '/api/stacks', token: admin, body: { name: `shop${envId}`, environmentId: envId, compose: 'services:\n  web:\n    image: busybox:1.36\n' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const stackId = created.body.id as number;
    await l.next('stack created', (e) => e.type === 'stack' && e.stackId === stackId && e.environmentId === envId);
    const before = l.events.filter((e) => e.type === 'stack' && e.stackId === stackId).length;
    const deployed = await h.call({ method: 'POST', url: `/api/stacks/${stackId}/deploy`, token: admin, body: {} });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(202);
    const deployCommand = deployed.body.commandId as string;
    await l.next('deploy command queued', (e) => e.type === 'command' && e.commandId === deployCommand && e.status === 'queued');
    await until('stack deploy queued', 2_000, () => l.events.filter((e) => e.type === 'stack' && e.stackId === stackId).length > before);
    // The agent's answer moves the version: the stack notice comes with the command's.
    const { seq } = await h.app.services.commands.get(envId, deployCommand);
    const at = new Date().toISOString();
    const plan = { services: [], networks: [], volumes: [], basis: 'live', computedAt: at, noop: false };
    const output = { outcome: 'deployed', plan, imageDigests: {}, failure: null, durationMs: 1 };
    expect(await h.app.services.commands.result(envId, { id: deployCommand, seq, status: 'succeeded', output, startedAt: at, finishedAt: at })).toBe('applied');
    await l.next('deploy command succeeded', (e) => e.type === 'command' && e.commandId === deployCommand && e.status === 'succeeded');
    await until('stack deployed', 2_000, () => l.events.filter((e) => e.type === 'stack' && e.stackId === stackId).length > before + 1);
    const version = await h.call({ method: 'GET', url: `/api/stacks/${stackId}/versions/${deployed.body.id as number}`, token: admin });
    expect(version.body.status).toBe('deployed');
  });

  it("shows a user only the notices of environments they may read", async () => {
    const hidden = await newEnv();
    const shared = await newEnv();
    const user = await h.user(admin, 'events-reader');
    await h.grant(admin, user.id, shared, 'readonly');
    const l = await listen(user.token);
    const a = await listen(admin);

    const hiddenCommand = await enqueue(hidden);
    await h.call({ method: 'PATCH', url: `/api/environments/${hidden}`, token: admin, body: { name: `hidden-${hidden}` } });
    const sharedCommand = await enqueue(shared);
    await l.next("the readable environment's command", (e) => e.type === 'command' && e.commandId === sharedCommand);
    await a.next('the administrator sees both', (e) => e.type === 'command' && e.commandId === hiddenCommand);
    // Notices are delivered in order: everything about `hidden` came before and was left out.
    await new Promise((r) => setTimeout(r, 1_200));
    expect(l.events.filter((e) => e.environmentId === hidden)).toEqual([]);
    expect(l.events.some((e) => e.environmentId === shared)).toBe(true);
    expect(a.events.filter((e) => e.environmentId === hidden).length).toBeGreaterThanOrEqual(2);
  });

  it("publishes an async environment's polls, at most about once a second", async () => {
    const l = await listen(admin);
    const envId = await newEnv({ mode: 'async' });
    const jt = await h.call({ method: 'POST', url: `/api/environments/${envId}/join-tokens`, token: admin, body: {} });
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const e = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { token: jt.body.token, publicKey: publicPem, hostname: 'poller', agentVersion: '0.9.0' } });
    expect(e.status, JSON.stringify(e.body)).toBe(201);
    const agentId = e.body.agentId as number;
    const idle = { agentId, protocolVersion: 1, agentVersion: '0.9.0', lastCompletedSeq: 0, accepted: [], results: [] };
    let nonce = (await h.call({ method: 'POST', url: '/api/agents/poll', body: idle })).body.details.nonce as string;
    await until('notices of the creation settled', 3_000, () => l.events.some(isEnv(envId)));
    await new Promise((r) => setTimeout(r, 1_100));
    const beforePolls = l.events.filter(isEnv(envId)).length;
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      const r = await h.call({ method: 'POST', url: '/api/agents/poll', body: { ...idle, nonce, signature: signChallenge(privateKey, 'poll', agentId, nonce) } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      nonce = r.body.nonce as string;
    }
    await until('a poll notice', 2_000, () => l.events.filter(isEnv(envId)).length > beforePolls);
    await new Promise((r) => setTimeout(r, 1_500));
    const seconds = (Date.now() - started) / 1000;
    const notices = l.events.filter(isEnv(envId)).length - beforePolls;
    expect(notices).toBeGreaterThanOrEqual(1);
    expect(notices).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(notices).toBeLessThan(5);
  });

  it('ends every stream when the server closes', async () => {
    const own = await createHarness('sqlite');
    const token = await own.setupAdmin();
    const res = await own.app.fastify.inject({ method: 'GET', url: EVENTS_PATH, headers: { authorization: `Bearer ${token}` }, payloadAsStream: true });
    const l = follow(res.stream(), () => res.raw.res.destroy());
    await until('the retry line', 2_000, () => l.text().length > 0);
    expect(own.app.services.eventStreams.size).toBe(1);
    await own.close();
    await l.ended;
    expect(own.app.services.eventStreams.size).toBe(0);
  });
});

describe('live change notices on a real HTTPS server with an agent tunnel', () => {
  let server: RunningServer;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-events-'));
    server = await startServer(testConfig(dataDir));
  });
  afterAll(async () => {
    await server?.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('tells when an agent connects, reports its engine and leaves, and ends the stream at shutdown', async () => {
    const base = `https://127.0.0.1:${server.port}`;
    const setup = await fetchJson(`${base}/api/setup/admin`, { method: 'POST', body: ADMIN });
    expect(setup.status).toBe(201);
    const admin = setup.body.token as string;
    const enrolled = await enrolAgent(base, admin, 'tunnel-events');

    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = https.get(`${base}${EVENTS_PATH}`, { headers: { authorization: `Bearer ${admin}` }, rejectUnauthorized: false, agent: false }, resolve);
      req.on('error', reject);
    });
    expect(res.statusCode).toBe(200);
    const l = follow(res, () => res.destroy());

    const agent = new TestAgent({ port: server.port, agentId: enrolled.agentId, privateKey: enrolled.privateKey });
    await agent.welcome;
    await l.next('agent connected', isEnv(enrolled.envId));
    await until('status up', 5_000, async () => (await fetchJson(`${base}/api/environments/${enrolled.envId}/status`, { token: admin })).body.connected === true);
    const s = snapshot([container('b', 'running')]);
    expect((await server.app.services.snapshots.receive({ environmentId: enrolled.envId, send: () => true }, { type: 'snapshot', hash: hashOf(s), snapshot: s })).result).toBe('stored');
    await l.next('snapshot', (e) => e.type === 'snapshot' && e.environmentId === enrolled.envId);

    const seen = l.events.filter(isEnv(enrolled.envId)).length;
    await agent.close();
    await until('agent left', 5_000, () => l.events.filter(isEnv(enrolled.envId)).length > seen);
    const env = await fetchJson(`${base}/api/environments/${enrolled.envId}`, { token: admin });
    expect(env.body.status).toBe('down');

    await server.close();
    await l.ended;
  });
});
