// Live engine state on the server, on both databases: snapshot and delta frames driven through the
// service as the tunnel would deliver them, read back through the API.
import {
  canonicalSnapshot,
  diffSnapshots,
  type EngineSnapshot,
  type ServerAppFrame,
  type SnapshotContainer,
  type SnapshotDeltaFrame,
  type SnapshotFrame,
} from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotReplyTo } from '../src/modules/snapshots/snapshots.service.ts';
import { DIALECTS } from './helpers/databases.ts';
import { container, hashOf, snapshot } from './helpers/snapshot-fixtures.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const full = (s: EngineSnapshot, hash = hashOf(s)): SnapshotFrame => ({ type: 'snapshot', hash, snapshot: s });
const delta = (base: EngineSnapshot, next: EngineSnapshot, baseHash = hashOf(base), hash = hashOf(next)): SnapshotDeltaFrame => ({
  type: 'snapshot-delta',
  baseHash,
  hash,
  delta: diffSnapshots(base, next),
});

describe.each(DIALECTS)('engine snapshots (%s)', (dialect) => {
  let h: Harness;
  let token = '';
  const sent: ServerAppFrame[] = [];

  const newEnv = async (name: string): Promise<{ id: number; to: SnapshotReplyTo }> => {
    const r = await h.call({ method: 'POST', url: '/api/environments', token, body: { name } });
    expect(r.status).toBe(201);
    const id = r.body.id as number;
    return { id, to: { environmentId: id, send: (f) => (sent.push(f), true) } };
  };
  const getSnapshot = (id: number) => h.call({ method: 'GET', url: `/api/environments/${id}/snapshot`, token });
  const receive = (to: SnapshotReplyTo, frame: SnapshotFrame | SnapshotDeltaFrame) => h.app.services.snapshots.receive(to, frame);

  beforeAll(async () => {
    h = await createHarness(dialect);
    token = await h.setupAdmin();
  });
  afterAll(async () => h?.close());

  it('answers snapshot_not_found before the first snapshot and not_found for no environment', async () => {
    const { id } = await newEnv('fresh');
    const none = await getSnapshot(id);
    expect(none.status).toBe(404);
    expect(none.body.code).toBe('snapshot_not_found');
    expect(none.body.detail).toMatch(/has no engine snapshot yet/);
    expect((await getSnapshot(999_999)).body.code).toBe('not_found');
    expect((await h.call({ method: 'GET', url: `/api/environments/${id}`, token })).body.containers).toBeNull();
  });

  it('stores a full snapshot, serves it with counts, and keeps only the latest', async () => {
    const { id, to } = await newEnv('full');
    const s1 = snapshot([container('a', 'running'), container('b', 'exited'), container('c', 'running', 'unhealthy'), container('d', 'paused')]);
    expect(await receive(to, full(s1))).toEqual({ result: 'stored', hash: hashOf(s1) });
    const got = await getSnapshot(id);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ environmentId: id, takenAt: s1.takenAt, hash: hashOf(s1), live: false });
    expect(canonicalSnapshot(got.body.snapshot)).toBe(canonicalSnapshot(s1));
    const env = await h.call({ method: 'GET', url: `/api/environments/${id}`, token });
    expect(env.body.containers).toEqual({ total: 4, running: 2, stopped: 1, unhealthy: 1 });
    const list = await h.call({ method: 'GET', url: '/api/environments?search=full', token });
    expect(list.body.items[0].containers).toEqual({ total: 4, running: 2, stopped: 1, unhealthy: 1 });

    const s2 = snapshot([container('z', 'running')], '2026-01-01T00:05:00.000Z');
    expect((await receive(to, full(s2))).result).toBe('stored');
    expect((await getSnapshot(id)).body.snapshot.containers.map((c: SnapshotContainer) => c.id)).toEqual(['z']);
    expect((await h.call({ method: 'GET', url: `/api/environments/${id}`, token })).body.containers.total).toBe(1);
  });

  it('refuses a snapshot whose hash does not match and asks for a full one, not in a tight loop', async () => {
    const { id, to } = await newEnv('bad-hash');
    const s = snapshot([container('a', 'running')]);
    sent.length = 0;
    const first = await receive(to, full(s, 'f'.repeat(64)));
    expect(first).toMatchObject({ result: 'requested', sent: true });
    expect(sent).toEqual([{ type: 'snapshot-request', reason: expect.stringMatching(/does not hash/) }]);
    expect((await receive(to, full(s, 'e'.repeat(64)))).result).toBe('requested');
    expect(sent).toHaveLength(1); // asked recently already
    expect((await getSnapshot(id)).status).toBe(404);
    // A good snapshot is stored, and the next problem is asked about at once.
    expect((await receive(to, full(s))).result).toBe('stored');
    expect(await receive(to, full(s, 'd'.repeat(64)))).toMatchObject({ result: 'requested', sent: true });
    expect(sent).toHaveLength(2);
  });

  it('applies a delta against the stored snapshot', async () => {
    const { id, to } = await newEnv('delta');
    const base = snapshot([container('a', 'running'), container('b', 'running')]);
    await receive(to, full(base));
    const next: EngineSnapshot = {
      ...snapshot([container('a', 'exited'), container('c', 'running')], '2026-01-01T00:01:00.000Z'),
      volumes: [],
      networks: [...base.networks, { id: 'n2', name: 'app', driver: 'bridge', scope: 'local', labels: { x: 'y' }, composeProject: null }],
    };
    expect(await receive(to, delta(base, next))).toEqual({ result: 'stored', hash: hashOf(next) });
    const got = (await getSnapshot(id)).body;
    expect(got.hash).toBe(hashOf(next));
    expect(got.takenAt).toBe(next.takenAt);
    expect(canonicalSnapshot(got.snapshot)).toBe(canonicalSnapshot(next));
    expect((await h.call({ method: 'GET', url: `/api/environments/${id}`, token })).body.containers).toEqual({ total: 2, running: 1, stopped: 1, unhealthy: 0 });
  });

  it('asks for a full snapshot when a delta has no base, the wrong base, or the wrong result', async () => {
    const { id, to } = await newEnv('delta-bad');
    const base = snapshot([container('a', 'running')]);
    const next = snapshot([container('a', 'exited')], '2026-01-01T00:01:00.000Z');
    sent.length = 0;
    expect(await receive(to, delta(base, next))).toMatchObject({ result: 'requested', reason: expect.stringMatching(/no snapshot stored/) });
    h.app.services.snapshots.disconnected(id); // a new connection may be asked again at once
    await receive(to, full(base));
    const other = snapshot([container('q', 'running')]);
    expect(await receive(to, delta(other, next))).toMatchObject({ result: 'requested', reason: expect.stringMatching(/does not hold/), sent: true });
    h.app.services.snapshots.disconnected(id);
    expect(await receive(to, delta(base, next, hashOf(base), 'a'.repeat(64)))).toMatchObject({
      result: 'requested',
      reason: expect.stringMatching(/does not give the announced hash/),
      sent: true,
    });
    expect(sent.map((f) => f.type)).toEqual(['snapshot-request', 'snapshot-request', 'snapshot-request']);
    expect((await getSnapshot(id)).body.hash).toBe(hashOf(base)); // nothing bad was stored
  });

  it('handles frames of one environment in arrival order', async () => {
    const { id, to } = await newEnv('ordered');
    const states = Array.from({ length: 8 }, (_, i) => snapshot([container('a', i % 2 ? 'running' : 'exited'), container(`n${i}`, 'running')], `2026-01-01T00:0${i}:00.000Z`));
    // Not awaited one by one: each delta must still meet the state the frame before it stored.
    const outcomes = await Promise.all([receive(to, full(states[0]!)), ...states.slice(1).map((s, i) => receive(to, delta(states[i]!, s)))]);
    expect(outcomes.map((o) => o.result)).toEqual(Array(8).fill('stored'));
    expect((await getSnapshot(id)).body.hash).toBe(hashOf(states[7]!));
  });

  it('drops the snapshot with its environment', async () => {
    const { id, to } = await newEnv('doomed');
    await receive(to, full(snapshot([])));
    expect((await h.call({ method: 'DELETE', url: `/api/environments/${id}`, token })).status).toBe(204);
    const rows = await h.store.db.selectFrom('environmentSnapshots').select('environmentId').where('environmentId', '=', id).execute();
    expect(rows).toEqual([]);
  });
});
