// The container-run variant of the join command, all real: the capstan/agent image built without any
// registry into one rig host's engine, moved to another with docker save | docker load, and the server's
// dockerCommand run there exactly as given; the environment goes up through the containerised agent.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAgentBundle } from '../packages/agent/scripts/bundle.ts';
import { AGENT_IMAGE, buildAgentImage } from '../packages/agent/scripts/image.ts';
import { startServer, type RunningServer } from '../packages/server/src/server.ts';
import { ADMIN } from '../packages/server/test/helpers/harness.ts';
import { fetchJson } from '../packages/server/test/helpers/https-client.ts';
import { freePort } from '../packages/server/test/helpers/server-process.ts';
import { testConfig } from '../packages/server/test/helpers/server-config.ts';
import { startHosts, stopAll, type Host } from './rig/index.ts';

const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Runs a shell line on a rig host whose docker CLI talks to the host's own engine; resolves output and exit code. */
function shellOn(host: Host, line: string, home: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = host.spawn('sh', ['-c', line], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: HOST_PATH, HOME: home, DOCKER_HOST: `unix://${host.dockerSocket}` },
    });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('the agent as a container (rig, image built without a registry)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-agent-container-'));
  let server: RunningServer;
  let builder: Host;
  let host: Host;
  let token = '';
  const api = (p: string, opts: Parameters<typeof fetchJson>[1] = {}) => fetchJson(`https://127.0.0.1:${server.port}${p}`, { token, ...opts });

  beforeAll(async () => {
    const bundle = await ensureAgentBundle();
    [builder, host] = (await startHosts(2, { loadImage: false })) as [Host, Host];
    await buildAgentImage({ dockerHost: `unix://${builder.dockerSocket}` });
    // Any engine can take it: save from the builder's, load into the host's.
    const moved = await new Promise<number | null>((resolve) => {
      const child = spawn('sh', ['-c', 'docker -H "$1" save "$3" | docker -H "$2" load -q', 'sh', `unix://${builder.dockerSocket}`, `unix://${host.dockerSocket}`, AGENT_IMAGE], {
        stdio: 'ignore',
      });
      child.on('close', resolve);
    });
    expect(moved).toBe(0);
    const port = await freePort();
    server = await startServer(testConfig(path.join(dir, 'data'), { host: '0.0.0.0', port, publicUrl: `https://${host.rootAddress}:${port}`, agentBundle: bundle }));
    token = (await api('/api/setup/admin', { method: 'POST', body: ADMIN })).body.token as string;
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const waitUp = async (id: number, withinMs: number, logs: () => Promise<string>) => {
    const started = Date.now();
    while ((await api(`/api/environments/${id}`)).body.status !== 'up') {
      if (Date.now() - started > withinMs) throw new Error(`environment ${id} not up within ${withinMs} ms; agent container log:\n${await logs()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('runs the dockerCommand as given and the environment goes up, and stays one agent across a container restart', async () => {
    const env = await api('/api/environments', { method: 'POST', body: { name: 'containerised' } });
    expect(env.status).toBe(201);
    const jt = await api(`/api/environments/${env.body.id}/join-tokens`, { method: 'POST', body: {} });
    expect(jt.status).toBe(201);
    const command = jt.body.dockerCommand as string;
    expect(command).toContain(`${AGENT_IMAGE} --server https://${host.rootAddress}:${server.port} --join-token ${jt.body.token} --server-fingerprint `);
    const home = path.join(dir, 'home');
    mkdirSync(home);
    const logs = async () => (await shellOn(host, 'docker logs capstan-agent', home)).output;

    const ran = await shellOn(host, command, home);
    expect(ran.code, ran.output).toBe(0);
    await waitUp(env.body.id, 30_000, logs);
    // The agent in the container serves the engine that runs it: it sees itself.
    const inspected = await host.docker(['inspect', '--format', '{{.Config.Image}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.NetworkMode}}', 'capstan-agent']);
    expect(inspected.trim()).toBe(`${AGENT_IMAGE} unless-stopped host`);
    const agents = await api(`/api/environments/${env.body.id}/agents`);
    expect(agents.body.items).toHaveLength(1);

    // Restarted with the same arguments, the agent keeps its identity from the state volume.
    const restarted = await shellOn(host, 'docker restart -t 5 capstan-agent', home);
    expect(restarted.code, restarted.output).toBe(0);
    await waitUp(env.body.id, 30_000, logs);
    const after = await api(`/api/environments/${env.body.id}/agents`);
    expect(after.body.items).toHaveLength(1);
    expect(after.body.items[0].id).toBe(agents.body.items[0].id);
    expect(after.body.items[0].fingerprint).toBe(agents.body.items[0].fingerprint);
    expect(await logs()).not.toMatch(/ERROR/);
  }, 120_000);
});
