// Stacks end to end, all real: the server in the root namespace, the agent process inside a rig
// host with its own dockerd. A two-service stack is created and deployed through the API, planned
// live, changed (only the changed service's container is recreated), rolled back to version 1, its
// deploy followed as Server-Sent Events, and deleted; containers are checked on the engine itself.
import { execFile, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
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
const CAPSTAN = path.resolve(import.meta.dirname, '../node_modules/.bin/capstan');
const PROJECT = 'shop';

// No networks: the rig's engines run without a bridge. The test image's own healthcheck first
// probes after 5 s; a 1 s one keeps the health gate short.
const compose = (greeting: string) =>
  [
    'x-health: &health',
    '  test: ["CMD", "true"]',
    '  interval: 1s',
    'services:',
    '  web:',
    `    image: ${TEST_IMAGE}`,
    '    command: ["sleep", "3600"]',
    '    network_mode: none',
    '    healthcheck: *health',
    '    environment:',
    `      GREETING: ${greeting}`,
    '      TOKEN: ${TOKEN}',
    '  worker:',
    `    image: ${TEST_IMAGE}`,
    '    command: ["sleep", "3600"]',
    '    network_mode: none',
    '    healthcheck: *health',
    '',
  ].join('\n');

// The acceptance stack: five services with healthchecks, started in dependency order on health.
// `webCheck` lets a version ship a web healthcheck that fails (the health gate must roll it back).
const fleet = (apiGreeting: string, webCheck = '["CMD", "true"]') =>
  [
    'x-svc: &svc',
    `  image: ${TEST_IMAGE}`,
    '  command: ["sleep", "3600"]',
    '  network_mode: none',
    '  healthcheck:',
    '    test: ["CMD", "true"]',
    '    interval: 1s',
    '    retries: 2',
    'services:',
    '  db:',
    '    <<: *svc',
    '  cache:',
    '    <<: *svc',
    '  api:',
    '    <<: *svc',
    '    environment:',
    `      GREETING: ${apiGreeting}`,
    '    depends_on:',
    '      db: { condition: service_healthy }',
    '      cache: { condition: service_healthy }',
    '  worker:',
    '    <<: *svc',
    '    depends_on:',
    '      db: { condition: service_healthy }',
    '  web:',
    '    <<: *svc',
    '    healthcheck:',
    `      test: ${webCheck}`,
    '      interval: 1s',
    '      retries: 2',
    '    depends_on:',
    '      api: { condition: service_healthy }',
    '',
  ].join('\n');

async function until<T>(what: string, ms: number, check: () => Promise<T | false | undefined | null>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Reads a Server-Sent Events response to its end (the server ends it after the final status). */
function readEvents(url: string, token: string, ms: number): Promise<{ status: number; type: string; events: Array<{ event: string; data: any }> }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, rejectUnauthorized: false, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        clearTimeout(timer);
        const events = text
          .split('\n\n')
          .map((block) => {
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            return event && data ? { event, data: JSON.parse(data) as unknown } : null;
          })
          .filter((e) => e !== null);
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), events });
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`the event stream did not end within ${ms} ms`)), ms);
    req.on('error', reject);
  });
}

describe('stacks end to end (rig, real server, real agent process)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-e2e-stacks-'));
  let server: RunningServer;
  let host: Host;
  let token = '';
  let envId = 0;
  let stackId = 0;
  let agent: ChildProcess | null = null;
  let agentLog = -1;
  const versions: Array<{ id: number; number: number }> = [];

  const base = () => `https://127.0.0.1:${server.port}`;
  const api = (p: string, opts: Parameters<typeof fetchJson>[1] = {}) => fetchJson(`${base()}${p}`, { token, ...opts });
  const ok = async (p: string, opts: Parameters<typeof fetchJson>[1], status: number) => {
    const r = await api(p, opts);
    expect(r.status, `${opts?.method ?? 'GET'} ${p}: ${JSON.stringify(r.body)}`).toBe(status);
    return r.body;
  };
  /** Waits for a version to end; answers it. */
  const ended = (versionId: number) =>
    until(`version ${versionId} to end`, 90_000, async () => {
      const v = (await api(`/api/stacks/${stackId}/versions/${versionId}`)).body;
      return ['deployed', 'failed', 'rolled_back', 'superseded'].includes(v.status) ? v : null;
    });
  /** service → container id of the project, from the host's engine. */
  const containers = async (): Promise<Record<string, string>> => {
    const out = await host.docker(['ps', '-a', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.ID}} {{.Label "com.docker.compose.service"}} {{.State}}']);
    const map: Record<string, string> = {};
    for (const line of out.trim().split('\n').filter(Boolean)) {
      const [id, service, state] = line.split(' ');
      expect(state, line).toBe('running');
      map[service!] = id!;
    }
    return map;
  };
  /** service → { id, health, started } of a project's containers on the host's engine. */
  const inspectProject = async (project: string) => {
    const ids = (await host.docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])).trim().split('\n').filter(Boolean);
    const out: Record<string, { id: string; health: string; started: string; env: string[]; check: string[] }> = {};
    for (const id of ids) {
      const [c] = JSON.parse(await host.docker(['inspect', id])) as Array<{
        Id: string;
        Config: { Labels: Record<string, string>; Env: string[]; Healthcheck?: { Test: string[] } };
        State: { Health?: { Status: string }; StartedAt: string };
      }>;
      if (!c) continue;
      out[c.Config.Labels['com.docker.compose.service'] ?? '?'] = {
        id: c.Id,
        health: c.State.Health?.Status ?? 'none',
        started: c.State.StartedAt,
        env: c.Config.Env,
        check: c.Config.Healthcheck?.Test ?? [],
      };
    }
    return out;
  };
  const envOf = async (containerId: string) => JSON.parse(await host.docker(['inspect', '-f', '{{json .Config.Env}}', containerId])) as string[];

  beforeAll(async () => {
    [host] = (await startHosts(1)) as [Host];
    const port = await freePort();
    server = await startServer(testConfig(path.join(dir, 'data'), { host: '0.0.0.0', port, publicUrl: `https://${host.rootAddress}:${port}` }));
    token = (await api('/api/setup/admin', { method: 'POST', body: ADMIN })).body.token;
    envId = (await api('/api/environments', { method: 'POST', body: { name: 'stacks-site' } })).body.id;
    const jt = await api(`/api/environments/${envId}/join-tokens`, { method: 'POST', body: {} });
    expect(jt.status).toBe(201);
    agentLog = openSync(path.join(dir, 'agent.log'), 'a');
    const flags = [...(jt.body.command as string).matchAll(/(--(?:server|join-token|server-fingerprint)) '?([^\s']+)'?/g)].flatMap((m) => [m[1]!, m[2]!]);
    agent = host.spawn(process.execPath, [AGENT_BIN, ...flags, '--state-dir', path.join(dir, 'agent'), '--log-level', 'info'], {
      stdio: ['ignore', 'ignore', agentLog],
      env: { ...process.env, DOCKER_HOST: `unix://${host.dockerSocket}` },
    });
    await until('the agent to connect', 15_000, async () => (await api(`/api/environments/${envId}/status`)).body.connected === true);
  }, 120_000);

  afterAll(async () => {
    if (agent && agent.exitCode === null) {
      const exited = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGKILL');
      await exited;
    }
    await server?.close();
    await stopAll();
    if (agentLog >= 0) closeSync(agentLog);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates and deploys a two-service stack; its deploy streams step events and ends deployed', async () => {
    const stack = await ok(
      '/api/stacks',
      { method: 'POST', body: { name: PROJECT, environmentId: envId, compose: compose('hello'), variables: [{ name: 'TOKEN', value: 'e2e-secret-token', secret: true }], health: { windowSeconds: 3 } } },
      201,
    );
    stackId = stack.id;
    const v1 = await ok(`/api/stacks/${stackId}/deploy`, { method: 'POST', body: {} }, 202);
    versions.push(v1);
    const stream = await readEvents(`${base()}/api/stacks/${stackId}/versions/${v1.id}/events`, token, 120_000);
    expect(stream.status).toBe(200);
    expect(stream.type).toContain('text/event-stream');
    const steps = stream.events.filter((e) => e.event === 'progress' && e.data.type === 'step');
    expect(steps.length, JSON.stringify(stream.events)).toBeGreaterThan(0);
    const last = stream.events.at(-1)!;
    expect(last).toMatchObject({ event: 'status', data: { id: v1.id, status: 'deployed', final: true } });
    expect(JSON.stringify(stream.events)).not.toContain('e2e-secret-token');

    const done = await ended(v1.id);
    expect(done.status, done.reason).toBe('deployed');
    expect(Object.keys(await containers()).sort()).toEqual(['web', 'worker']);
    const web = (await containers()).web!;
    expect(await envOf(web)).toEqual(expect.arrayContaining(['GREETING=hello', 'TOKEN=e2e-secret-token']));
    expect(await ok(`/api/stacks/${stackId}`, {}, 200)).toMatchObject({ status: 'deployed', currentVersionId: v1.id });
  }, 180_000);

  it('plans live: nothing to do for what runs, only web for a changed variable of web', async () => {
    const same = await ok(`/api/stacks/${stackId}/plan`, { method: 'POST', body: {} }, 200);
    expect(same.liveUnavailable).toBeNull();
    expect(same.plan).toMatchObject({ basis: 'live', noop: true });
    const changed = await ok(`/api/stacks/${stackId}/plan`, { method: 'POST', body: { compose: compose('bonjour') } }, 200);
    const actions = Object.fromEntries(changed.plan.services.map((s: { service: string; action: string }) => [s.service, s.action]));
    expect(actions).toEqual({ web: 'recreate', worker: 'unchanged' });
  }, 90_000);

  it('deploys a change by recreating only the container whose service changed', async () => {
    const before = await containers();
    const v2 = await ok(`/api/stacks/${stackId}/deploy`, { method: 'POST', body: { compose: compose('bonjour') } }, 202);
    versions.push(v2);
    const done = await ended(v2.id);
    expect(done.status, done.reason).toBe('deployed');
    const after = await containers();
    expect(after.worker).toBe(before.worker);
    expect(after.web).not.toBe(before.web);
    expect(await envOf(after.web!)).toContain('GREETING=bonjour');
  }, 120_000);

  it("rolls back to version 1: version 1's configuration runs again, with its image digests pinned", async () => {
    const v1 = versions[0]!;
    const before = await containers();
    const rb = await ok(`/api/stacks/${stackId}/rollback`, { method: 'POST', body: { versionId: v1.id } }, 202);
    const stored = (await api(`/api/stacks/${stackId}/versions/${v1.id}`)).body;
    expect(Object.keys(stored.imageDigests).sort()).toEqual(['web', 'worker']);
    expect(rb).toMatchObject({ kind: 'rollback', rollbackOf: v1.id, imagePins: stored.imageDigests });
    const done = await ended(rb.id);
    expect(done.status, done.reason).toBe('deployed');
    const after = await containers();
    expect(await envOf(after.web!)).toContain('GREETING=hello');
    expect(after.worker).toBe(before.worker);
    // The recreated container runs the pinned image.
    const pinned = (await host.docker(['image', 'inspect', '-f', '{{.Id}}', stored.imageDigests.web])).trim();
    expect((await host.docker(['inspect', '-f', '{{.Image}}', after.web!])).trim()).toBe(pinned);
    const list = (await api(`/api/stacks/${stackId}/versions`)).body.items as Array<{ number: number; kind: string; status: string }>;
    expect(list.map((v) => [v.number, v.kind, v.status])).toEqual([
      [3, 'rollback', 'deployed'],
      [2, 'deploy', 'deployed'],
      [1, 'deploy', 'deployed'],
    ]);
  }, 120_000);

  it("deletes the stack: the agent removes the project's containers, then the stack is gone", async () => {
    const r = await ok(`/api/stacks/${stackId}`, { method: 'DELETE' }, 202);
    expect(r.commandId).toEqual(expect.any(String));
    await until('the stack to be gone', 60_000, async () => (await api(`/api/stacks/${stackId}`)).status === 404);
    expect((await host.docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`])).trim()).toBe('');
  }, 90_000);

  describe('the five-service acceptance stack', () => {
    let fleetId = 0;
    const fleetVersions: number[] = [];
    const fleetEnded = (versionId: number) =>
      until(`fleet version ${versionId} to end`, 120_000, async () => {
        const v = (await api(`/api/stacks/${fleetId}/versions/${versionId}`)).body;
        return ['deployed', 'failed', 'rolled_back', 'superseded'].includes(v.status) ? v : null;
      });

    it('comes up healthy, each service started only after the ones it depends on were healthy', async () => {
      const stack = await ok('/api/stacks', { method: 'POST', body: { name: 'fleet', environmentId: envId, compose: fleet('v1'), health: { windowSeconds: 4, onFailure: 'rollback' } } }, 201);
      fleetId = stack.id;
      const v1 = await ok(`/api/stacks/${fleetId}/deploy`, { method: 'POST', body: {} }, 202);
      fleetVersions.push(v1.id);
      const done = await fleetEnded(v1.id);
      expect(done.status, done.reason).toBe('deployed');
      const state = await inspectProject('fleet');
      expect(Object.keys(state).sort()).toEqual(['api', 'cache', 'db', 'web', 'worker']);
      for (const [service, c] of Object.entries(state)) expect(c.health, service).toBe('healthy');
      // depends_on service_healthy: a dependent starts after its dependencies.
      const started = (s: string) => Date.parse(state[s]!.started);
      expect(started('api')).toBeGreaterThan(started('db'));
      expect(started('api')).toBeGreaterThan(started('cache'));
      expect(started('worker')).toBeGreaterThan(started('db'));
      expect(started('web')).toBeGreaterThan(started('api'));
    }, 180_000);

    it('changing one service recreates only that one, as the plan said', async () => {
      const before = await inspectProject('fleet');
      const plan = await ok(`/api/stacks/${fleetId}/plan`, { method: 'POST', body: { compose: fleet('v2') } }, 200);
      const actions = Object.fromEntries(plan.plan.services.map((x: { service: string; action: string }) => [x.service, x.action]));
      expect(actions).toEqual({ db: 'unchanged', cache: 'unchanged', api: 'recreate', worker: 'unchanged', web: 'unchanged' });
      const apiPlan = plan.plan.services.find((x: { service: string }) => x.service === 'api');
      expect(apiPlan.changes.map((c: { field: string }) => c.field)).toEqual(['environment.GREETING']);
      const v2 = await ok(`/api/stacks/${fleetId}/deploy`, { method: 'POST', body: { compose: fleet('v2') } }, 202);
      fleetVersions.push(v2.id);
      expect((await fleetEnded(v2.id)).status).toBe('deployed');
      const after = await inspectProject('fleet');
      for (const service of ['db', 'cache', 'worker', 'web']) expect(after[service]!.id, service).toBe(before[service]!.id);
      expect(after.api!.id).not.toBe(before.api!.id);
      expect(after.api!.env).toContain('GREETING=v2');
    }, 180_000);

    it('an update whose healthcheck fails is rolled back by the agent to the previous version', async () => {
      const v3 = await ok(`/api/stacks/${fleetId}/deploy`, { method: 'POST', body: { compose: fleet('v3', '["CMD", "false"]') } }, 202);
      const done = await fleetEnded(v3.id);
      expect(done.status).toBe('rolled_back');
      expect(done.reason).toMatch(/web/);
      const after = await inspectProject('fleet');
      // Version 2 runs again: web's working healthcheck, api at v2, all healthy.
      expect(after.web!.check).toEqual(['CMD', 'true']);
      expect(after.api!.env).toContain('GREETING=v2');
      await until('the rolled-back stack to be healthy', 30_000, async () =>
        Object.values(await inspectProject('fleet')).every((c) => c.health === 'healthy'),
      );
      expect(await ok(`/api/stacks/${fleetId}`, {}, 200)).toMatchObject({ currentVersionId: fleetVersions[1] });
    }, 180_000);

    it("an explicit rollback to version 1 restores version 1's configuration", async () => {
      const rb = await ok(`/api/stacks/${fleetId}/rollback`, { method: 'POST', body: { versionId: fleetVersions[0] } }, 202);
      expect((await fleetEnded(rb.id)).status).toBe('deployed');
      const after = await inspectProject('fleet');
      expect(after.api!.env).toContain('GREETING=v1');
      expect(after.web!.check).toEqual(['CMD', 'true']);
      await ok(`/api/stacks/${fleetId}`, { method: 'DELETE' }, 202);
      await until('the fleet stack to be gone', 60_000, async () => (await api(`/api/stacks/${fleetId}`)).status === 404);
    }, 180_000);
  });

  it('the capstan CLI shows the live plan, deploys with --yes and follows the steps to "deployed"', async () => {
    const config = path.join(dir, 'cli-config.json');
    writeFileSync(config, JSON.stringify({ url: base(), token, insecure: true, caFile: null }), { mode: 0o600 });
    const file = path.join(dir, 'cli-compose.yml');
    const health = '    healthcheck:\n      test: ["CMD", "true"]\n      interval: 1s\n';
    writeFileSync(file, `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    network_mode: none\n${health}`);
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CAPSTAN_')));
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [CAPSTAN, ...args], { env: { ...env, CAPSTAN_CONFIG: config } }, (err, stdout, stderr) =>
          resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }),
        );
      });
    const created = await cli(['stack', 'create', 'clistack', '--env', String(envId), '--file', file]);
    expect(created.code, created.stderr).toBe(0);
    const id = Number(/^created stack (\d+)/.exec(created.stdout)?.[1]);
    await ok(`/api/stacks/${id}`, { method: 'PATCH', body: { health: { windowSeconds: 3 } } }, 200);
    const r = await cli(['stack', 'deploy', String(id), '--yes']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('Plan against the live engine');
    expect(r.stdout).toMatch(/^ {2}\+ app\s+create\s+1 container/m);
    expect(r.stdout).toMatch(/^ {2}create clistack_app_1$/m);
    expect(r.stdout).toMatch(/^ {2}start clistack_app_1$/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('version 1 deployed');
    expect((await host.docker(['ps', '-q', '--filter', 'label=com.docker.compose.project=clistack'])).trim()).not.toBe('');
  }, 120_000);
});
