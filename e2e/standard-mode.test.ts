// End to end, all real: the server in the root namespace, the agent inside a rig host (a network
// namespace with its own dockerd that accepts no inbound connection), and the stock docker CLI
// talking to that engine through the server.
import { execFile, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAgentBundle } from '../packages/agent/scripts/bundle.ts';
import { startServer, type RunningServer } from '../packages/server/src/server.ts';
import { ADMIN } from '../packages/server/test/helpers/harness.ts';
import { fetchJson } from '../packages/server/test/helpers/https-client.ts';
import { freePort } from '../packages/server/test/helpers/server-process.ts';
import { testConfig } from '../packages/server/test/helpers/server-config.ts';
import { startHosts, stopAll, TEST_IMAGE, type Host } from './rig/index.ts';

const run = promisify(execFile);
const AGENT_BIN = path.resolve(import.meta.dirname, '../packages/agent/bin/capstan-agent.js');

interface Env {
  id: number;
  host: Host;
  agent: ChildProcess;
}

// A host of the kind agents are installed on: its own system node (v20 here), curl and sha256sum on PATH.
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Stops a join command's shell and the agent it started (sh does not pass signals on to its last command). */
function stopJoined(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

describe('Standard mode end to end (rig, real server, real agent, docker CLI)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-e2e-'));
  let server: RunningServer;
  let token = '';
  let apiKey = '';
  let bundle = '';
  const envs: Env[] = [];
  const dockerConfig = path.join(dir, 'docker-config');
  const certDir = path.join(dir, 'docker-certs');

  const api = (p: string, opts: Parameters<typeof fetchJson>[1] = {}) =>
    fetchJson(`https://127.0.0.1:${server.port}${p}`, { token, ...opts });

  /** The stock docker CLI pointed at one environment through the server, authenticated by API key. */
  const docker = async (env: Env, args: string[]) => {
    const { stdout } = await run(
      'docker',
      ['--config', dockerConfig, '--tlsverify', '-H', `tcp://127.0.0.1:${server.port}/api/environments/${env.id}/docker`, ...args],
      // The CLI trusts the server's own (self-signed) certificate as its CA: verified TLS, no --insecure.
      { timeout: 30_000, env: { ...process.env, DOCKER_CERT_PATH: certDir } },
    );
    return stdout;
  };

  async function join(host: Host, name: string): Promise<Env> {
    const created = await api('/api/environments', { method: 'POST', body: { name } });
    expect(created.status).toBe(201);
    const jt = await api(`/api/environments/${created.body.id}/join-tokens`, { method: 'POST', body: {} });
    expect(jt.status).toBe(201);
    // The join command names the address the host reaches the server on.
    expect(jt.body.command).toContain(`https://${host.rootAddress}:${server.port}`);
    // Run the join command exactly as given, through sh on the host: it downloads the bundled agent from
    // the server, checks its SHA-256 and runs it with the host's node, pinning the self-signed certificate.
    // The rig host only adds where its engine and this test's agent state live.
    const command = jt.body.command as string;
    expect(command.startsWith(`curl -fsSk -o capstan-agent.js https://${host.rootAddress}:${server.port}/api/agents/capstan-agent.js && `)).toBe(true);
    expect(command).toContain('--server-fingerprint');
    const cwd = path.join(dir, `host-${name}`);
    mkdirSync(cwd);
    const started = Date.now();
    const agent = host.spawn('sh', ['-c', command], {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: HOST_PATH, HOME: cwd, DOCKER_HOST: `unix://${host.dockerSocket}`, CAPSTAN_AGENT_STATE_DIR: path.join(dir, `agent-${name}`) },
    });
    let output = '';
    const keep = (c: Buffer) => (output = (output + c.toString()).slice(-4000));
    agent.stdout?.on('data', keep);
    agent.stderr?.on('data', keep);
    for (;;) {
      const s = await api(`/api/environments/${created.body.id}`);
      if (s.body.status === 'up') break;
      if (Date.now() - started > 5_000) throw new Error(`${name} did not come up within 5 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output).toContain('capstan-agent.js: OK');
    // Enrolment gave the agent a client certificate from the server's CA; it presents it (mTLS).
    const live = await api(`/api/environments/${created.body.id}/status`);
    expect(live.body).toMatchObject({ connected: true, mtls: true });
    expect(readFileSync(path.join(cwd, 'capstan-agent.js'))).toEqual(readFileSync(bundle));
    const env = { id: created.body.id as number, host, agent };
    envs.push(env);
    return env;
  }

  beforeAll(async () => {
    bundle = await ensureAgentBundle();
    const hosts = await startHosts(2);
    const port = await freePort();
    server = await startServer(
      testConfig(path.join(dir, 'data'), {
        host: '0.0.0.0',
        port,
        publicUrl: `https://${hosts[0]!.rootAddress}:${port}`,
        agentBundle: bundle,
      }),
    );
    const setup = await api('/api/setup/admin', { method: 'POST', body: ADMIN });
    token = setup.body.token;
    const key = await api('/api/api-keys', { method: 'POST', body: { name: 'docker-cli' } });
    apiKey = key.body.key;
    mkdirSync(dockerConfig, { recursive: true });
    mkdirSync(certDir, { recursive: true });
    copyFileSync(server.certFile, path.join(certDir, 'ca.pem'));
    writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ HttpHeaders: { 'X-API-Key': apiKey } }));
    await join(hosts[0]!, 'site-a');
    // The second host's join command would name its own address: build it the same way.
    await server.close();
    server = await startServer(
      testConfig(path.join(dir, 'data'), { host: '0.0.0.0', port, publicUrl: `https://${hosts[1]!.rootAddress}:${port}`, agentBundle: bundle }),
    );
    await join(hosts[1]!, 'site-b');
  }, 120_000);

  afterAll(async () => {
    for (const e of envs) stopJoined(e.agent);
    await server?.close();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs, lists, logs, execs and reports stats through the server, each host seeing only its own engine', async () => {
    const [a, b] = envs as [Env, Env];
    // site-a's agent reconnects by itself after the server restart in beforeAll.
    for (let i = 0; i < 100 && (await api(`/api/environments/${a.id}`)).body.status !== 'up'; i++) await new Promise((r) => setTimeout(r, 100));
    const id = (await docker(a, ['run', '-d', '--name', 'web-a', TEST_IMAGE, 'sh', '-c', 'echo hello-from-a; sleep 600'])).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(await docker(a, ['ps', '--format', '{{.Names}}'])).toContain('web-a');
    expect(await docker(b, ['ps', '-a', '--format', '{{.Names}}'])).not.toContain('web-a');
    // And the engine itself agrees.
    expect(await a.host.docker(['ps', '--format', '{{.Names}}'])).toContain('web-a');
    expect(await docker(a, ['logs', 'web-a'])).toContain('hello-from-a');
    expect((await docker(a, ['exec', 'web-a', 'echo', 'exec-ok'])).trim()).toBe('exec-ok');
    // An interactive exec, scripted: stdin goes up the hijacked connection, output comes back.
    const interactive = execFile(
      'docker',
      ['--config', dockerConfig, '--tlsverify', '-H', `tcp://127.0.0.1:${server.port}/api/environments/${a.id}/docker`, 'exec', '-i', 'web-a', 'sh'],
      { timeout: 30_000, env: { ...process.env, DOCKER_CERT_PATH: certDir } },
    );
    let said = '';
    interactive.stdout?.on('data', (d: Buffer) => (said += d.toString()));
    interactive.stdin?.end('echo typed-$((6*7))\nexit\n');
    await new Promise((r) => interactive.once('exit', r));
    expect(said.trim()).toBe('typed-42');
    const stats = await docker(a, ['stats', '--no-stream', '--format', '{{.Name}}', 'web-a']);
    expect(stats.trim()).toBe('web-a');
    await docker(a, ['rm', '-f', 'web-a']);
  });

  const waitStatus = async (env: Env, want: 'up' | 'down', withinMs: number): Promise<number> => {
    const started = Date.now();
    for (;;) {
      if ((await api(`/api/environments/${env.id}`)).body.status === want) return Date.now() - started;
      if (Date.now() - started > withinMs) throw new Error(`environment ${env.id} not ${want} within ${withinMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('marks a cut-off host down within 15 s and brings it back within 10 s of the link returning', async () => {
    const [a, b] = envs as [Env, Env];
    await waitStatus(a, 'up', 10_000);
    await a.host.cutLink();
    const downAfter = await waitStatus(a, 'down', 15_000);
    expect(downAfter).toBeLessThanOrEqual(15_000);
    expect((await api(`/api/environments/${b.id}`)).body.status).toBe('up');
    const offline = await fetchJson(`https://127.0.0.1:${server.port}/api/environments/${a.id}/docker/containers/json`, { token });
    expect(offline.status).toBe(503);
    await a.host.restoreLink();
    const upAfter = await waitStatus(a, 'up', 10_000);
    expect(upAfter).toBeLessThanOrEqual(10_000);
    expect(await docker(a, ['ps', '-q'])).toBe('');
  }, 60_000);

  it('lets the newer of two agents with one identity keep the tunnel, without flapping', async () => {
    const [a] = envs as [Env, Env];
    await waitStatus(a, 'up', 10_000);
    const takeovers = async () =>
      (await api(`/api/audit?action=agents.superseded&targetId=${a.id}&limit=1000`)).body.total as number;
    const before = await takeovers();
    // A cloned state directory: the same key pair, another process.
    cpSync(path.join(dir, 'agent-site-a'), path.join(dir, 'agent-site-a-clone'), { recursive: true });
    const clone = a.host.spawn(
      process.execPath,
      [AGENT_BIN, '--state-dir', path.join(dir, 'agent-site-a-clone'), '--docker-host', `unix://${a.host.dockerSocket}`, '--log-level', 'warn'],
      { stdio: 'ignore' },
    );
    try {
      for (let i = 0; i < 100 && (await takeovers()) === before; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await takeovers()).toBe(before + 1); // the clone took over
      await new Promise((r) => setTimeout(r, 12_000)); // several reconnect periods of the fenced agent
      expect(await takeovers()).toBe(before + 1); // nobody took it back: no flapping
      expect((await api(`/api/environments/${a.id}`)).body.status).toBe('up');
      expect(await docker(a, ['ps', '-q'])).toBe('');
    } finally {
      clone.kill('SIGTERM');
    }
  }, 60_000);
});
