import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EngineSnapshot, SnapshotContainer } from '../snapshot/schema.ts';
import { network, project, service, target, volume } from './fixtures.test-util.ts';
import { findLocalImage, parseImageReference } from './image-ref.ts';
import { CAPSTAN_LABEL, COMPOSE_LABEL, containerLabels, networkLabels } from './labels.ts';
import { networkRecreationRefusal, planStack, serviceOrder, type PlanOptions } from './planner.ts';
import { projectStateFromSnapshot, type ProjectContainer, type ProjectState } from './project-state.ts';
import { sha256Hex } from './sha256.ts';
import type { StackStep } from './steps.ts';
import type { StackTarget } from './commands.ts';

const IMG = 'app/web:1';
const IMG_ID = `sha256:${'a'.repeat(64)}`;
const IMG2_ID = `sha256:${'b'.repeat(64)}`;
const live: PlanOptions = { basis: 'live', computedAt: '2025-01-01T00:00:00.000Z', pull: 'missing' };

const empty = (images = [{ id: IMG_ID, repoTags: [IMG], repoDigests: [] as string[] }]): ProjectState => ({ project: 'shop', containers: [], networks: [], volumes: [], images });

/** Applies steps the way an engine would (labels as the agent writes them), so plans can be chained. */
function apply(state: ProjectState, t: StackTarget, steps: StackStep[]): ProjectState {
  let containers = [...state.containers];
  const networks = [...state.networks];
  const volumes = [...state.volumes];
  let seq = containers.length;
  for (const s of steps) {
    if (s.kind === 'create-network') networks.push({ id: `net-${s.name}`, name: s.name, driver: t.project.networks[s.key]?.driver ?? 'bridge', labels: networkLabels(t.project, s.key) });
    if (s.kind === 'create-volume') volumes.push({ name: s.name, labels: {} });
    if (s.kind === 'remove-network') networks.splice(networks.findIndex((n) => n.name === s.name), 1);
    if (s.kind === 'remove-container') containers = containers.filter((c) => c.id !== s.containerId);
    if (s.kind === 'stop-container') containers = containers.map((c) => (c.id === s.containerId ? { ...c, state: 'exited', exitCode: 0 } : c));
    if (s.kind === 'start-container') containers = containers.map((c) => (c.name === s.name ? { ...c, state: 'running', exitCode: null } : c));
    if (s.kind === 'create-container') {
      const spec = t.project.services[s.service]!;
      const image = findLocalImage(state.images, s.image);
      containers.push({
        id: `c${++seq}`,
        name: s.name,
        labels: containerLabels(t.project, spec, s.number, { stackId: t.stackId, versionId: t.versionId, workingDir: '/w' }),
        service: s.service,
        number: s.number,
        oneoff: false,
        image: s.image,
        imageId: image?.id ?? 'missing',
        state: 'created',
        health: null,
        exitCode: null,
      });
    }
  }
  return { ...state, containers, networks, volumes };
}

const kinds = (steps: StackStep[]) => steps.map((s) => `${s.kind}:${'name' in s ? s.name : 'reference' in s ? s.reference : `${s.dependency}>${s.service}`}`);

describe('sha256Hex', () => {
  it('matches the FIPS test vectors (empty, abc, two blocks, UTF-8)', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    for (const text of ['é', 'ü🙂x', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), 'x'.repeat(119)]) {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
    expect(sha256Hex('a'.repeat(1000))).toBe('41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
  });
});

describe('parseImageReference', () => {
  it('reads registries, tags, digests and Docker Hub names the way Docker does', () => {
    expect(parseImageReference('busybox')).toMatchObject({ registry: 'docker.io', path: 'library/busybox', tag: 'latest', digest: null, familiar: 'busybox' });
    expect(parseImageReference('reg:5000/app')).toMatchObject({ registry: 'reg:5000', path: 'app', tag: 'latest', familiar: 'reg:5000/app' });
    expect(parseImageReference('docker.io/library/nginx:1.27')).toMatchObject({ registry: 'docker.io', tag: '1.27', familiar: 'nginx' });
    expect(parseImageReference('ghcr.io/o/a@sha256:abc')).toMatchObject({ registry: 'ghcr.io', path: 'o/a', tag: null, digest: 'sha256:abc' });
    expect(parseImageReference('user/app:v1')).toMatchObject({ registry: 'docker.io', path: 'user/app', familiar: 'user/app' });
  });
});

describe('planStack', () => {
  const web = service('web', IMG, { dependsOn: { api: { condition: 'service_healthy', restart: false } } });
  const api = service('api', IMG, { environment: { MODE: 'prod' } });
  const base = target(project('shop', [web, api], { volumes: { data: volume('shop', 'data') } }));

  it('creates everything from empty, dependencies first, networks and volumes before containers', () => {
    const { plan, steps } = planStack(empty(), base, live);
    expect(kinds(steps)).toEqual([
      'create-network:shop_default',
      'create-volume:shop_data',
      'create-container:shop_api_1',
      'start-container:shop_api_1',
      'wait-dependency:api>web',
      'create-container:shop_web_1',
      'start-container:shop_web_1',
    ]);
    expect(plan.noop).toBe(false);
    expect(plan.services.map((s) => [s.service, s.action])).toEqual([
      ['api', 'create'],
      ['web', 'create'],
    ]);
    expect(plan.networks).toEqual([{ name: 'shop_default', action: 'create' }]);
    expect(plan.volumes).toEqual([{ name: 'shop_data', action: 'create' }]);
    expect(steps.find((s) => s.kind === 'wait-dependency')).toMatchObject({ condition: 'service_healthy' });
  });

  it('plans nothing when the engine already matches (noop), and nothing for a completed one-shot', () => {
    const oneShot = service('migrate', IMG, { command: ['true'] });
    const t = target(project('shop', [web, api, oneShot]));
    let state = apply(empty(), t, planStack(empty(), t, live).steps);
    // The one-shot ran to completion.
    state = { ...state, containers: state.containers.map((c) => (c.service === 'migrate' ? { ...c, state: 'exited', exitCode: 0 } : c)) };
    const again = planStack(state, t, live);
    expect(again.steps).toEqual([]);
    expect(again.plan.noop).toBe(true);
    expect(again.plan.services.every((s) => s.action === 'unchanged' && s.changes.length === 0)).toBe(true);
  });

  it('recreates only the changed service and lists the fields that changed', () => {
    const state = apply(empty(), base, planStack(empty(), base, live).steps);
    const changed = target(project('shop', [web, { ...api, environment: { MODE: 'staging', NEW: 'x' }, command: ['serve'] }], { volumes: base.project.volumes }), 2);
    const { plan, steps } = planStack(state, changed, live);
    const apiPlan = plan.services.find((s) => s.service === 'api')!;
    expect(apiPlan.action).toBe('recreate');
    expect(apiPlan.changes.map((c) => c.field)).toEqual(['command', 'environment.MODE', 'environment.NEW']);
    expect(apiPlan.changes[0]).toEqual({ field: 'command', from: null, to: ['serve'] });
    // Environment values travel only as hashes.
    expect(JSON.stringify(apiPlan.changes)).not.toContain('staging');
    expect(plan.services.find((s) => s.service === 'web')!.action).toBe('unchanged');
    const apiId = state.containers.find((c) => c.service === 'api')!.id;
    expect(kinds(steps)).toEqual(['stop-container:shop_api_1', 'remove-container:shop_api_1', 'create-container:shop_api_1', 'start-container:shop_api_1']);
    expect(steps[0]).toMatchObject({ containerId: apiId, reason: 'recreate' });
  });

  it('orders a chain of dependencies (and network_mode service:) before dependents', () => {
    const p = project('x', [
      service('a', IMG, { dependsOn: { b: { condition: 'service_started', restart: false } } }),
      service('b', IMG, { dependsOn: { c: { condition: 'service_completed_successfully', restart: false } } }),
      service('c', IMG, { networkMode: 'service:d', networks: {} }),
      service('d', IMG),
    ]);
    expect(serviceOrder(p.services)).toEqual(['d', 'c', 'b', 'a']);
    // A cycle does not loop forever.
    const cyclic = project('x', [service('a', IMG, { dependsOn: { b: { condition: 'service_started', restart: false } } }), service('b', IMG, { dependsOn: { a: { condition: 'service_started', restart: false } } })]);
    expect(serviceOrder(cyclic.services).sort()).toEqual(['a', 'b']);
  });

  it('scales up with the next numbers and down from the highest, without recreating', () => {
    const one = target(project('shop', [api]));
    let state = apply(empty(), one, planStack(empty(), one, live).steps);
    const three = target(project('shop', [{ ...api, replicas: 3 }]));
    const up = planStack(state, three, live);
    expect(kinds(up.steps)).toEqual(['create-container:shop_api_2', 'start-container:shop_api_2', 'create-container:shop_api_3', 'start-container:shop_api_3']);
    expect(up.plan.services[0]).toMatchObject({ action: 'scale', containers: { current: 1, target: 3 } });
    state = apply(state, three, up.steps);
    const down = planStack(state, one, live);
    expect(kinds(down.steps)).toEqual(['stop-container:shop_api_3', 'remove-container:shop_api_3', 'stop-container:shop_api_2', 'remove-container:shop_api_2']);
    expect(planStack(apply(state, one, down.steps), one, live).plan.noop).toBe(true);
  });

  it('removes orphan services first and project networks the target dropped last', () => {
    const withBack = target(project('shop', [web, api], { networks: { default: base.project.networks.default!, back: { ...base.project.networks.default!, name: 'shop_back' } } }));
    const state = apply(empty(), withBack, planStack(empty(), withBack, live).steps);
    const onlyApi = target(project('shop', [api]));
    const { plan, steps } = planStack(state, onlyApi, live);
    expect(kinds(steps)).toEqual(['stop-container:shop_web_1', 'remove-container:shop_web_1', 'remove-network:shop_back']);
    expect(plan.services.find((s) => s.service === 'web')).toMatchObject({ action: 'remove', containers: { current: 1, target: 0 } });
    expect(plan.networks).toContainEqual({ name: 'shop_back', action: 'remove' });
    // One-off (run) containers and containers of other projects are never touched.
    const run: ProjectContainer = { ...state.containers[0]!, id: 'oneoff', name: 'shop_web_run_1', oneoff: true };
    expect(planStack({ ...state, containers: [...state.containers, run] }, withBack, live).steps).toEqual([]);
  });

  it('pulls missing images and, with pull always, unpinned tags; never pinned ones already present', () => {
    const t = target(project('shop', [api, service('cache', 'redis:7')]), 1, {});
    expect(kinds(planStack(empty(), t, live).steps).filter((k) => k.startsWith('pull'))).toEqual(['pull-image:redis:7']);
    expect(kinds(planStack(empty(), t, { ...live, pull: 'always' }).steps).filter((k) => k.startsWith('pull'))).toEqual(['pull-image:app/web:1', 'pull-image:redis:7']);
    expect(planStack(empty(), t, { ...live, pull: 'never' }).steps.some((s) => s.kind === 'pull-image')).toBe(false);
    const pin = `app/web@sha256:${'c'.repeat(64)}`;
    const pinned = target(project('shop', [api]), 1, { api: pin });
    const images = [{ id: IMG2_ID, repoTags: [], repoDigests: [pin] }];
    expect(planStack(empty(images), pinned, { ...live, pull: 'always' }).steps.some((s) => s.kind === 'pull-image')).toBe(false);
    expect(planStack(empty(), pinned, live).steps[0]).toEqual({ kind: 'pull-image', reference: pin, services: ['api'] });
  });

  it('recreates on an image change: a moved tag (updated), a pin to another image, a registry digest that moved', () => {
    const one = target(project('shop', [api]));
    const state = apply(empty(), one, planStack(empty(), one, live).steps);
    // The tag now names another image (a re-pull brought a new one).
    const moved = { ...state, images: [{ id: IMG2_ID, repoTags: [IMG], repoDigests: [] }] };
    const m = planStack(moved, one, live);
    expect(m.plan.services[0]).toMatchObject({ action: 'recreate', changes: [{ field: 'image', from: IMG_ID, to: IMG2_ID }], image: { current: IMG_ID, target: IMG2_ID, updated: true } });
    expect(kinds(m.steps)).toEqual(['stop-container:shop_api_1', 'remove-container:shop_api_1', 'create-container:shop_api_1', 'start-container:shop_api_1']);
    // A pin that resolves to the running image changes nothing (rollbacks recreate only what differs).
    const pin = `app/web@sha256:${'d'.repeat(64)}`;
    const withDigest = { ...state, images: [{ id: IMG_ID, repoTags: [IMG], repoDigests: [pin] }] };
    expect(planStack(withDigest, target(project('shop', [api]), 1, { api: pin }), live).plan.noop).toBe(true);
    const otherPin = `app/web@sha256:${'e'.repeat(64)}`;
    const other = planStack({ ...withDigest, images: [...withDigest.images, { id: IMG2_ID, repoTags: [], repoDigests: [otherPin] }] }, target(project('shop', [api]), 1, { api: otherPin }), live);
    expect(other.plan.services[0]).toMatchObject({ action: 'recreate', image: { reference: otherPin, target: IMG2_ID } });
    expect(other.steps.find((s) => s.kind === 'create-container')).toMatchObject({ image: otherPin });
    // A pull check: the registry's digest for the tag is not the local one.
    const checked = planStack(withDigest, one, { ...live, registryDigests: { [IMG]: `sha256:${'f'.repeat(64)}` } });
    expect(checked.plan.services[0]).toMatchObject({ action: 'recreate', image: { updated: true, target: `app/web@sha256:${'f'.repeat(64)}` } });
    const same = planStack(withDigest, one, { ...live, registryDigests: { [IMG]: `sha256:${'d'.repeat(64)}` } });
    expect(same.plan.noop).toBe(true);
  });

  it('starts an up-to-date container that is stopped, and recreates one created by other tooling (no hash)', () => {
    const one = target(project('shop', [{ ...api, restart: 'always' }]));
    const state = apply(empty(), one, planStack(empty(), one, live).steps);
    const stopped = { ...state, containers: state.containers.map((c) => ({ ...c, state: 'exited', exitCode: 137 })) };
    const s = planStack(stopped, one, live);
    expect(kinds(s.steps)).toEqual(['start-container:shop_api_1']);
    expect(s.plan.services[0]).toMatchObject({ action: 'unchanged', changes: [{ field: 'state', from: 'exited', to: 'running' }] });
    const foreign = { ...state, containers: state.containers.map((c) => ({ ...c, name: 'shop-api-1', labels: { [COMPOSE_LABEL.project]: 'shop', [COMPOSE_LABEL.service]: 'api' }, number: null })) };
    const f = planStack(foreign, one, live);
    expect(f.plan.services[0]).toMatchObject({ action: 'recreate', changes: [{ field: 'config', from: null }] });
    expect(kinds(f.steps)).toEqual(['stop-container:shop-api-1', 'remove-container:shop-api-1', 'create-container:shop_api_1', 'start-container:shop_api_1']);
  });

  it('recreates services whose secret content changed', () => {
    const withSecret = { ...api, secrets: [{ source: 'token', target: '/run/secrets/token', mode: null }] };
    const t1 = target(project('shop', [withSecret, web], { secrets: { token: { contentBase64: 'YQ==' } } }));
    const state = apply(empty(), t1, planStack(empty(), t1, live).steps);
    const t2 = target(project('shop', [withSecret, web], { secrets: { token: { contentBase64: 'Yg==' } } }));
    const p = planStack(state, t2, live).plan;
    expect(p.services.find((s) => s.service === 'api')).toMatchObject({ action: 'recreate', changes: [{ field: 'secretContent.token' }] });
    expect(p.services.find((s) => s.service === 'web')!.action).toBe('unchanged');
  });

  it('names the replaced container on a recreation\'s create step (its anonymous volumes carry over), not on scale-up', () => {
    const one = target(project('shop', [api]));
    const state = apply(empty(), one, planStack(empty(), one, live).steps);
    const oldId = state.containers[0]!.id;
    const changed = target(project('shop', [{ ...api, environment: { MODE: 'dev' }, replicas: 2 }]), 2);
    const creates = planStack(state, changed, live).steps.filter((s) => s.kind === 'create-container');
    expect(creates).toEqual([expect.objectContaining({ name: 'shop_api_1', replaces: oldId }), expect.not.objectContaining({ replaces: expect.anything() })]);
    expect(creates[1]).toMatchObject({ name: 'shop_api_2' });
  });

  it('plans a project network whose settings changed as recreate with the changed options, with no step, and refuses it', () => {
    const withNet = (over: Parameters<typeof network>[2]) => target(project('shop', [api], { networks: { default: network('shop', 'default', over) } }));
    const t1 = withNet({ driverOpts: { 'com.docker.network.bridge.enable_icc': 'true' }, labels: { tier: 'a' } });
    const state = apply(empty(), t1, planStack(empty(), t1, live).steps);
    expect(state.networks[0]!.labels[CAPSTAN_LABEL.networkConfig]).toContain('com.docker.network.bridge.enable_icc');
    expect(planStack(state, t1, live).plan).toMatchObject({ noop: true, networks: [{ name: 'shop_default', action: 'unchanged' }] });
    expect(networkRecreationRefusal(planStack(state, t1, live).plan)).toBeNull();

    const t2 = withNet({ driverOpts: { 'com.docker.network.bridge.enable_icc': 'false' }, internal: true, labels: { tier: 'a' } });
    const { plan, steps } = planStack(state, t2, live);
    expect(plan.networks).toEqual([
      {
        name: 'shop_default',
        action: 'recreate',
        changes: [
          { field: 'driverOpts.com.docker.network.bridge.enable_icc', from: 'true', to: 'false' },
          { field: 'internal', from: false, to: true },
        ],
      },
    ]);
    expect(plan.noop).toBe(false);
    expect(steps).toEqual([]);
    expect(networkRecreationRefusal(plan)).toMatch(/^network shop_default needs to be recreated - option "driverOpts\.com\.docker\.network\.bridge\.enable_icc" has changed, option "internal" has changed\. .*remove the stack \(or the network\) first/);

    // ipam, enable_ipv6 and labels count too; the driver is read from the engine.
    const ipam = { driver: null, config: [{ subnet: '10.9.0.0/24', gateway: null, ipRange: null }] };
    expect(planStack(state, withNet({ driverOpts: t1.project.networks.default!.driverOpts, labels: { tier: 'a' }, ipam, enableIpv6: true }), live).plan.networks[0]!.changes!.map((c) => c.field)).toEqual(['enableIpv6', 'ipam']);
    expect(planStack(state, withNet({ driverOpts: t1.project.networks.default!.driverOpts, labels: { tier: 'b' } }), live).plan.networks[0]).toMatchObject({ action: 'recreate', changes: [{ field: 'labels.tier', from: 'a', to: 'b' }] });
    expect(planStack(state, withNet({ driverOpts: t1.project.networks.default!.driverOpts, labels: { tier: 'a' }, driver: 'macvlan' }), live).plan.networks[0]).toMatchObject({ action: 'recreate', changes: [{ field: 'driver', from: 'bridge', to: 'macvlan' }] });
  });

  it('checks only the driver of an existing network without Capstan\'s config label (made by docker-compose or by hand)', () => {
    const foreign: ProjectState = { ...empty(), networks: [{ id: 'n1', name: 'shop_default', driver: 'bridge', labels: { [COMPOSE_LABEL.project]: 'shop' } }] };
    const t = target(project('shop', [api], { networks: { default: network('shop', 'default', { internal: true, labels: { x: 'y' } }) } }));
    expect(planStack(foreign, t, live).plan.networks).toEqual([{ name: 'shop_default', action: 'unchanged' }]);
    const overlay = target(project('shop', [api], { networks: { default: network('shop', 'default', { driver: 'overlay' }) } }));
    expect(planStack(foreign, overlay, live).plan.networks).toMatchObject([{ action: 'recreate', changes: [{ field: 'driver', from: 'bridge', to: 'overlay' }] }]);
  });

  it('plans the same from a snapshot of the engine, marked as such', () => {
    const state = apply(empty(), base, planStack(empty(), base, live).steps);
    const container = (c: ProjectContainer): SnapshotContainer => ({
      id: c.id,
      name: c.name,
      image: c.image,
      imageId: c.imageId,
      command: '',
      createdAt: '',
      state: c.state,
      status: c.state === 'running' ? 'Up' : 'Exited (0)',
      health: c.health,
      labels: { ...c.labels },
      ports: [],
      composeProject: 'shop',
      composeService: c.service,
    });
    const snapshot: Pick<EngineSnapshot, 'containers' | 'networks' | 'volumes' | 'images'> = {
      containers: [...state.containers.map(container), { ...container(state.containers[0]!), id: 'other', labels: { [COMPOSE_LABEL.project]: 'elsewhere' } }],
      networks: state.networks.map((n) => ({ ...n, driver: 'bridge', scope: 'local', composeProject: 'shop', labels: { ...n.labels } })),
      volumes: state.volumes.map((v) => ({ ...v, driver: 'local', mountpoint: '', composeProject: null, labels: { ...v.labels } })),
      images: state.images.map((i) => ({ ...i, repoTags: [...i.repoTags], repoDigests: [...i.repoDigests], size: 1, createdAt: '' })),
    };
    const fromSnapshot = projectStateFromSnapshot(snapshot, 'shop');
    expect(fromSnapshot.containers.map((c) => c.id).sort()).toEqual(state.containers.map((c) => c.id).sort());
    const changed = target(project('shop', [web, { ...api, environment: {} }], { volumes: base.project.volumes }), 2);
    const a = planStack(state, changed, live);
    const b = planStack(fromSnapshot, changed, { ...live, basis: 'snapshot' });
    expect(b.plan.basis).toBe('snapshot');
    expect({ ...b.plan, basis: 'live' }).toEqual(a.plan);
    expect(b.steps).toEqual(a.steps);
  });
});
