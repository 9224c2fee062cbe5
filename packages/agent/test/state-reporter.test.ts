// The state reporter against a real dockerd (a rig host): what it sends over a link, playing the
// server's part (apply each delta to the last snapshot and check the announced hash).
import type { ClientRequest } from 'node:http';
import {
  SnapshotDeltaFrameSchema,
  SnapshotFrameSchema,
  applySnapshotDelta,
  type AgentAppFrame,
  type EngineSnapshot,
} from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, stopAll, TEST_IMAGE, type Host } from '../../../e2e/rig/index.ts';
import { dockerEngine } from '../src/engine/docker-engine.ts';
import type { EngineConnector } from '../src/engine/engine-connector.ts';
import { createLogger } from '../src/log/logger.ts';
import { snapshotHash } from '../src/state/hash.ts';
import { StateReporter } from '../src/state/state-reporter.ts';

const log = createLogger('error', () => undefined);

async function until<T>(what: string, probe: () => T | undefined, withinMs = 20_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('state reporter on a real engine', () => {
  let host: Host;
  let engine: EngineConnector;
  const eventStreams: ClientRequest[] = [];
  const frames: AgentAppFrame[] = [];
  let reporter: StateReporter;
  // What a server following these frames would hold.
  let held: { snapshot: EngineSnapshot; hash: string } | null = null;
  let rejected = 0;

  const follow = (frame: AgentAppFrame) => {
    frames.push(frame);
    if (frame.type === 'snapshot') {
      expect(SnapshotFrameSchema.safeParse(frame).success).toBe(true);
      expect(snapshotHash(frame.snapshot)).toBe(frame.hash);
      held = { snapshot: frame.snapshot, hash: frame.hash };
    } else if (frame.type === 'snapshot-delta') {
      expect(SnapshotDeltaFrameSchema.safeParse(frame).success).toBe(true);
      if (!held || held.hash !== frame.baseHash) return void rejected++;
      const next = applySnapshotDelta(held.snapshot, frame.delta);
      expect(snapshotHash(next)).toBe(frame.hash);
      held = { snapshot: next, hash: frame.hash };
    }
  };
  const heldHas = (pick: (s: EngineSnapshot) => boolean) => () => (held && pick(held.snapshot) ? true : undefined);

  beforeAll(async () => {
    [host] = (await startHosts(1)) as [Host];
    const real = dockerEngine({ kind: 'unix', socketPath: host.dockerSocket });
    // The real connector, noting the event streams so the test can break one.
    engine = {
      ...real,
      request: (r) => {
        const req = real.request(r);
        if (r.path.startsWith('/events')) eventStreams.push(req);
        return req;
      },
    };
    reporter = new StateReporter({ engine, log, backoff: { initialMs: 100, maxMs: 500, jitter: 0, refusedMs: 1_000 } });
    reporter.connected({ send: (f) => (follow(f), true) });
  });

  afterAll(async () => {
    await reporter?.stop();
    engine?.close();
    await stopAll();
  });

  it('sends a full snapshot of the engine on connect', async () => {
    const first = await until('a full snapshot', () => frames.find((f) => f.type === 'snapshot'));
    if (first.type !== 'snapshot') throw new Error('unreachable');
    const version = (await host.docker(['version', '--format', '{{.Server.Version}}'])).trim();
    expect(first.snapshot.engine.version).toBe(version);
    expect(first.snapshot.images.some((i) => i.repoTags.includes(TEST_IMAGE))).toBe(true);
    const networks = (await host.docker(['network', 'ls', '--format', '{{.Name}}'])).split('\n').filter(Boolean);
    expect(first.snapshot.networks.map((n) => n.name).sort()).toEqual(networks.sort());
  });

  it('follows engine events with deltas the server can apply', async () => {
    await host.docker(['volume', 'create', 'rep-vol']);
    await host.docker(['run', '-d', '--name', 'rep-web', '--label', 'com.docker.compose.project=rep', '--label', 'com.docker.compose.service=web', TEST_IMAGE]);
    await until('the volume and container', heldHas((s) => s.volumes.some((v) => v.name === 'rep-vol') && s.containers.some((c) => c.name === 'rep-web' && c.state === 'running')));
    expect(frames.some((f) => f.type === 'snapshot-delta')).toBe(true);
    expect(held?.snapshot.composeProjects).toEqual([expect.objectContaining({ name: 'rep', services: ['web'], containers: 1, running: 1 })]);
    await host.docker(['rm', '-f', 'rep-web']);
    await until('the container gone', heldHas((s) => !s.containers.some((c) => c.name === 'rep-web') && s.composeProjects.length === 0));
    expect(rejected).toBe(0);
  });

  it('follows the event stream again when it breaks', async () => {
    const before = eventStreams.length;
    eventStreams.at(-1)?.destroy();
    await until('a new event stream', () => (eventStreams.length > before ? true : undefined));
    // Let the catch-up collection that follows a reopening pass: the change below must come by an event.
    await new Promise((r) => setTimeout(r, 1_000));
    await host.docker(['network', 'create', 'rep-net']);
    await until('the network', heldHas((s) => s.networks.some((n) => n.name === 'rep-net')));
  });

  it('answers snapshot-request with a full snapshot', async () => {
    const fulls = () => frames.filter((f) => f.type === 'snapshot').length;
    const before = fulls();
    reporter.frame({ type: 'snapshot-request', reason: 'test' });
    await until('another full snapshot', () => (fulls() > before ? true : undefined));
  });

  it('goes quiet once disconnected, and starts over with a full snapshot on the next connection', async () => {
    reporter.disconnected();
    const count = frames.length;
    const open = eventStreams.filter((r) => !r.destroyed);
    expect(open).toEqual([]);
    await host.docker(['volume', 'create', 'rep-vol-2']);
    await new Promise((r) => setTimeout(r, 1_500)); // several quiet periods: nothing may be sent
    expect(frames.length).toBe(count);
    held = null;
    reporter.connected({ send: (f) => (follow(f), true) });
    await until('a fresh full snapshot', heldHas((s) => s.volumes.some((v) => v.name === 'rep-vol-2')));
    expect(frames[count]?.type).toBe('snapshot');
  });
});
