// Live engine state end to end: a real agent inside a rig host reports its engine to a real server;
// the snapshot API and the environment list follow what happens on that engine.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../packages/server/src/server.ts';
import { ADMIN } from '../packages/server/test/helpers/harness.ts';
import { fetchJson } from '../packages/server/test/helpers/https-client.ts';
import { freePort } from '../packages/server/test/helpers/server-process.ts';
import { testConfig } from '../packages/server/test/helpers/server-config.ts';
import { startHosts, stopAll, TEST_IMAGE, type Host } from './rig/index.ts';

const AGENT_BIN = path.resolve(import.meta.dirname, '../packages/agent/bin/capstan-agent.js');

interface Named {
  name: string;
}
interface SnapshotBody {
  environmentId: number;
  takenAt: string;
  receivedAt: string;
  hash: string;
  live: boolean;
  snapshot: {
    engine: { version: string; apiVersion: string };
    containers: Array<Named & { id: string; state: string; composeProject: string | null; composeService: string | null }>;
    images: Array<{ id: string; repoTags: string[] }>;
    volumes: Named[];
    networks: Array<Named & { id: string }>;
    composeProjects: Array<Named & { services: string[]; containers: number; running: number }>;
  };
}

describe('live engine state end to end (rig, real server, real agent)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-e2e-state-'));
  let server: RunningServer;
  let host: Host;
  let agent: ChildProcess | null = null;
  let token = '';
  let envId = 0;

  const api = (p: string, opts: Parameters<typeof fetchJson>[1] = {}) => fetchJson(`https://127.0.0.1:${server.port}${p}`, { token, ...opts });
  const lines = async (args: string[]) => (await host.docker(args)).split('\n').filter(Boolean);

  /** Polls the snapshot API until `ok` holds (content, not timing: the deadline is generous). */
  async function snapshotWhere(what: string, ok: (s: SnapshotBody) => boolean, withinMs = 30_000): Promise<SnapshotBody> {
    const deadline = Date.now() + withinMs;
    let last: unknown;
    for (;;) {
      const r = await api(`/api/environments/${envId}/snapshot`);
      last = r.body;
      if (r.status === 200 && ok(r.body as SnapshotBody)) return r.body as SnapshotBody;
      if (Date.now() > deadline) throw new Error(`no snapshot with ${what} within ${withinMs} ms; last answer: ${JSON.stringify(last).slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    [host] = (await startHosts(1)) as [Host];
    // Some state before the agent joins: the first, full snapshot must carry it.
    await host.docker(['volume', 'create', 'pre-vol']);
    await host.docker(['run', '-d', '--name', 'pre-web', TEST_IMAGE]);
    const port = await freePort();
    server = await startServer(testConfig(path.join(dir, 'data'), { host: '0.0.0.0', port, publicUrl: `https://${host.rootAddress}:${port}` }));
    token = (await api('/api/setup/admin', { method: 'POST', body: ADMIN })).body.token;
    const created = await api('/api/environments', { method: 'POST', body: { name: 'live-site' } });
    expect(created.status).toBe(201);
    envId = created.body.id;
    const jt = await api(`/api/environments/${envId}/join-tokens`, { method: 'POST', body: {} });
    expect(jt.status).toBe(201);
    // A long resync period: every change seen below arrives as a delta driven by engine events.
    agent = host.spawn(
      process.execPath,
      [
        AGENT_BIN,
        ...['--server', `https://${host.rootAddress}:${port}`, '--join-token', jt.body.token, '--insecure'],
        ...['--state-dir', path.join(dir, 'agent'), '--log-level', 'warn', '--resync-interval', '1h'],
      ],
      { stdio: 'ignore', env: { ...process.env, DOCKER_HOST: `unix://${host.dockerSocket}` } },
    );
  }, 120_000);

  afterAll(async () => {
    agent?.kill('SIGKILL');
    await server?.close();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the engine as the agent first reports it, and counts containers in the environment list', async () => {
    const s = await snapshotWhere('the pre-existing container', (b) => b.snapshot.containers.some((c) => c.name === 'pre-web'), 15_000);
    expect(s.live).toBe(true);
    expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(s.snapshot.engine.version).toBe((await host.docker(['version', '--format', '{{.Server.Version}}'])).trim());
    expect(s.snapshot.containers.map((c) => c.name).sort()).toEqual((await lines(['ps', '-a', '--format', '{{.Names}}'])).sort());
    expect(s.snapshot.volumes.map((v) => v.name).sort()).toEqual((await lines(['volume', 'ls', '--format', '{{.Name}}'])).sort());
    expect(s.snapshot.networks.map((n) => n.name).sort()).toEqual((await lines(['network', 'ls', '--format', '{{.Name}}'])).sort());
    expect(s.snapshot.images.flatMap((i) => i.repoTags)).toContain(TEST_IMAGE);

    const list = await api('/api/environments');
    const env = (list.body.items as Array<{ id: number; status: string; containers: unknown; engineVersion: string; agentVersion: string }>).find((e) => e.id === envId);
    expect(env).toMatchObject({ status: 'up', containers: { total: 1, running: 1, stopped: 0, unhealthy: 0 }, engineVersion: s.snapshot.engine.version });
    expect(env?.agentVersion).toBeTruthy();
  });

  it('follows new containers, volumes and networks on the host', async () => {
    const first = (await api(`/api/environments/${envId}/snapshot`)).body as SnapshotBody;
    await host.docker(['volume', 'create', 'new-vol']);
    await host.docker(['network', 'create', 'new-net']);
    await host.docker(['create', '--name', 'new-box', '--network', 'new-net', '-v', 'new-vol:/data', TEST_IMAGE]);
    const s = await snapshotWhere(
      'the new container, volume and network',
      (b) => b.snapshot.containers.some((c) => c.name === 'new-box') && b.snapshot.volumes.some((v) => v.name === 'new-vol') && b.snapshot.networks.some((n) => n.name === 'new-net'),
    );
    expect(s.hash).not.toBe(first.hash);
    expect(s.snapshot.containers.find((c) => c.name === 'new-box')?.state).toBe('created');
    const env = await api(`/api/environments/${envId}`);
    expect(env.body.containers).toEqual({ total: 2, running: 1, stopped: 1, unhealthy: 0 });

    await host.docker(['rm', 'new-box']);
    await snapshotWhere('the container removed', (b) => !b.snapshot.containers.some((c) => c.name === 'new-box'));
  });

  it('shows a compose-labelled container as a compose project', async () => {
    await host.docker([
      'run', '-d', '--name', 'shop-web-1',
      '--label', 'com.docker.compose.project=shop',
      '--label', 'com.docker.compose.service=web',
      '--label', 'com.docker.compose.project.working_dir=/srv/shop',
      TEST_IMAGE,
    ]); // prettier-ignore
    const s = await snapshotWhere('the compose project', (b) => b.snapshot.composeProjects.some((p) => p.name === 'shop' && p.running === 1));
    expect(s.snapshot.composeProjects.find((p) => p.name === 'shop')).toMatchObject({ services: ['web'], containers: 1, running: 1, workingDir: '/srv/shop' });
    expect(s.snapshot.containers.find((c) => c.name === 'shop-web-1')).toMatchObject({ composeProject: 'shop', composeService: 'web', state: 'running' });
  });

  it('still serves the last snapshot, not live, after the agent is gone', async () => {
    const before = (await api(`/api/environments/${envId}/snapshot`)).body as SnapshotBody;
    agent?.kill('SIGKILL');
    agent = null;
    const s = await snapshotWhere('live=false', (b) => !b.live);
    expect(s.hash).toBe(before.hash);
    expect(s.snapshot.containers.map((c) => c.name)).toContain('shop-web-1');
    expect((await api(`/api/environments/${envId}`)).body.containers.total).toBe(before.snapshot.containers.length);
  }, 60_000);
});
