import { applySnapshotDelta, type EngineSnapshot } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger.ts';
import { snapshotHash } from '../state/hash.ts';
import { chooseSnapshotPart, heldAfter, PollSnapshots, type HashedSnapshot } from './snapshot-part.ts';

const engine = { name: 'h', version: '28', apiVersion: '1.50', os: 'linux', arch: 'x86_64', kernelVersion: '6', cpus: 1, memoryBytes: 1, storageDriver: 'overlay2' };

function snapshot(takenAt: string, volumes: string[]): EngineSnapshot {
  return {
    takenAt,
    engine,
    containers: [],
    images: [],
    volumes: volumes.map((name) => ({ name, driver: 'local', mountpoint: `/v/${name}`, labels: {}, composeProject: null })),
    networks: [],
    composeProjects: [],
  };
}
const hashed = (s: EngineSnapshot): HashedSnapshot => ({ snapshot: s, hash: snapshotHash(s) });

describe('chooseSnapshotPart', () => {
  const a = hashed(snapshot('2026-01-01T00:00:00.000Z', ['a']));

  it('sends everything when the server holds nothing known', () => {
    expect(chooseSnapshotPart(null, a)).toEqual({ part: { type: 'snapshot', hash: a.hash, snapshot: a.snapshot }, held: a });
  });

  it('sends only the held hash when nothing but the time changed', () => {
    const later = hashed(snapshot('2026-01-01T00:05:00.000Z', ['a']));
    expect(later.hash).not.toBe(a.hash);
    expect(chooseSnapshotPart(a, later)).toEqual({ part: { type: 'snapshot-unchanged', hash: a.hash }, held: a });
    expect(chooseSnapshotPart(a, a).part).toEqual({ type: 'snapshot-unchanged', hash: a.hash });
  });

  it('sends a delta the server can apply to what it holds', () => {
    const b = hashed(snapshot('2026-01-01T00:05:00.000Z', ['a', 'b']));
    const { part, held } = chooseSnapshotPart(a, b);
    expect(held).toBe(b);
    if (part.type !== 'snapshot-delta') throw new Error(`expected a delta, got ${part.type}`);
    expect(part.baseHash).toBe(a.hash);
    expect(part.hash).toBe(b.hash);
    expect(snapshotHash(applySnapshotDelta(a.snapshot, part.delta))).toBe(b.hash);
  });

  it('sends everything when the delta would be larger', () => {
    const many = hashed(snapshot('t0', Array.from({ length: 40 }, (_, i) => `v${i}`)));
    const others = hashed(snapshot('t1', Array.from({ length: 40 }, (_, i) => `w${i}`)));
    expect(chooseSnapshotPart(many, others).part.type).toBe('snapshot');
  });
});

describe('heldAfter', () => {
  const a = hashed(snapshot('t0', ['a']));
  const b = hashed(snapshot('t1', ['b']));
  const sentB = { part: { type: 'snapshot' as const, hash: b.hash, snapshot: b.snapshot }, held: b };

  it('follows what the server says it did with the part', () => {
    expect(heldAfter(a, sentB, 'stored')).toBe(b);
    expect(heldAfter(a, sentB, 'unchanged')).toBe(b);
    expect(heldAfter(a, sentB, 'full-required')).toBeNull();
    expect(heldAfter(a, sentB, 'none')).toBeNull();
  });

  it('keeps what it knew when no part was sent, unless the server asks for everything', () => {
    expect(heldAfter(a, undefined, 'none')).toBe(a);
    expect(heldAfter(a, undefined, 'full-required')).toBeNull();
  });
});

describe('PollSnapshots', () => {
  it('sends full, then unchanged, then full again after full-required; nothing when collection fails', async () => {
    let next: EngineSnapshot | Error = snapshot('t0', ['a']);
    const snaps = new PollSnapshots(() => (next instanceof Error ? Promise.reject(next) : Promise.resolve(next)), silentLogger);
    const first = await snaps.prepare();
    expect(first?.part.type).toBe('snapshot');
    snaps.acknowledge(first, 'stored');
    next = snapshot('t1', ['a']);
    const second = await snaps.prepare();
    expect(second?.part.type).toBe('snapshot-unchanged');
    snaps.acknowledge(second, 'full-required');
    expect((await snaps.prepare())?.part.type).toBe('snapshot');
    next = new Error('engine down');
    expect(await snaps.prepare()).toBeUndefined();
  });
});
