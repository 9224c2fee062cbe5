import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applySnapshotDelta, canonicalSnapshot, diffSnapshots, isEmptyDelta, summarizeContainers } from './diff.ts';
import { EngineSnapshotSchema, SnapshotDeltaSchema, type EngineSnapshot, type SnapshotContainer } from './schema.ts';

const engine = {
  name: 'host-a',
  version: '28.1.1',
  apiVersion: '1.49',
  os: 'Debian GNU/Linux 12 (bookworm)',
  arch: 'x86_64',
  kernelVersion: '6.1.0',
  cpus: 4,
  memoryBytes: 8_000_000_000,
  storageDriver: 'overlay2',
};

function container(id: string, state: string, extra: Partial<SnapshotContainer> = {}): SnapshotContainer {
  return {
    id,
    name: `c-${id}`,
    image: 'busybox',
    imageId: 'sha256:img1',
    command: 'sh',
    createdAt: '2026-01-01T00:00:00.000Z',
    state,
    status: state === 'running' ? 'Up' : 'Exited (0)',
    health: null,
    labels: {},
    ports: [],
    composeProject: null,
    composeService: null,
    ...extra,
  };
}

const base: EngineSnapshot = {
  takenAt: '2026-01-01T00:00:00.000Z',
  engine,
  containers: [container('b', 'running'), container('a', 'exited')],
  images: [{ id: 'sha256:img1', repoTags: ['busybox:latest'], repoDigests: [], size: 1000, createdAt: '2025-01-01T00:00:00.000Z' }],
  volumes: [{ name: 'data', driver: 'local', mountpoint: '/var/lib/docker/volumes/data/_data', labels: {}, composeProject: null }],
  networks: [{ id: 'n1', name: 'bridge', driver: 'bridge', scope: 'local', labels: {}, composeProject: null }],
  composeProjects: [],
};

describe('canonicalSnapshot', () => {
  it('ignores collection order, key order and a false truncated flag', () => {
    const reordered: EngineSnapshot = {
      composeProjects: [],
      networks: base.networks,
      volumes: base.volumes,
      images: base.images,
      containers: [...base.containers].reverse().map((c) => Object.fromEntries(Object.entries(c).reverse()) as SnapshotContainer),
      engine: { ...engine },
      takenAt: base.takenAt,
      truncated: false,
    };
    expect(canonicalSnapshot(reordered)).toBe(canonicalSnapshot(base));
    expect(canonicalSnapshot({ ...base, truncated: true })).not.toBe(canonicalSnapshot(base));
  });

  it('changes with any item content', () => {
    const changed = { ...base, containers: [container('b', 'running', { labels: { x: '1' } }), container('a', 'exited')] };
    expect(canonicalSnapshot(changed)).not.toBe(canonicalSnapshot(base));
  });

  it('is valid JSON that parses back to a valid snapshot', () => {
    expect(EngineSnapshotSchema.parse(JSON.parse(canonicalSnapshot(base)))).toBeTruthy();
  });
});

describe('diffSnapshots / applySnapshotDelta', () => {
  it('carries only what changed', () => {
    const next: EngineSnapshot = {
      ...base,
      takenAt: '2026-01-01T00:01:00.000Z',
      containers: [container('b', 'exited'), container('a', 'exited'), container('c', 'running')],
      volumes: [],
    };
    const delta = diffSnapshots(base, next);
    expect(delta.containers.upsert.map((c) => c.id)).toEqual(['b', 'c']);
    expect(delta.containers.remove).toEqual([]);
    expect(delta.volumes).toEqual({ upsert: [], remove: ['data'] });
    expect(delta.images).toEqual({ upsert: [], remove: [] });
    expect(delta.engine).toBeUndefined();
    expect(SnapshotDeltaSchema.parse(delta)).toEqual(delta);
    expect(canonicalSnapshot(applySnapshotDelta(base, delta))).toBe(canonicalSnapshot(next));
  });

  it('sends the engine only when it changed, and the truncated flag only when it flips', () => {
    const upgraded = { ...base, engine: { ...engine, version: '28.2.0' } };
    expect(diffSnapshots(base, upgraded).engine?.version).toBe('28.2.0');
    expect(diffSnapshots(base, { ...base, truncated: true }).truncated).toBe(true);
    const untruncated = diffSnapshots({ ...base, truncated: true }, base);
    expect(untruncated.truncated).toBe(false);
    expect(applySnapshotDelta({ ...base, truncated: true }, untruncated).truncated).toBeUndefined();
  });

  it('knows an empty delta', () => {
    expect(isEmptyDelta(diffSnapshots(base, { ...base, takenAt: 'later' }))).toBe(true);
    expect(isEmptyDelta(diffSnapshots(base, { ...base, volumes: [] }))).toBe(false);
  });

  it('turns any snapshot into any other (property)', () => {
    const id = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const labels = fc.dictionary(fc.constantFrom('k1', 'k2', 'com.docker.compose.project'), fc.string({ maxLength: 4 }), { maxKeys: 2 });
    const containerArb = fc.record({
      id,
      state: fc.constantFrom('running', 'exited', 'paused', 'restarting', 'created'),
      labels,
      health: fc.constantFrom(null, 'healthy', 'unhealthy'),
    }).map((c) => container(c.id, c.state, { labels: c.labels, health: c.health }));
    const snapshotArb: fc.Arbitrary<EngineSnapshot> = fc.record({
      takenAt: fc.constantFrom('t1', 't2'),
      engine: fc.constantFrom(engine, { ...engine, version: '29.0.0' }),
      containers: fc.array(containerArb, { maxLength: 6 }),
      images: fc.array(
        fc.record({ id, repoTags: fc.array(fc.constantFrom('x:1', 'y:2'), { maxLength: 2 }), repoDigests: fc.constant<string[]>([]), size: fc.nat(), createdAt: fc.constant('t') }),
        { maxLength: 4 },
      ),
      volumes: fc.array(fc.record({ name: id, driver: fc.constantFrom('local', 'nfs'), mountpoint: fc.constant('/m'), labels, composeProject: fc.constantFrom(null, 'p') }), {
        maxLength: 4,
      }),
      networks: fc.array(fc.record({ id, name: id, driver: fc.constant('bridge'), scope: fc.constant('local'), labels, composeProject: fc.constant(null) }), { maxLength: 4 }),
      composeProjects: fc.array(
        fc.record({
          name: id,
          services: fc.array(fc.constantFrom('web', 'db'), { maxLength: 2 }),
          containers: fc.nat(3),
          running: fc.nat(3),
          workingDir: fc.constantFrom(null, '/srv'),
          configFiles: fc.constant(null),
        }),
        { maxLength: 3 },
      ),
      truncated: fc.constantFrom(undefined, true, false),
    }).map((s) => {
      const { truncated, ...rest } = s;
      return truncated === undefined ? rest : { ...rest, truncated };
    });
    fc.assert(
      fc.property(snapshotArb, snapshotArb, (a, b) => {
        const delta = diffSnapshots(a, b);
        expect(canonicalSnapshot(applySnapshotDelta(a, delta))).toBe(canonicalSnapshot(b));
        // A delta survives the wire (schema parse, JSON) unchanged in effect.
        const wired = SnapshotDeltaSchema.parse(JSON.parse(JSON.stringify(delta)));
        expect(canonicalSnapshot(applySnapshotDelta(a, wired))).toBe(canonicalSnapshot(b));
        expect(isEmptyDelta(delta)).toBe(canonicalSnapshot({ ...a, takenAt: b.takenAt }) === canonicalSnapshot(b));
      }),
      { numRuns: 500 },
    );
  });
});

describe('summarizeContainers', () => {
  it('counts by state and health', () => {
    const s = {
      containers: [
        container('1', 'running', { health: 'unhealthy' }),
        container('2', 'restarting'),
        container('3', 'paused'),
        container('4', 'exited'),
        container('5', 'created'),
        container('6', 'dead'),
      ],
    };
    expect(summarizeContainers(s)).toEqual({ total: 6, running: 2, stopped: 3, paused: 1, unhealthy: 1 });
    expect(summarizeContainers({ containers: [] })).toEqual({ total: 0, running: 0, stopped: 0, paused: 0, unhealthy: 0 });
  });
});
