// The stack engine against a real dockerd (a rig host): deploys of a five-service project through the
// command runner, no-change redeploys, single-service recreations, a moved tag, a health-gated
// rollback, scaling, orphans, removal, live plans equal to plans from a snapshot, anonymous volumes
// kept across recreations, and deploys refused when a project network's settings changed.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  COMPOSE_LABEL,
  planStack,
  projectStateFromSnapshot,
  StackDeployResultSchema,
  type AgentAppFrame,
  type CommandFrame,
  type ComposeProject,
  type StackDeployPayload,
  type StackDeployResult,
  type StackTarget,
} from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, stopAll, TEST_IMAGE, type Host } from '../../../e2e/rig/index.ts';
import { run } from '../../../e2e/rig/sys.ts';
import { network, project, service, target, volume } from '../../protocol/src/stacks/fixtures.test-util.ts';
import { createCommandRunner } from '../src/commands/index.ts';
import { dockerEngine } from '../src/engine/docker-engine.ts';
import type { EngineConnector } from '../src/engine/engine-connector.ts';
import { silentLogger } from '../src/log/logger.ts';
import { collectSnapshot } from '../src/state/collector.ts';
import { executeStackCommand } from '../src/stacks/stack-commands.ts';
import { loadLastTarget, stackPaths } from '../src/stacks/stack-files.ts';
import type { StackRuntime } from '../src/stacks/deploy.ts';
import type { StackPlanOutput } from '../src/stacks/plan.ts';

let host: Host;
let engine: EngineConnector;
let stateDir: string;
const rt = (): StackRuntime => ({ engine, stateDir, progress: () => undefined, pollMs: 200, dependencyTimeoutMs: 30_000 });

const hc = (test: string[], retries = 3) => ({ test, intervalMs: 1000, timeoutMs: 1000, startPeriodMs: 0, retries });
const healthy = (condition: 'service_healthy' | 'service_started' = 'service_healthy') => ({ condition, restart: false });

/** The five-service project: web → api → db, cache; worker → api, cache. */
function shop(over: Partial<Record<string, Partial<ComposeProject['services'][string]>>> = {}): ComposeProject {
  const s = [
    service('db', TEST_IMAGE, { healthcheck: hc(['CMD', 'true']), restart: 'unless-stopped', mounts: [{ type: 'volume', source: 'data', target: '/data', readOnly: false, createHostPath: false, noCopy: false, tmpfsSizeBytes: null, tmpfsMode: null, propagation: null }] }),
    service('cache', TEST_IMAGE, { healthcheck: hc(['CMD-SHELL', 'test -d /tmp']), environment: { MAXMEM: '64m' } }),
    service('api', TEST_IMAGE, {
      healthcheck: hc(['CMD', 'true']),
      dependsOn: { db: healthy(), cache: healthy() },
      environment: { MODE: 'prod', TOKEN_FILE: '/run/secrets/token' },
      secrets: [{ source: 'token', target: '/run/secrets/token', mode: null }],
      networks: { default: { aliases: ['backend'], ipv4Address: null, ipv6Address: null }, back: { aliases: [], ipv4Address: null, ipv6Address: null } },
    }),
    service('worker', TEST_IMAGE, {
      healthcheck: hc(['CMD', 'true']),
      dependsOn: { api: healthy('service_started'), cache: healthy() },
      environment: { LEVEL: 'info' },
      mounts: [{ type: 'tmpfs', source: null, target: '/scratch', readOnly: false, createHostPath: false, noCopy: false, tmpfsSizeBytes: 1 << 20, tmpfsMode: 0o1777, propagation: null }],
      stopGracePeriodMs: 2000,
    }),
    service('web', TEST_IMAGE, {
      healthcheck: hc(['CMD', 'test', '-f', '/etc/web/site.conf']),
      dependsOn: { api: healthy() },
      mounts: [{ type: 'bind', source: './conf', target: '/etc/web', readOnly: true, createHostPath: true, noCopy: false, tmpfsSizeBytes: null, tmpfsMode: null, propagation: null }],
      labels: { 'org.example.tier': 'front' },
      restart: 'always',
    }),
  ].map((x) => ({ ...x, ...over[x.name] }));
  return project('shop', s, {
    networks: { default: { ...project('shop', []).networks.default!, name: 'shop_default' }, back: { ...project('shop', []).networks.default!, name: 'shop_back' } },
    volumes: { data: volume('shop', 'data') },
    secrets: { token: { contentBase64: Buffer.from('s3cret\n').toString('base64') } },
  });
}

const payload = (t: StackTarget, previous: StackTarget | null = null, windowMs = 3000): StackDeployPayload => ({
  target: t,
  previous,
  pull: 'missing',
  registryAuth: [],
  health: { windowMs, onFailure: 'rollback' },
});

async function deploy(p: StackDeployPayload): Promise<StackDeployResult> {
  const outcome = await executeStackCommand(rt(), { kind: 'stack.deploy', payload: p });
  if (!outcome.output) throw new Error(`deploy failed without a result: ${JSON.stringify(outcome.error)}`);
  return outcome.output as StackDeployResult;
}

async function docker(args: string[]): Promise<string> {
  return host.docker(args);
}

/** name → {id, image, started, health, labels, env} of the project's containers. */
async function containers(projectName = 'shop'): Promise<Map<string, { id: string; image: string; startedAt: string; health: string | null; state: string; labels: Record<string, string>; env: string[] }>> {
  const ids = (await docker(['ps', '-aq', '--filter', `label=${COMPOSE_LABEL.project}=${projectName}`])).split('\n').filter(Boolean);
  const out = new Map();
  if (ids.length === 0) return out;
  for (const c of JSON.parse(await docker(['inspect', ...ids]))) {
    out.set(c.Name.replace(/^\//, ''), { id: c.Id, image: c.Image, startedAt: c.State.StartedAt, health: c.State.Health?.Status ?? null, state: c.State.Status, labels: c.Config.Labels, env: c.Config.Env });
  }
  return out;
}

const idsOf = async () => new Map([...(await containers()).entries()].map(([k, v]) => [k, v.id]));

async function buildImage(tag: string, dockerfile: string): Promise<string> {
  await run('sh', ['-c', 'printf "%s" "$1" | DOCKER_BUILDKIT=0 docker -H "unix://$2" build -q -t "$3" - >/dev/null', 'sh', dockerfile, host.dockerSocket, tag]);
  return (await docker(['image', 'inspect', '-f', '{{.Id}}', tag])).trim();
}

beforeAll(async () => {
  [host] = (await startHosts(1)) as [Host];
  engine = dockerEngine({ kind: 'unix', socketPath: host.dockerSocket });
  stateDir = mkdtempSync(path.join(tmpdir(), 'capstan-stacks-'));
  // The relative bind ./conf resolves in the stack's working directory.
  const conf = path.join(stackPaths(stateDir, 'shop').workingDir, 'conf');
  mkdirSync(conf, { recursive: true });
  writeFileSync(path.join(conf, 'site.conf'), 'listen 80\n');
});

afterAll(async () => {
  engine?.close();
  await stopAll();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('stack engine (real dockerd)', { timeout: 180_000 }, () => {
  const v1 = target(shop(), 1);

  it('brings a five-service project up healthy, in dependency order, with compose labels (through the command runner)', async () => {
    const runner = createCommandRunner(stateDir, engine, silentLogger);
    const frames: AgentAppFrame[] = [];
    runner.connected({ send: (f) => (frames.push(f), true) });
    const command: CommandFrame = { type: 'command', id: randomUUID(), seq: 1, kind: 'stack.deploy', payload: payload(v1), queuedAt: new Date().toISOString(), expiresAt: null };
    runner.frame(command);
    await runner.idle();
    await runner.stop();
    const resultFrame = frames.find((f) => f.type === 'command-result');
    expect(resultFrame).toMatchObject({ status: 'succeeded', output: { outcome: 'deployed', failure: null } });
    const result = (resultFrame as { output: StackDeployResult }).output;
    expect(result.plan.services.map((s) => `${s.service}:${s.action}`)).toEqual(['api:create', 'cache:create', 'db:create', 'web:create', 'worker:create']);
    expect(Object.keys(result.imageDigests).sort()).toEqual(['api', 'cache', 'db', 'web', 'worker']);
    expect(result.imageDigests.api).toMatch(/^sha256:[0-9a-f]{64}$/);

    // Progress frames: each step started and done, dependency waits before their dependents are created.
    const steps = frames.flatMap((f) => (f.type === 'command-progress' && f.event.type === 'step' && f.event.status === 'done' ? [f.event.step] : []));
    const at = (s: string) => steps.indexOf(s);
    expect(at('create network shop_default')).toBeGreaterThanOrEqual(0);
    expect(at('wait for db (service_healthy) before api')).toBeGreaterThan(at('start shop_db_1'));
    expect(at('create shop_api_1')).toBeGreaterThan(at('wait for db (service_healthy) before api'));
    expect(at('create shop_web_1')).toBeGreaterThan(at('wait for api (service_healthy) before web'));
    expect(frames.some((f) => f.type === 'command-progress' && f.event.type === 'health')).toBe(true);

    const cs = await containers();
    expect([...cs.keys()].sort()).toEqual(['shop_api_1', 'shop_cache_1', 'shop_db_1', 'shop_web_1', 'shop_worker_1']);
    for (const c of cs.values()) expect(c).toMatchObject({ state: 'running', health: 'healthy' });
    const started = (n: string) => Date.parse(cs.get(n)!.startedAt);
    expect(started('shop_api_1')).toBeGreaterThan(started('shop_db_1'));
    expect(started('shop_api_1')).toBeGreaterThan(started('shop_cache_1'));
    expect(started('shop_web_1')).toBeGreaterThan(started('shop_api_1'));
    expect(started('shop_worker_1')).toBeGreaterThan(started('shop_api_1'));
    expect(cs.get('shop_web_1')!.labels).toMatchObject({
      [COMPOSE_LABEL.project]: 'shop',
      [COMPOSE_LABEL.service]: 'web',
      [COMPOSE_LABEL.containerNumber]: '1',
      [COMPOSE_LABEL.oneoff]: 'False',
      [COMPOSE_LABEL.workingDir]: stackPaths(stateDir, 'shop').workingDir,
      'org.example.tier': 'front',
    });
    expect(cs.get('shop_web_1')!.labels[COMPOSE_LABEL.configHash]).toMatch(/^[0-9a-f]{64}$/);

    // Secrets are files bound read-only; the relative bind came from the working directory; aliases on both networks.
    expect(await docker(['exec', 'shop_api_1', 'cat', '/run/secrets/token'])).toBe('s3cret\n');
    const secretFile = readFileSync(path.join(stackPaths(stateDir, 'shop').secrets, 'token'), 'utf8');
    expect(secretFile).toBe('s3cret\n');
    expect(statSync(path.join(stackPaths(stateDir, 'shop').secrets, 'token')).mode & 0o777).toBe(0o400);
    await expect(docker(['exec', 'shop_api_1', 'sh', '-c', 'echo x > /run/secrets/token'])).rejects.toThrow();
    expect(await docker(['exec', 'shop_web_1', 'cat', '/etc/web/site.conf'])).toBe('listen 80\n');
    const api = JSON.parse(await docker(['inspect', 'shop_api_1']))[0];
    expect(Object.keys(api.NetworkSettings.Networks).sort()).toEqual(['shop_back', 'shop_default']);
    expect(api.NetworkSettings.Networks.shop_default.Aliases).toEqual(expect.arrayContaining(['api', 'backend']));
    const worker = JSON.parse(await docker(['inspect', 'shop_worker_1']))[0];
    expect(worker.HostConfig.Mounts).toEqual([expect.objectContaining({ Type: 'tmpfs', Target: '/scratch' })]);
    expect(worker.Config.StopTimeout).toBe(2);
    const net = JSON.parse(await docker(['network', 'inspect', 'shop_default']))[0];
    expect(net.Labels).toMatchObject({ [COMPOSE_LABEL.project]: 'shop', [COMPOSE_LABEL.network]: 'default' });
    const vol = JSON.parse(await docker(['volume', 'inspect', 'shop_data']))[0];
    expect(vol.Labels).toMatchObject({ [COMPOSE_LABEL.project]: 'shop', [COMPOSE_LABEL.volume]: 'data' });
    expect(loadLastTarget(stackPaths(stateDir, 'shop'))?.target).toEqual(v1);
  });

  it('redeploys an unchanged target without touching anything', async () => {
    const before = await containers();
    const result = await deploy(payload(target(shop(), 2)));
    expect(result).toMatchObject({ outcome: 'deployed', plan: { noop: true } });
    expect(result.plan.services.every((s) => s.action === 'unchanged')).toBe(true);
    const after = await containers();
    expect([...after.entries()].map(([k, v]) => [k, v.id, v.startedAt])).toEqual([...before.entries()].map(([k, v]) => [k, v.id, v.startedAt]));
  });

  it('recreates only the service whose config changed', async () => {
    const before = await idsOf();
    const result = await deploy(payload(target(shop({ worker: { environment: { LEVEL: 'debug' } } }), 3)));
    expect(result.outcome).toBe('deployed');
    const worker = result.plan.services.find((s) => s.service === 'worker')!;
    expect(worker.action).toBe('recreate');
    expect(worker.changes.map((c) => c.field)).toEqual(['environment.LEVEL']);
    expect(result.plan.services.filter((s) => s.action !== 'unchanged').map((s) => s.service)).toEqual(['worker']);
    const after = await containers();
    for (const [name, id] of before) {
      if (name === 'shop_worker_1') expect(after.get(name)!.id).not.toBe(id);
      else expect(after.get(name)!.id).toBe(id);
    }
    expect(after.get('shop_worker_1')!.env).toContain('LEVEL=debug');
  });

  it('recreates a service whose tag now names another image (updated), nothing else', async () => {
    const oldId = await buildImage('capstan-test/web:1', `FROM ${TEST_IMAGE}\nLABEL build=one\n`);
    const webOn = (v: number) => target(shop({ worker: { environment: { LEVEL: 'debug' } }, web: { image: 'capstan-test/web:1' } }), v);
    expect((await deploy(payload(webOn(4)))).outcome).toBe('deployed');
    const before = await idsOf();
    const newId = await buildImage('capstan-test/web:1', `FROM ${TEST_IMAGE}\nLABEL build=two\n`);
    expect(newId).not.toBe(oldId);
    const result = await deploy(payload(webOn(5)));
    const web = result.plan.services.find((s) => s.service === 'web')!;
    expect(web).toMatchObject({ action: 'recreate', changes: [{ field: 'image', from: oldId, to: newId }], image: { updated: true, current: oldId, target: newId } });
    const after = await containers();
    expect(after.get('shop_web_1')!.image).toBe(newId);
    for (const [name, id] of before) if (name !== 'shop_web_1') expect(after.get(name)!.id).toBe(id);
  });

  it('rolls an update whose healthcheck fails back to the previous target, by its pinned images', async () => {
    // Back to the plain images, recording the digests as a server would on the version.
    const good = target(shop({ worker: { environment: { LEVEL: 'debug' } } }), 6);
    const deployed = await deploy(payload(good));
    expect(deployed.outcome).toBe('deployed');
    const previous: StackTarget = { ...good, imagePins: deployed.imageDigests };
    const before = await containers();
    await buildImage('capstan-test/worker:bad', `FROM ${TEST_IMAGE}\nHEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD ["false"]\n`);
    const bad = target(shop({ worker: { image: 'capstan-test/worker:bad', healthcheck: null, environment: { LEVEL: 'trace' } } }), 7);
    const result = await deploy(payload(bad, previous, 8000));
    expect(result.outcome).toBe('rolled_back');
    expect(result.failure).toMatchObject({ service: 'worker' });
    expect(result.failure!.reason).toMatch(/shop_worker_1 is unhealthy/);
    expect(result.plan.services.find((s) => s.service === 'worker')!.action).toBe('recreate');
    const after = await containers();
    const w = after.get('shop_worker_1')!;
    expect(w.image).toBe(before.get('shop_worker_1')!.image);
    expect(w.env).toContain('LEVEL=debug');
    expect(w.labels[COMPOSE_LABEL.configHash]).toBe(before.get('shop_worker_1')!.labels[COMPOSE_LABEL.configHash]);
    expect(w.state).toBe('running');
    // Only the worker went back and forth; the pins resolved to the images the others already run.
    for (const [name, c] of before) if (name !== 'shop_worker_1') expect(after.get(name)!.id).toBe(c.id);
    expect(loadLastTarget(stackPaths(stateDir, 'shop'))?.target).toEqual(previous);
    // With onFailure report, the failed version stays and the deploy reports failed.
    const reported = await executeStackCommand(rt(), { kind: 'stack.deploy', payload: { ...payload(bad, previous, 8000), health: { windowMs: 8000, onFailure: 'report' } } });
    expect(reported).toMatchObject({ status: 'failed', error: { code: 'stack_deploy_failed' }, output: { outcome: 'failed' } });
    expect((await containers()).get('shop_worker_1')!.env).toContain('LEVEL=trace');
    expect((await deploy(payload(previous))).outcome).toBe('deployed');
  });

  it('scales a service 1 → 2 → 1, keeping the first container', async () => {
    const base = shop({ worker: { environment: { LEVEL: 'debug' } } });
    const first = (await idsOf()).get('shop_worker_1');
    const up = await deploy(payload(target({ ...base, services: { ...base.services, worker: { ...base.services.worker!, replicas: 2 } } }, 8)));
    expect(up.plan.services.find((s) => s.service === 'worker')).toMatchObject({ action: 'scale', containers: { current: 1, target: 2 } });
    let ids = await idsOf();
    expect(ids.get('shop_worker_1')).toBe(first);
    expect(ids.has('shop_worker_2')).toBe(true);
    const down = await deploy(payload(target(base, 9)));
    expect(down.plan.services.find((s) => s.service === 'worker')).toMatchObject({ action: 'scale', containers: { current: 2, target: 1 } });
    ids = await idsOf();
    expect(ids.get('shop_worker_1')).toBe(first);
    expect(ids.has('shop_worker_2')).toBe(false);
  });

  it('plans live exactly as from a snapshot of the same engine state', async () => {
    const changed = target(shop({ cache: { environment: { MAXMEM: '128m' } }, worker: { replicas: 3 } }), 10);
    const outcome = await executeStackCommand(rt(), { kind: 'stack.plan', payload: { target: changed, pull: false, registryAuth: [] } });
    expect(outcome.status).toBe('succeeded');
    const live = outcome.output as StackPlanOutput;
    const snapshot = await collectSnapshot(engine);
    const fromSnapshot = planStack(projectStateFromSnapshot(snapshot, 'shop'), changed, { basis: 'snapshot', computedAt: live.plan.computedAt, pull: 'missing' });
    expect({ ...fromSnapshot.plan, basis: 'live' }).toEqual(live.plan);
    expect(fromSnapshot.steps).toEqual(live.steps);
    expect(live.plan.services.find((s) => s.service === 'cache')).toMatchObject({ action: 'recreate', changes: [{ field: 'environment.MAXMEM' }] });
    expect(live.plan.services.find((s) => s.service === 'worker')).toMatchObject({ action: 'recreate', containers: { current: 1, target: 3 } });
    // Planning changed nothing.
    expect((await containers()).get('shop_cache_1')!.env).toContain('MAXMEM=64m');
  });

  it('removes orphan services the target no longer has', async () => {
    const base = shop({ worker: { environment: { LEVEL: 'debug' } } });
    const before = await idsOf();
    const { web: _web, ...rest } = base.services;
    const result = await deploy(payload(target({ ...base, services: rest }, 11)));
    expect(result.plan.services.find((s) => s.service === 'web')).toMatchObject({ action: 'remove', containers: { current: 1, target: 0 } });
    const after = await idsOf();
    expect(after.has('shop_web_1')).toBe(false);
    for (const [name, id] of before) if (name !== 'shop_web_1') expect(after.get(name)).toBe(id);
  });

  it('stack.remove removes containers and networks, volumes only when asked', async () => {
    const kept = await executeStackCommand(rt(), { kind: 'stack.remove', payload: { projectName: 'shop', removeVolumes: false } });
    expect(kept).toMatchObject({ status: 'succeeded', output: { removed: { containers: 4, networks: 2, volumes: 0 } } });
    expect((await containers()).size).toBe(0);
    expect(await docker(['network', 'ls', '-q', '--filter', 'label=com.docker.compose.project=shop'])).toBe('');
    expect((await docker(['volume', 'ls', '-q'])).split('\n')).toContain('shop_data');
    expect(loadLastTarget(stackPaths(stateDir, 'shop'))).toBeNull();
    const all = await executeStackCommand(rt(), { kind: 'stack.remove', payload: { projectName: 'shop', removeVolumes: true } });
    expect(all).toMatchObject({ status: 'succeeded', output: { removed: { containers: 0, networks: 0, volumes: 1 } } });
    expect((await docker(['volume', 'ls', '-q'])).split('\n')).not.toContain('shop_data');
  });

  it('keeps a service\'s anonymous volume across a recreation (as docker-compose does); stack.remove drops it only with removeVolumes', async () => {
    const anonymous = { type: 'volume' as const, source: null, target: '/data', readOnly: false, createHostPath: false, noCopy: false, tmpfsSizeBytes: null, tmpfsMode: null, propagation: null };
    const keeper = (env: string) => project('keeper', [service('app', TEST_IMAGE, { mounts: [anonymous], environment: { V: env } })]);
    const volumeAt = async (name: string): Promise<string> => (await docker(['inspect', '-f', '{{range .Mounts}}{{if eq .Destination "/data"}}{{.Name}}{{end}}{{end}}', name])).trim();
    expect((await deploy(payload(target(keeper('1'), 1), null, 0))).outcome).toBe('deployed');
    const before = (await containers('keeper')).get('keeper_app_1')!.id;
    const vol = await volumeAt('keeper_app_1');
    expect(vol).toMatch(/^[0-9a-f]{64}$/);
    await docker(['exec', 'keeper_app_1', 'sh', '-c', 'echo kept > /data/file']);

    const result = await deploy(payload(target(keeper('2'), 2), null, 0));
    expect(result).toMatchObject({ outcome: 'deployed', plan: { services: [{ service: 'app', action: 'recreate', changes: [{ field: 'environment.V' }] }] } });
    const after = (await containers('keeper')).get('keeper_app_1')!;
    expect(after.id).not.toBe(before);
    expect(after.env).toContain('V=2');
    expect(await volumeAt('keeper_app_1')).toBe(vol);
    expect((await docker(['exec', 'keeper_app_1', 'cat', '/data/file'])).trim()).toBe('kept');

    const kept = await executeStackCommand(rt(), { kind: 'stack.remove', payload: { projectName: 'keeper', removeVolumes: false } });
    expect(kept.status).toBe('succeeded');
    expect((await docker(['volume', 'ls', '-q'])).split('\n')).toContain(vol);
    // Kept like `docker-compose down` without -v keeps it; a new deploy starts with a fresh one.
    await docker(['volume', 'rm', vol]);
    expect((await deploy(payload(target(keeper('1'), 3), null, 0))).outcome).toBe('deployed');
    const second = await volumeAt('keeper_app_1');
    const all = await executeStackCommand(rt(), { kind: 'stack.remove', payload: { projectName: 'keeper', removeVolumes: true } });
    expect(all.status).toBe('succeeded');
    expect((await docker(['volume', 'ls', '-q'])).split('\n')).not.toContain(second);
  });

  it('refuses a deploy whose project network settings changed, naming the network and option, before changing anything', async () => {
    const netted = (over: Parameters<typeof network>[2], env: string) =>
      project('netted', [service('app', TEST_IMAGE, { environment: { V: env } })], { networks: { default: network('netted', 'default', { labels: { tier: 'a' }, ...over }) } });
    const v1n = target(netted({}, '1'), 1);
    expect((await deploy(payload(v1n, null, 0))).outcome).toBe('deployed');
    const netId = (await docker(['network', 'inspect', '-f', '{{.Id}}', 'netted_default'])).trim();
    const before = await containers('netted');

    const changed = target(netted({ internal: true, driverOpts: { 'com.docker.network.bridge.enable_icc': 'false' } }, '2'), 2);
    const planned = await executeStackCommand(rt(), { kind: 'stack.plan', payload: { target: changed, pull: false, registryAuth: [] } });
    expect((planned.output as StackPlanOutput).plan).toMatchObject({ noop: false, networks: [{ name: 'netted_default', action: 'recreate', changes: [{ field: 'driverOpts.com.docker.network.bridge.enable_icc' }, { field: 'internal', from: false, to: true }] }] });

    // With a previous version to roll back to: a refusal changed nothing, so nothing is rolled back either.
    const result = await deploy(payload(changed, v1n, 0));
    expect(result.outcome).toBe('failed');
    expect(result.failure!.reason).toMatch(/^network netted_default needs to be recreated - option "driverOpts\.com\.docker\.network\.bridge\.enable_icc" has changed, option "internal" has changed\. .*remove the stack \(or the network\) first/);
    expect(result.plan.networks).toMatchObject([{ name: 'netted_default', action: 'recreate' }]);
    // Nothing changed: same network, same container, old environment.
    expect((await docker(['network', 'inspect', '-f', '{{.Id}} {{.Internal}}', 'netted_default'])).trim()).toBe(`${netId} false`);
    const after = await containers('netted');
    expect(after.get('netted_app_1')!.id).toBe(before.get('netted_app_1')!.id);
    expect(after.get('netted_app_1')!.env).toContain('V=1');

    // Once the stack is removed, the changed network is created as the file says.
    await executeStackCommand(rt(), { kind: 'stack.remove', payload: { projectName: 'netted', removeVolumes: true } });
    expect((await deploy(payload(changed, null, 0))).outcome).toBe('deployed');
    expect((await docker(['network', 'inspect', '-f', '{{.Internal}}', 'netted_default'])).trim()).toBe('true');
    await executeStackCommand(rt(), { kind: 'stack.remove', payload: { projectName: 'netted', removeVolumes: true } });
  });

  it('waits past the window for a healthcheck still starting, then judges its verdict', async () => {
    // Ready only after 3 s, against a 1 s window: the gate waits for the verdict instead of failing.
    const slow = project('slow', [
      service('app', TEST_IMAGE, {
        command: ['sh', '-c', 'sleep 3; touch /tmp/ready; exec sleep 600'],
        healthcheck: hc(['CMD', 'test', '-f', '/tmp/ready'], 5),
        networkMode: 'none',
      }),
    ]);
    const ok = await deploy(payload(target(slow, 21), null, 1000));
    expect(ok.outcome, JSON.stringify(ok.failure)).toBe('deployed');
    // Never ready: once the healthcheck's own bound passes, the verdict is unhealthy and the deploy fails.
    const never = project('slow', [service('app', TEST_IMAGE, { command: ['sleep', '600'], healthcheck: hc(['CMD', 'false'], 2), networkMode: 'none' })]);
    const bad = await executeStackCommand(rt(), { kind: 'stack.deploy', payload: { ...payload(target(never, 22), null, 1000), health: { windowMs: 1000, onFailure: 'report' } } });
    expect(StackDeployResultSchema.parse(bad.output)).toMatchObject({ outcome: 'failed', failure: { service: 'app', reason: expect.stringMatching(/unhealthy|did not become healthy/) } });
    await executeStackCommand(rt(), { kind: 'stack.remove', payload: { projectName: 'slow', removeVolumes: true } });
  }, 60_000);

  it('fails a command with a bad payload without touching the engine', async () => {
    const outcome = await executeStackCommand(rt(), { kind: 'stack.deploy', payload: { target: { stackId: 1 } } });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'invalid_command' } });
    expect(outcome.error!.message).toMatch(/^invalid stack\.deploy command: /);
  });
});
