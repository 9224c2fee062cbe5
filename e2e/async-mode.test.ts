// Async mode end to end, all real: the server in the root namespace, the agent process inside a rig
// host polling over HTTPS (inbound dropped), its own dockerd. 200 commands queued while the host's
// link is down run after it returns, in order and exactly once, checked against the engine's own
// event log; switching modes keeps the queue; interactive features answer environment_async; a
// removed stack container comes back while the host is cut off.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../packages/server/test/helpers/until.ts';
import { countMarks, execAppend, recordEngineEffects, expectedEffects, firstDifference, type ModelCommand } from './helpers/engine-effects.ts';
import { inHost, startJoinedAgent, type JoinedAgent } from './helpers/joined-agent.ts';
import { startHosts, stopAll, TEST_IMAGE, type Host } from './rig/index.ts';

const POLL_SECONDS = 1;

// One service that only sleeps; no network (the rig's engines have no bridge), no health gate wait.
const stackCompose = (mark: string) =>
  [
    'services:',
    '  w:',
    `    image: ${TEST_IMAGE}`,
    '    command: ["sleep", "3600"]',
    '    network_mode: none',
    '    healthcheck:',
    '      disable: true',
    '    environment:',
    `      MARK: "${mark}"`,
    '',
  ].join('\n');

const containerOf = (stack: string) => `${stack}_w_1`;

interface Cmd {
  id: string;
  seq: number;
  kind: string;
  status: string;
  attempts: number;
  error: unknown;
}

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('Async mode end to end (rig, real server, real agent process polling)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-e2e-async-'));
  let host: Host;
  let joined: JoinedAgent;
  let envId = 0;
  const api: JoinedAgent['api'] = (p, opts) => joined.api(p, opts);
  const ok = async (p: string, opts: Parameters<JoinedAgent['api']>[1], status: number) => {
    const r = await api(p, opts);
    expect(r.status, `${p}: ${JSON.stringify(r.body)}`).toBe(status);
    return r.body;
  };
  const env = async () => ok(`/api/environments/${envId}`, {}, 200);
  const get = async (id: string): Promise<Cmd> => ok(`/api/environments/${envId}/commands/${id}`, {}, 200);
  const enqueue = (body: unknown): Promise<Cmd> => ok(`/api/environments/${envId}/commands`, { method: 'POST', body }, 202);
  const allFinished = (ms: number) =>
    until('every command to finish', ms, async () => (await env()).queueLength === 0);
  const createStack = async (name: string): Promise<number> =>
    (await ok('/api/stacks', { method: 'POST', body: { name, environmentId: envId, compose: stackCompose(name), health: { windowSeconds: 0 } } }, 201)).id;
  const deploy = async (stackId: number, mark: string) => ok(`/api/stacks/${stackId}/deploy`, { method: 'POST', body: { compose: stackCompose(mark) } }, 202);
  // docker cp reads a stopped container's file too.
  const marksIn = async (container: string): Promise<number[]> => {
    const copy = path.join(dir, `lines-${container}`);
    rmSync(copy, { force: true });
    const copied = await host.docker(['cp', `${container}:/tmp/lines`, copy]).then(
      () => true,
      () => false,
    );
    if (!copied) return [];
    return readFileSync(copy, 'utf8').split('\n').filter((l) => l.trim() !== '').map(Number);
  };

  beforeAll(async () => {
    [host] = (await startHosts(1)) as [Host];
    joined = await startJoinedAgent({ dir, place: inHost(host), environment: 'async-site', async: { pollIntervalSeconds: POLL_SECONDS } });
    envId = joined.envId;
  }, 120_000);

  afterAll(async () => {
    await joined?.stop();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('joins in Async mode from its join command and shows state as of, next poll and queue length', async () => {
    const jt = await ok(`/api/environments/${envId}/join-tokens`, { method: 'POST', body: {} }, 201);
    expect(jt.command).toContain('--mode async');
    await until('a snapshot to arrive by poll', 15_000, async () => (await env()).stateAsOf !== null);
    const e = await env();
    expect(e).toMatchObject({ mode: 'async', status: 'up', pollIntervalSeconds: POLL_SECONDS, queueLength: 0 });
    expect(Date.parse(e.nextPollAt)).toBeGreaterThan(Date.parse(e.lastPollAt));
    expect(Date.parse(e.nextPollAt) - Date.parse(e.lastPollAt)).toBeLessThanOrEqual(POLL_SECONDS * 1000 * 1.1 + 50);
    // No tunnel: the interactive features answer at once instead of hanging.
    const started = Date.now();
    const docker = await api(`/api/environments/${envId}/docker/containers/json`);
    expect(docker.status).toBe(409);
    expect(docker.body.code).toBe('environment_async');
    expect(Date.now() - started).toBeLessThan(2_000);
  }, 60_000);

  it('runs 200 commands queued while the link is down for several poll intervals in order and exactly once, on the engine', async () => {
    // Three stacks running before the outage.
    const base = ['base1', 'base2', 'base3'];
    for (const name of base) {
      const id = await createStack(name);
      await deploy(id, name);
    }
    await allFinished(60_000);
    const running = new Set(base.map(containerOf));
    for (const c of running) expect((await host.docker(['inspect', '-f', '{{.State.Running}}', c])).trim()).toBe('true');

    const containers = new Set(running);
    const recorder = await recordEngineEffects(host, () => containers);
    await host.cutLink();
    await until('the host to be overdue', 20_000, async () => (await env()).status === 'down');
    await new Promise((r) => setTimeout(r, 3 * POLL_SECONDS * 1000));

    // The queue: new stacks deployed mid-queue (one deployed twice: the first is superseded), and
    // restarts, stops, starts and execs on whatever runs at that point of the queue.
    const rnd = random(20261121);
    const model: ModelCommand[] = [];
    const queued: Cmd[] = [];
    const up = new Set(running);
    let mark = 0;
    const stacksToAdd = ['late1', 'late2', 'late3', 'late4', 'twice'];
    const stackIds = new Map<string, number>();
    for (const name of stacksToAdd) stackIds.set(name, await createStack(name));
    while (queued.length < 200) {
      const i = queued.length;
      if (i === 100 || i === 150) {
        // 'twice': deployed at 100 and again at 150; the first never leaves the queue.
        const v = await deploy(stackIds.get('twice')!, `twice-${i}`);
        queued.push(await get(v.commandId));
        model.push({ kind: 'stack.deploy', container: containerOf('twice') });
        if (i === 150) {
          up.add(containerOf('twice'));
          containers.add(containerOf('twice'));
        }
        continue;
      }
      if (i % 40 === 20 && stacksToAdd.length > 1) {
        const name = stacksToAdd.shift()!;
        const v = await deploy(stackIds.get(name)!, name);
        queued.push(await get(v.commandId));
        model.push({ kind: 'stack.deploy', container: containerOf(name) });
        up.add(containerOf(name));
        containers.add(containerOf(name));
        continue;
      }
      const names = [...containers];
      const target = names[Math.floor(rnd() * names.length)]!;
      const roll = rnd();
      if (!up.has(target)) {
        queued.push(await enqueue({ kind: 'container.start', payload: { containerId: target } }));
        model.push({ kind: 'container.start', container: target });
        up.add(target);
      } else if (roll < 0.45) {
        mark++;
        queued.push(await enqueue({ kind: 'container.exec', payload: { containerId: target, cmd: execAppend(mark) } }));
        model.push({ kind: 'container.exec', container: target, mark });
      } else if (roll < 0.75) {
        queued.push(await enqueue({ kind: 'container.restart', payload: { containerId: target, timeoutSeconds: 0 } }));
        model.push({ kind: 'container.restart', container: target });
      } else {
        queued.push(await enqueue({ kind: 'container.stop', payload: { containerId: target, timeoutSeconds: 0 } }));
        model.push({ kind: 'container.stop', container: target });
        up.delete(target);
      }
    }
    expect(queued.map((c) => c.seq)).toEqual([...queued.map((c) => c.seq)].sort((a, b) => a - b));
    const offline = await env();
    expect(offline.status).toBe('down');
    expect(offline.queueLength).toBe(199); // the first deploy of 'twice' was superseded at once
    for (const c of queued.slice(0, 20)) expect(['queued', 'superseded']).toContain((await get(c.id)).status);

    await host.restoreLink();
    await allFinished(240_000);
    const seen = await recorder.stop();
    const final = await Promise.all(queued.map((c) => get(c.id)));
    const superseded = final.filter((c) => c.status === 'superseded');
    expect(superseded.map((c) => c.kind)).toEqual(['stack.deploy']);
    const notOk = final.filter((c) => c.status !== 'succeeded' && c.status !== 'superseded');
    expect(notOk, JSON.stringify(notOk.slice(0, 3))).toEqual([]);

    const expected = expectedEffects(
      model.map((m, i) => ({ ...m, status: final[i]!.status })),
      running,
    );
    expect(firstDifference(expected, seen)).toBeNull();
    // And the files the execs appended to: in each container, its marks once each, in queue order.
    let execs = 0;
    let lost = 0;
    let duplicated = 0;
    for (const c of containers) {
      const want = model.flatMap((m) => (m.kind === 'container.exec' && m.container === c ? [m.mark] : []));
      const counts = countMarks(want, await marksIn(c));
      execs += want.length;
      lost += counts.lost;
      duplicated += counts.duplicated;
      expect(counts, c).toEqual({ lost: 0, duplicated: 0, orderKept: true });
    }
    console.log(`async 200 commands: ${execs} execs, lost ${lost}, duplicated ${duplicated}; engine effects ${seen.length} of ${expected.length} expected, first difference: ${firstDifference(expected, seen) ?? 'none'}`);
    expect((await env()).status).toBe('up');
    // The state the server built from the polls' deltas is the engine's: every container, its state.
    const engineStates = async () =>
      Object.fromEntries(
        (await host.docker(['ps', '-a', '--format', '{{.Names}} {{.State}}']))
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => l.split(' ') as [string, string])
          .sort(([a], [b]) => a.localeCompare(b)),
      );
    const serverStates = async () =>
      Object.fromEntries(
        ((await ok(`/api/environments/${envId}/snapshot`, {}, 200)).snapshot.containers as Array<{ name: string; state: string }>)
          .map((c) => [c.name.replace(/^\//, ''), c.state] as [string, string])
          .sort(([a], [b]) => a.localeCompare(b)),
      );
    const want = await engineStates();
    await until('the polled snapshot to match the engine', 15_000, async () => JSON.stringify(await serverStates()) === JSON.stringify(want));
    expect(await serverStates()).toEqual(want);
  }, 360_000);

  it('switching Async → Standard → Async keeps the queue: what was queued while polling runs over the tunnel, and back', async () => {
    await host.docker(['run', '-d', '--name', 'switch', '--network', 'none', TEST_IMAGE, 'sleep', '3600']);
    await host.cutLink();
    await until('the host to be overdue', 20_000, async () => (await env()).status === 'down');
    const first: Cmd[] = [];
    for (let m = 1; m <= 10; m++) first.push(await enqueue({ kind: 'container.exec', payload: { containerId: 'switch', cmd: execAppend(m) } }));
    expect((await env()).queueLength).toBe(10);
    await ok(`/api/environments/${envId}`, { method: 'PATCH', body: { mode: 'standard' } }, 200);
    await host.restoreLink();
    // The next poll is told "standard": the agent opens its tunnel and the queue is pushed over it.
    await until('the tunnel to come up', 30_000, async () => (await api(`/api/environments/${envId}/status`)).body.connected === true);
    await allFinished(60_000);
    for (const c of first) expect((await get(c.id)).status).toBe('succeeded');
    expect(await marksIn('switch')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await api(`/api/environments/${envId}/docker/containers/json`)).status).toBe(200);

    // Back to Async while connected: the agent closes its tunnel and polls.
    const switchedAt = Date.now();
    await ok(`/api/environments/${envId}`, { method: 'PATCH', body: { mode: 'async' } }, 200);
    await until('the agent to poll again', 30_000, async () => {
      const e = await env();
      return e.lastPollAt !== null && Date.parse(e.lastPollAt) > switchedAt && !(await api(`/api/environments/${envId}/status`)).body.connected;
    });
    const second: Cmd[] = [];
    for (let m = 11; m <= 15; m++) second.push(await enqueue({ kind: 'container.exec', payload: { containerId: 'switch', cmd: execAppend(m) } }));
    await allFinished(60_000);
    for (const c of second) expect((await get(c.id)).status).toBe('succeeded');
    expect(await marksIn('switch')).toEqual(Array.from({ length: 15 }, (_v, i) => i + 1));
    expect((await api(`/api/environments/${envId}/docker/containers/json`)).body.code).toBe('environment_async');
  }, 180_000);

  it('while cut off, the agent brings back a removed stack container and leaves a stopped one stopped', async () => {
    const stackId = await createStack('keep');
    await deploy(stackId, 'keep');
    await allFinished(60_000);
    const id0 = (await host.docker(['inspect', '-f', '{{.Id}}', containerOf('keep')])).trim();
    await host.docker(['stop', '-t', '0', containerOf('base1')]).catch(() => '');
    await host.cutLink();
    await host.docker(['rm', '-f', containerOf('keep')]);
    const back = await until('the removed container to be recreated while the link is down', 90_000, async () => {
      const id = (await host.docker(['ps', '-q', '--no-trunc', '--filter', `name=^${containerOf('keep')}$`])).trim();
      return id !== '' && id !== id0 ? id : false;
    });
    expect(back).not.toBe(id0);
    expect((await host.docker(['inspect', '-f', '{{.State.Running}}', containerOf('base1')])).trim()).toBe('false');
    await host.restoreLink();
  }, 150_000);
});
