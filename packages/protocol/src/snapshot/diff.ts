// Pure helpers over engine snapshots, shared by the agent (builds deltas), the server (applies and
// verifies them) and later the Async mode and the web UI. No I/O and no hashing here: each side
// hashes canonicalSnapshot() with its own sha256 (the browser has no node:crypto).
import type { EngineSnapshot, SnapshotDelta } from './schema.ts';

type Collections = Pick<EngineSnapshot, 'containers' | 'images' | 'volumes' | 'networks' | 'composeProjects'>;
type CollectionName = keyof Collections;
type Item<C extends CollectionName> = Collections[C][number];

/** How items of each collection are identified: a delta upserts and removes by these keys. */
export const SNAPSHOT_KEYS: { readonly [C in CollectionName]: (item: Item<C>) => string } = {
  containers: (c) => c.id,
  images: (i) => i.id,
  volumes: (v) => v.name,
  networks: (n) => n.id,
  composeProjects: (p) => p.name,
};

/** The collections of a snapshot, in the order canonical forms and deltas list them. */
export const SNAPSHOT_COLLECTIONS: readonly CollectionName[] = ['containers', 'images', 'volumes', 'networks', 'composeProjects'];

/** JSON with object keys sorted at every level and undefined members dropped; arrays keep their order. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

const byKey = (a: [string, unknown], b: [string, unknown]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Items keyed, sorted by key; a later item with the same key replaces an earlier one. */
function keyed<C extends CollectionName>(name: C, items: readonly Item<C>[]): Array<[string, Item<C>]> {
  const key: (item: Item<C>) => string = SNAPSHOT_KEYS[name];
  const map = new Map<string, Item<C>>();
  for (const item of items) map.set(key(item), item);
  return [...map.entries()].sort(byKey);
}

/** The snapshot with collections deduplicated and sorted by key, `truncated` only when true. */
function normalized(s: EngineSnapshot): EngineSnapshot {
  return {
    takenAt: s.takenAt,
    engine: s.engine,
    containers: keyed('containers', s.containers).map(([, v]) => v),
    images: keyed('images', s.images).map(([, v]) => v),
    volumes: keyed('volumes', s.volumes).map(([, v]) => v),
    networks: keyed('networks', s.networks).map(([, v]) => v),
    composeProjects: keyed('composeProjects', s.composeProjects).map(([, v]) => v),
    ...(s.truncated === true ? { truncated: true } : {}),
  };
}

/**
 * The canonical text of a snapshot: what its hash is taken over. Independent of collection order,
 * object key order and duplicate keys (the last wins), so both ends agree whatever the transport did.
 */
export function canonicalSnapshot(s: EngineSnapshot): string {
  return stableJson(normalized(s));
}

function diffCollection<C extends CollectionName>(name: C, base: readonly Item<C>[], next: readonly Item<C>[]): { upsert: Item<C>[]; remove: string[] } {
  const before = new Map(keyed(name, base).map(([k, v]) => [k, stableJson(v)]));
  const after = keyed(name, next);
  const upsert = after.filter(([k, v]) => before.get(k) !== stableJson(v)).map(([, v]) => v);
  const present = new Set(after.map(([k]) => k));
  const remove = [...before.keys()].filter((k) => !present.has(k));
  return { upsert, remove };
}

/** The delta that turns `base` into `next`: changed or new items whole, removed items by key. */
export function diffSnapshots(base: EngineSnapshot, next: EngineSnapshot): SnapshotDelta {
  const delta: SnapshotDelta = {
    takenAt: next.takenAt,
    containers: diffCollection('containers', base.containers, next.containers),
    images: diffCollection('images', base.images, next.images),
    volumes: diffCollection('volumes', base.volumes, next.volumes),
    networks: diffCollection('networks', base.networks, next.networks),
    composeProjects: diffCollection('composeProjects', base.composeProjects, next.composeProjects),
  };
  if (stableJson(base.engine) !== stableJson(next.engine)) delta.engine = next.engine;
  if ((base.truncated === true) !== (next.truncated === true)) delta.truncated = next.truncated === true;
  return delta;
}

/** True when the delta changes nothing but `takenAt` (the agent then need not send it). */
export function isEmptyDelta(d: SnapshotDelta): boolean {
  return d.engine === undefined && d.truncated === undefined && SNAPSHOT_COLLECTIONS.every((c) => d[c].upsert.length === 0 && d[c].remove.length === 0);
}

function applyCollection<C extends CollectionName>(name: C, base: readonly Item<C>[], d: { upsert: readonly Item<C>[]; remove: readonly string[] }): Item<C>[] {
  const key: (item: Item<C>) => string = SNAPSHOT_KEYS[name];
  const map = new Map(keyed(name, base));
  for (const k of d.remove) map.delete(k);
  for (const item of d.upsert) map.set(key(item), item);
  return [...map.entries()].sort(byKey).map(([, v]) => v);
}

/** `base` with the delta applied (removals first, then upserts); collections come out sorted by key. */
export function applySnapshotDelta(base: EngineSnapshot, delta: SnapshotDelta): EngineSnapshot {
  const truncated = delta.truncated ?? base.truncated === true;
  return {
    takenAt: delta.takenAt,
    engine: delta.engine ?? base.engine,
    containers: applyCollection('containers', base.containers, delta.containers),
    images: applyCollection('images', base.images, delta.images),
    volumes: applyCollection('volumes', base.volumes, delta.volumes),
    networks: applyCollection('networks', base.networks, delta.networks),
    composeProjects: applyCollection('composeProjects', base.composeProjects, delta.composeProjects),
    ...(truncated ? { truncated: true } : {}),
  };
}

/** Container counts of a snapshot; `running` includes restarting, `stopped` is neither running nor paused. */
export interface ContainerSummary {
  total: number;
  running: number;
  stopped: number;
  paused: number;
  unhealthy: number;
}

/** Counts the snapshot's containers by state, and those whose health check reports unhealthy. */
export function summarizeContainers(s: Pick<EngineSnapshot, 'containers'>): ContainerSummary {
  const summary: ContainerSummary = { total: 0, running: 0, stopped: 0, paused: 0, unhealthy: 0 };
  for (const c of s.containers) {
    summary.total++;
    if (c.state === 'running' || c.state === 'restarting') summary.running++;
    else if (c.state === 'paused') summary.paused++;
    else summary.stopped++;
    if (c.health === 'unhealthy') summary.unhealthy++;
  }
  return summary;
}
