// Live features for people (logs, console, stats) over browser WebSockets, end to end on real parts:
// a real HTTPS listener, a test agent speaking the tunnel protocol to a private real dockerd.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Frame } from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEngine, stopEngine, type Engine } from '../../../e2e/rig/engine.ts';
import { loadTestImage, TEST_IMAGE } from '../../../e2e/rig/images.ts';
import { runSync } from '../../../e2e/rig/sys.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { engineGet } from './helpers/engine-get.ts';
import { enrolAgent } from './helpers/enrol.ts';
import { ADMIN } from './helpers/harness.ts';
import { fetchJson } from './helpers/https-client.ts';
import { testConfig } from './helpers/server-config.ts';
import { TestAgent } from './helpers/test-agent.ts';
import { until } from './helpers/until.ts';

const CGROUP = `/capstan-rig/live-test-${process.pid}`;

/** A browser-like client: every message kept in order, JSON text parsed, binary kept as text. */
class Client {
  readonly ws: WebSocket;
  readonly json: any[] = [];
  output = '';
  binaryBytes = 0;
  closeCode: number | null = null;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(ws: WebSocket) {
    this.ws = ws;
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        this.binaryBytes += data.length;
        this.output += data.toString('utf8');
      } else this.json.push(JSON.parse(data.toString('utf8')));
    });
  }

  text(stream?: string): string {
    return this.json.filter((m) => typeof m.data === 'string' && (!stream || m.stream === stream)).map((m) => m.data as string).join('');
  }
}

interface Refused {
  status: number;
  body: any;
}

describe('live features over WebSockets', () => {
  let server: RunningServer;
  let engine: Engine;
  let dataDir: string;
  let port: number;
  let admin: string;
  let envId: number;
  let agent: TestAgent;
  const tokens: Record<string, string> = {};
  const base = () => `https://127.0.0.1:${port}`;
  const docker = (...args: string[]) => runSync('docker', ['-H', `unix://${engine.socket}`, ...args]).trim();

  /** Opens a live socket; resolves with the client once open, or with the refusal's status and Problem body. */
  function open(p: string, opts: { token?: string; cookie?: string; origin?: string; headers?: Record<string, string> } = {}): Promise<Client | Refused> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.cookie) headers.cookie = opts.cookie;
    const ws = new WebSocket(`wss://127.0.0.1:${port}${p}`, { rejectUnauthorized: false, headers, ...(opts.origin ? { origin: opts.origin } : {}) });
    const client = new Client(ws);
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      });
      client.opened.then(() => resolve(client), (err: unknown) => (ws.readyState === ws.CLOSED ? undefined : reject(err as Error)));
    });
  }
  async function connected(p: string, opts: Parameters<typeof open>[1] = { token: admin }): Promise<Client> {
    const r = await open(p, opts);
    if (!(r instanceof Client)) throw new Error(`refused ${r.status}: ${JSON.stringify(r.body)}`);
    return r;
  }
  async function refused(p: string, opts: Parameters<typeof open>[1]): Promise<Refused> {
    const r = await open(p, opts);
    if (r instanceof Client) {
      r.ws.close();
      throw new Error(`${p} was accepted`);
    }
    return r;
  }
  const url = (container: string, feature: string, query = '') => `/api/environments/${envId}/containers/${container}/${feature}/ws${query}`;

  const enrol = (name: string) => enrolAgent(base(), admin, name);

  async function user(name: string, role: string | null): Promise<string> {
    const password = `${name}-password-123`;
    const u = await fetchJson(`${base()}/api/users`, { method: 'POST', token: admin, body: { username: name, password } });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    if (role) {
      const a = await fetchJson(`${base()}/api/roles/assignments`, {
        method: 'POST',
        token: admin,
        body: { principal: { type: 'user', id: u.body.id }, scope: { type: 'environment', id: envId }, role },
      });
      expect(a.status, JSON.stringify(a.body)).toBe(201);
    }
    return (await fetchJson(`${base()}/api/auth/login`, { method: 'POST', body: { username: name, password } })).body.token;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-live-'));
    const [s, e] = await Promise.all([
      startServer(testConfig(path.join(dataDir, 'server'), { agentHeartbeatMs: 300, agentDownAfterMs: 3_000 })),
      startEngine(path.join(dataDir, 'engine'), { cgroupParent: CGROUP }),
    ]);
    server = s;
    engine = e;
    port = server.port;
    admin = (await fetchJson(`${base()}/api/setup/admin`, { method: 'POST', body: ADMIN })).body.token;
    await loadTestImage(engine.socket);
    docker('run', '-d', '--name', 'running-one', '--network', 'none', TEST_IMAGE);
    const enrolled = await enrol('live');
    envId = enrolled.envId;
    agent = new TestAgent({ port, dockerSocket: engine.socket, agentId: enrolled.agentId, privateKey: enrolled.privateKey });
    await agent.welcome;
    tokens.helpdesk = await user('helpdesk-user', 'helpdesk');
    tokens.readonly = await user('readonly-user', 'readonly');
    tokens.operator = await user('operator-user', 'operator');
    tokens.nobody = await user('no-role-user', null);
  }, 120_000);

  afterAll(async () => {
    agent?.ws.terminate();
    await server?.close();
    if (engine) stopEngine(engine, { cgroupParent: CGROUP });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs: history, then lines written after connecting on both streams, then end when the container stops', async () => {
    const id = docker('run', '-d', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'echo before; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo after-out; echo after-err >&2; sleep 0.3; echo last');
    const c = await connected(url(id, 'logs', '?tail=all'));
    await until('history', 10_000, () => c.text('stdout').includes('before'));
    expect(c.text()).not.toContain('after-out');
    docker('exec', id, 'touch', '/tmp/go');
    await until('end of log', 15_000, () => c.json.some((m) => m.type === 'end'));
    expect(c.text('stdout')).toBe('before\nafter-out\nlast\n');
    expect(c.text('stderr')).toBe('after-err\n');
    expect(c.json.at(-1)).toEqual({ type: 'end' });
    for (const m of c.json.slice(0, -1)) expect(Object.keys(m).sort()).toEqual(['data', 'stream']);
    expect(await c.closed).toBe(1000);
  });

  it('logs of a TTY container are raw stdout (no frame headers); tail and timestamps are passed on', async () => {
    const id = docker('run', '-d', '-t', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'echo one; echo two; echo three >&2');
    await until('exit', 10_000, async () => (await engineGet(engine.socket, `/containers/${id}/json`)).body.State.Running === false);
    const c = await connected(url(id, 'logs', '?tail=2&timestamps=true'));
    await until('end', 10_000, () => c.json.some((m) => m.type === 'end'));
    expect(c.json.every((m) => m.type === 'end' || m.stream === 'stdout')).toBe(true);
    const lines = c.text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z two\r$/);
    expect(lines[1]).toMatch(/^\S+Z three\r$/);
  });

  it('console: output, resize reaching the TTY, exit code, audited with who and which container', async () => {
    const c = await connected(url('running-one', 'console', '?cmd=sh&cols=100&rows=30'));
    c.ws.send(Buffer.from('echo hi\n'));
    await until('echo output', 10_000, () => /\r\nhi\r\n/.test(c.output));
    c.ws.send(Buffer.from('stty size\n'));
    await until('initial size', 10_000, () => c.output.includes('30 100'));
    c.ws.send(JSON.stringify({ type: 'resize', cols: 123, rows: 45 }));
    // Text that is not a resize message is stdin.
    c.ws.send('stty size\n');
    await until('resized', 10_000, () => c.output.includes('45 123'));
    c.ws.send(Buffer.from('exit 3\n'));
    await until('exit message', 10_000, () => c.json.some((m) => m.type === 'exit'));
    expect(c.json).toContainEqual({ type: 'exit', exitCode: 3 });
    expect(await c.closed).toBe(1000);

    await server.app.services.audit.flush();
    const start = await fetchJson(`${base()}/api/audit?action=containers.console&targetId=${envId}`, { token: admin });
    expect(start.body.items[0]).toMatchObject({ actorName: ADMIN.username, outcome: 'success', statusCode: 101, details: { containerId: 'running-one', cmd: 'sh' } });
    await until('end record', 5_000, async () => (await fetchJson(`${base()}/api/audit?action=containers.console.end&targetId=${envId}`, { token: admin })).body.items.length > 0);
    const end = await fetchJson(`${base()}/api/audit?action=containers.console.end&targetId=${envId}`, { token: admin });
    expect(end.body.items[0]).toMatchObject({ actorName: ADMIN.username, details: { containerId: 'running-one', exitCode: 3 } });
  });

  it('stats: samples about once a second with sane numbers, until the browser leaves', async () => {
    const c = await connected(url('running-one', 'stats'));
    await until('two samples', 15_000, () => c.json.length >= 2);
    c.ws.close();
    for (const s of c.json.slice(0, 2)) {
      expect(Object.keys(s).sort()).toEqual(
        ['at', 'blockReadBytes', 'blockWriteBytes', 'cpuPercent', 'memoryBytes', 'memoryLimitBytes', 'memoryPercent', 'networkRxBytes', 'networkTxBytes', 'pids'].sort(),
      );
      expect(s.memoryBytes).toBeGreaterThan(0);
      expect(s.memoryLimitBytes).toBeGreaterThanOrEqual(s.memoryBytes);
      expect(s.memoryPercent).toBeGreaterThanOrEqual(0);
      expect(s.memoryPercent).toBeLessThanOrEqual(100);
      expect(s.pids).toBeGreaterThanOrEqual(1);
      expect(s.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(Math.abs(Date.parse(s.at) - Date.now())).toBeLessThan(60_000);
    }
    expect(Date.parse(c.json[1].at)).toBeGreaterThan(Date.parse(c.json[0].at));
    await until('stats stream closed', 5_000, () => agent.mux.streamCount === 0);
  });

  it('roles: helpdesk reads logs but gets no console; read-only gets neither but sees stats; operator gets a console', async () => {
    const helpLogs = await connected(url('running-one', 'logs'), { token: tokens.helpdesk });
    helpLogs.ws.close();
    const helpConsole = await refused(url('running-one', 'console'), { token: tokens.helpdesk });
    expect(helpConsole).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(helpConsole.body.detail).toContain('containers.exec');

    expect(await refused(url('running-one', 'logs'), { token: tokens.readonly })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await refused(url('running-one', 'console'), { token: tokens.readonly })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const roStats = await connected(url('running-one', 'stats'), { token: tokens.readonly });
    roStats.ws.close();

    const op = await connected(url('running-one', 'console'), { token: tokens.operator });
    op.ws.send(Buffer.from('echo operator-$((40+2))\n'));
    await until('operator console', 10_000, () => op.output.includes('operator-42'));
    op.ws.close();

    // The refused console attempt is in the audit log as denied.
    await server.app.services.audit.flush();
    const denied = await fetchJson(`${base()}/api/audit?action=containers.console&outcome=denied&targetId=${envId}`, { token: admin });
    expect(denied.body.items.map((i: { actorName: string }) => i.actorName)).toEqual(expect.arrayContaining(['helpdesk-user', 'readonly-user']));
    await until('streams closed', 5_000, () => agent.mux.streamCount === 0);
  });

  it('no role: 403 whether or not the environment exists; administrators learn 404 for missing environments and containers', async () => {
    for (const feature of ['logs', 'console', 'stats']) {
      expect(await refused(url('running-one', feature), { token: tokens.nobody })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
      expect(await refused(`/api/environments/99999/containers/running-one/${feature}/ws`, { token: tokens.nobody })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
      expect(await refused(`/api/environments/99999/containers/running-one/${feature}/ws`, { token: admin })).toMatchObject({ status: 404, body: { code: 'not_found' } });
      expect(await refused(url('no-such-container', feature), { token: admin })).toMatchObject({ status: 404, body: { code: 'not_found' } });
    }
  });

  it('refuses unauthenticated, cross-origin, bad input and offline environments with Problem JSON before upgrading', async () => {
    expect(await refused(url('running-one', 'logs'), {})).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
    expect(await refused(url('running-one', 'logs'), { token: 'not-a-token' })).toMatchObject({ status: 401 });

    // The browser path: session cookie plus Origin. Same origin passes, another site is refused.
    const cookie = `capstan_session=${admin}`;
    const same = await connected(url('running-one', 'stats'), { cookie, origin: `https://127.0.0.1:${port}` });
    same.ws.close();
    const evil = await refused(url('running-one', 'console'), { cookie, origin: 'https://evil.example' });
    expect(evil).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(evil.body.detail).toContain('cross-origin');
    expect(await refused(url('running-one', 'logs'), { cookie, origin: `https://127.0.0.1:${port + 1}` })).toMatchObject({ status: 403 });

    for (const q of ['?tail=-1', '?tail=lots', '?timestamps=maybe', '?since=yesterday', '?follow=0']) {
      const r = await refused(url('running-one', 'logs', q), { token: admin });
      expect(r, q).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      expect(r.body.issues[0].location).toBe('query');
    }
    expect(await refused(url('running-one', 'console', '?cols=0&rows=10'), { token: admin })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await refused(url('running-one', 'stats', '?x=1'), { token: admin })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await refused(url('bad%20name', 'logs'), { token: admin })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await refused('/api/environments/abc/containers/x/logs/ws', { token: admin })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });

    // A console on a stopped container: the engine's conflict, still before the upgrade.
    const stopped = docker('create', '--network', 'none', TEST_IMAGE);
    expect(await refused(url(stopped, 'console'), { token: admin })).toMatchObject({ status: 409, body: { code: 'conflict' } });

    const off = await enrol('offline');
    const r = await refused(`/api/environments/${off.envId}/containers/running-one/logs/ws`, { token: admin });
    expect(r).toMatchObject({ status: 503, body: { code: 'environment_offline' } });
  });

  it('closing the browser ends the engine side: the followed log and the exec stop, no tunnel stream stays open', async () => {
    const logs = await connected(url('running-one', 'logs'));
    await until('only the log stream open', 5_000, () => agent.mux.streamCount === 1);
    logs.ws.close();
    await until('log stream closed', 5_000, () => agent.mux.streamCount === 0);

    const before = new Set<string>((await engineGet(engine.socket, '/containers/running-one/json')).body.ExecIDs ?? []);
    const c = await connected(url('running-one', 'console', '?cmd=sh'));
    c.ws.send(Buffer.from('echo ready\n'));
    await until('console up', 10_000, () => /\r\nready\r\n/.test(c.output));
    const execs = ((await engineGet(engine.socket, '/containers/running-one/json')).body.ExecIDs ?? []).filter((x: string) => !before.has(x));
    expect(execs).toHaveLength(1);
    expect((await engineGet(engine.socket, `/exec/${execs[0]}/json`)).body.Running).toBe(true);
    c.ws.terminate();
    await until('exec ended', 10_000, async () => (await engineGet(engine.socket, `/exec/${execs[0]}/json`)).body.Running === false);
    await until('console stream closed', 5_000, () => agent.mux.streamCount === 0);
    await until('end record', 5_000, async () => (await fetchJson(`${base()}/api/audit?action=containers.console.end&targetId=${envId}`, { token: admin })).body.items[0]?.details.execId === execs[0]);
    const end = await fetchJson(`${base()}/api/audit?action=containers.console.end&targetId=${envId}`, { token: admin });
    expect(end.body.items[0].details).toMatchObject({ hungUp: true, exitCode: expect.any(Number) });
  });

  it('a slow browser holds the agent back instead of filling server memory, and gets everything once it reads', async () => {
    const total = 64 * 1024 * 1024;
    const id = docker('run', '-d', '--network', 'none', TEST_IMAGE, 'sh', '-c', `sleep 1; dd if=/dev/zero bs=1048576 count=${total / 1048576} 2>/dev/null | tr '\\000' y`);
    // Count what the agent puts on the tunnel.
    let sent = 0;
    const pull = agent.mux.pull.bind(agent.mux);
    agent.mux.pull = (max?: number): Frame[] => {
      const frames = pull(max);
      for (const f of frames) if (f.type === 'data') sent += f.payload.length;
      return frames;
    };
    try {
      const c = await connected(url(id, 'logs', '?tail=all'));
      c.ws.pause();
      // Until nothing more moves for a second (40 polls 25 ms apart): the agent is out of credit
      // while the browser reads nothing.
      let last = -1;
      let still = 0;
      await until(
        'the agent to stop sending',
        60_000,
        () => {
          still = sent === last && sent > 0 ? still + 1 : 0;
          last = sent;
          return still >= 40;
        },
        25,
      );
      expect(sent).toBeLessThan(total / 2);
      c.ws.resume();
      await until('the whole log', 120_000, () => c.json.some((m) => m.type === 'end'));
      expect(c.text().replace(/\n/g, '').length).toBe(total);
      expect(c.text()).toMatch(/^y+$/);
    } finally {
      agent.mux.pull = pull;
    }
  }, 180_000);

  it('an agent that goes away mid-stream: the browser gets an error message and close 1011', async () => {
    const c = await connected(url('running-one', 'logs'));
    agent.ws.terminate();
    await c.closed;
    expect(c.closeCode).toBe(1011);
    expect(c.json.at(-1)).toMatchObject({ type: 'error', code: 'environment_offline' });
  });
});
