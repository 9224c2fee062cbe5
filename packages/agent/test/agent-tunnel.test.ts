// The agent against a real dockerd (the e2e rig) and a real WebSocket peer playing the server.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, stopAll, TEST_IMAGE, type Host } from '../../../e2e/rig/index.ts';
import { INITIAL_STREAM_WINDOW } from '@capstan/protocol';
import { startAgent, type RunningAgent } from '../src/agent.ts';
import type { AgentOptions } from '../src/config/options.ts';
import { dockerEngine } from '../src/engine/docker-engine.ts';
import { EnrolError } from '../src/identity/enrol.ts';
import { createLogger, type Logger } from '../src/log/logger.ts';
import { TestPeer } from './support/test-peer.ts';

const lines: string[] = [];
const log: Logger = createLogger('debug', (line) => lines.push(line));

function direct(socket: string, pathname: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path: pathname }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', reject);
    req.end();
  });
}

const token = () => `cjt_${'A'.repeat(40)}${Math.floor(Math.random() * 900 + 100)}`;

describe('edge agent tunnel', () => {
  let host: Host;
  let peer: TestPeer;
  let agent: RunningAgent;
  let stateDir: string;
  const dirs: string[] = [];
  const agents: RunningAgent[] = [];

  const options = (dir: string, server: URL, joinToken?: string): AgentOptions => ({
    server,
    joinToken,
    stateDir: dir,
    docker: { kind: 'unix', socketPath: host.dockerSocket },
    insecure: true,
    caFile: undefined,
    serverFingerprint: undefined,
    logLevel: 'debug',
  });
  const tmp = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'capstan-agent-'));
    dirs.push(d);
    return d;
  };
  const start = async (o: AgentOptions) => {
    const a = await startAgent(o, { log, hostname: 'edge-1', engine: dockerEngine(o.docker) });
    agents.push(a);
    return a;
  };

  beforeAll(async () => {
    [host] = (await startHosts(1)) as [Host];
    peer = await TestPeer.start();
    stateDir = tmp();
    agent = await start(options(stateDir, peer.url, token()));
  });

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await peer?.close();
    await stopAll();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('enrols, stores its key 0600, and signs the challenge', async () => {
    const conn = await peer.welcomed();
    expect(agent.identity.agentId).toBe(7);
    expect(statSync(path.join(stateDir, 'identity.json')).mode & 0o777).toBe(0o600);
    expect(agent.identity.serverCertSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(conn.hello).toMatchObject({ agentId: 7, protocolVersion: 1, capabilities: expect.arrayContaining(['docker-http', 'docker-hijack', 'snapshots.v1']) });
    expect(conn.hello?.engine?.apiVersion).toMatch(/^1\.\d+$/);
  });

  it('reports a used join token with the server problem detail', async () => {
    const used = [...peer.usedTokens][0]!;
    const err = await startAgent(options(tmp(), peer.url, used), { log, hostname: 'edge-2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnrolError);
    expect((err as EnrolError).message).toContain('this join token was used already');
    expect((err as EnrolError).code).toBe('join_token_used');
  });

  it('serves GET /containers/json exactly as the socket does', async () => {
    const conn = await peer.welcomed();
    await host.docker(['run', '-d', '--name', 'listed', TEST_IMAGE]);
    const res = await conn.http('GET', '/containers/json?all=1');
    expect(res.status).toBe(200);
    expect(res.headers['Content-Type']).toBe('application/json');
    expect(res.json()).toEqual(await direct(host.dockerSocket, '/containers/json?all=1'));
  });

  it('creates (POST with a body) and starts a container', async () => {
    const conn = await peer.welcomed();
    const created = await conn.http('POST', '/containers/create?name=made-through-tunnel', { Image: TEST_IMAGE, Labels: { via: 'tunnel' } });
    expect(created.status).toBe(201);
    const id = created.json().Id as string;
    const started = await conn.http('POST', `/containers/${id}/start`);
    expect(started.status).toBe(204);
    const inspect = await conn.http('GET', `/containers/${id}/json`);
    expect(inspect.json().State.Running).toBe(true);
    expect(inspect.json().Config.Labels.via).toBe('tunnel');
  });

  it('keeps serving other streams while an unread log stream is out of credit', async () => {
    const conn = await peer.welcomed();
    const id = (await host.docker(['run', '-d', TEST_IMAGE, 'sh', '-c', 'yes log-line-of-some-length'])).trim();
    const logs = conn.open({ kind: 'docker-http', header: { method: 'GET', path: `/containers/${id}/logs?follow=1&stdout=1`, headers: {} } });
    logs.autoConsume = false;
    logs.end();
    await logs.until(() => logs.received >= INITIAL_STREAM_WINDOW);
    const other = await conn.http('GET', '/version');
    expect(other.status).toBe(200);
    expect(logs.received).toBe(INITIAL_STREAM_WINDOW); // never beyond the credit we gave
    const before = logs.received;
    logs.autoConsume = true;
    logs.consumeAll();
    await logs.until(() => logs.received > before + 2 * INITIAL_STREAM_WINDOW);
    logs.stream.reset('cancelled');
    conn.flush();
    expect(logs.text()).toContain('log-line-of-some-length');
  });

  it('runs an exec through a docker-hijack stream', async () => {
    const conn = await peer.welcomed();
    const id = (await host.docker(['run', '-d', TEST_IMAGE])).trim();
    const exec = await conn.http('POST', `/containers/${id}/exec`, { AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true, Cmd: ['sh'] });
    expect(exec.status).toBe(201);
    const body = Buffer.from(JSON.stringify({ Detach: false, Tty: true }));
    const s = conn.open({
      kind: 'docker-hijack',
      header: { method: 'POST', path: `/exec/${exec.json().Id}/start`, headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } },
    });
    s.write(Buffer.concat([body, Buffer.from('echo h""i\n')]));
    await s.until(() => s.status !== undefined);
    expect(s.status).toBe(101);
    await s.until(() => /\bhi\r?\n/.test(s.text()));
    s.write('exit\n');
    await s.until(() => s.ended);
    s.end();
  });

  it('reconnects after the server drops the socket, without a storm', async () => {
    const before = peer.connections.length;
    peer.dropAll();
    await peer.welcomed(peer.connections.filter((c) => c.welcomed).length + 1, 5_000);
    expect(peer.connections.length).toBe(before + 1);
    // A server that hangs up at once: the backoff grows (0.5 s, 1 s, 2 s … ±50 %), no reconnect storm.
    peer.mode = 'drop-on-connect';
    const from = Date.now();
    peer.dropAll();
    await new Promise((r) => setTimeout(r, 3_000));
    const attempts = peer.connectTimes.filter((t) => t >= from).length;
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(5);
    peer.mode = 'normal';
    await peer.welcomed(peer.connections.filter((c) => c.welcomed).length + 1, 10_000);
  });

  it('closes with malformed_frame on a bad frame, then reconnects', async () => {
    const conn = await peer.welcomed();
    const welcomedBefore = peer.connections.filter((c) => c.welcomed).length;
    conn.ws.send(Buffer.from([0x09, 0x01, 0x02]));
    await peer.until(() => conn.closed);
    expect(conn.received.at(-1)).toMatchObject({ type: 'error', code: 'malformed_frame' });
    await peer.welcomed(welcomedBefore + 1, 5_000);
  });

  it('is refused when its key does not verify, and then retries only slowly', async () => {
    const other = await TestPeer.start();
    try {
      other.forceKeyPem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const a = await start(options(tmp(), other.url, token()));
      expect(a.identity.agentId).toBe(7);
      await other.until(() => other.connections.length === 1 && other.connections[0]!.closed);
      expect(other.connections[0]!.welcomed).toBe(false);
      expect(other.connections[0]!.hello?.agentId).toBe(7);
      await new Promise((r) => setTimeout(r, 2_000));
      expect(other.connections.length).toBe(1);
      expect(lines.some((l) => l.includes('the server refuses this agent'))).toBe(true);
      await a.stop();
    } finally {
      await other.close();
    }
  });

  it('drops a connection whose server went silent (3 heartbeat intervals)', async () => {
    const quiet = await TestPeer.start({ heartbeatIntervalMs: 200 });
    try {
      quiet.mode = 'silent-after-welcome';
      const a = await start(options(tmp(), quiet.url, token()));
      const conn = await quiet.welcomed();
      const t0 = Date.now();
      await quiet.until(() => conn.closed, 5_000);
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(conn.received.some((f) => f.type === 'error' && f.code === 'heartbeat_timeout')).toBe(true);
      await a.stop();
    } finally {
      await quiet.close();
    }
  });
});
