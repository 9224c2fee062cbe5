// The stack enforcer against a real dockerd (a rig host): a deployed project's removed container is
// made again (soon after its destroy event, and by an explicit pass), a stopped one stays stopped,
// nothing runs while a command does, and a standard-mode tunnel being up pauses it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COMPOSE_LABEL, type StackDeployPayload } from '@capstan/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, stopAll, TEST_IMAGE, type Host } from '../../../e2e/rig/index.ts';
import { project, service, target, volume } from '../../protocol/src/stacks/fixtures.test-util.ts';
import { dockerEngine } from '../src/engine/docker-engine.ts';
import type { EngineConnector } from '../src/engine/engine-connector.ts';
import { silentLogger } from '../src/log/logger.ts';
import { createStackEnforcer, type StackEnforcer } from '../src/stacks/enforcer.ts';
import { executeStackCommand } from '../src/stacks/stack-commands.ts';

let host: Host;
let engine: EngineConnector;
let stateDir: string;
let enforcer: StackEnforcer | null = null;

const mount = { type: 'volume' as const, source: 'data', target: '/data', readOnly: false, createHostPath: false, noCopy: false, tmpfsSizeBytes: null, tmpfsMode: null, propagation: null };
const keep = project('keep', [service('db', TEST_IMAGE, { command: ['sleep', '3600'], mounts: [mount] }), service('web', TEST_IMAGE, { command: ['sleep', '3600'], replicas: 2 })], {
  volumes: { data: volume('keep', 'data') },
});

/** name → {id, state} of the project's containers. */
async function containers(): Promise<Map<string, { id: string; state: string }>> {
  const out = await host.docker(['ps', '-a', '--filter', `label=${COMPOSE_LABEL.project}=keep`, '--format', '{{.Names}} {{.ID}} {{.State}}']);
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [name = '', id = '', state = ''] = l.split(' ');
        return [name, { id, state }];
      }),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(over: { isBusy?: () => boolean; intervalMs?: number } = {}): StackEnforcer {
  enforcer = createStackEnforcer({ engine, stateDir, log: silentLogger, isBusy: over.isBusy ?? (() => false), intervalMs: over.intervalMs ?? 60_000, eventDelayMs: 200, busyRetryMs: 100 });
  enforcer.start();
  return enforcer;
}

beforeAll(async () => {
  [host] = (await startHosts(1)) as [Host];
  engine = dockerEngine({ kind: 'unix', socketPath: host.dockerSocket });
  stateDir = mkdtempSync(path.join(tmpdir(), 'capstan-enforcer-'));
  const payload: StackDeployPayload = { target: target(keep), previous: null, pull: 'missing', registryAuth: [], health: { windowMs: 0, onFailure: 'report' } };
  const deployed = await executeStackCommand({ engine, stateDir, progress: () => undefined, pollMs: 100 }, { kind: 'stack.deploy', payload });
  expect(deployed.status, JSON.stringify(deployed.error)).toBe('succeeded');
}, 120_000);

afterEach(async () => {
  await enforcer?.stop();
  enforcer = null;
});

afterAll(async () => {
  engine?.close();
  await stopAll();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('stack enforcer (real dockerd)', { timeout: 60_000 }, () => {
  it('makes a removed container again soon after its destroy event, and leaves a stopped one stopped', async () => {
    const before = await containers();
    expect([...before.keys()].sort()).toEqual(['keep_db_1', 'keep_web_1', 'keep_web_2']);
    start();
    await host.docker(['stop', '-t', '0', 'keep_web_1']);
    await host.docker(['rm', '-f', 'keep_web_2']);
    await expect.poll(async () => (await containers()).get('keep_web_2')?.state, { timeout: 15_000, interval: 200 }).toBe('running');
    const after = await containers();
    expect(after.get('keep_web_2')?.id).not.toBe(before.get('keep_web_2')?.id);
    expect(after.get('keep_web_1')).toEqual({ id: before.get('keep_web_1')?.id, state: 'exited' });
    expect(after.get('keep_db_1')).toEqual(before.get('keep_db_1'));
    // Another pass changes nothing: the stop stands, nothing is recreated or removed.
    expect(await enforcer!.enforceNow()).toEqual([]);
    expect(await containers()).toEqual(after);
    await host.docker(['start', 'keep_web_1']);
  });

  it('waits while a command runs, then re-creates on the next pass (the volume a container used is kept)', async () => {
    let busy = true;
    const e = start({ isBusy: () => busy });
    await host.docker(['rm', '-f', 'keep_db_1']);
    await sleep(800); // the destroy event's pass is held back while busy
    expect((await containers()).has('keep_db_1')).toBe(false);
    expect(await e.enforceNow()).toEqual([]);
    busy = false;
    await expect.poll(async () => (await containers()).get('keep_db_1')?.state, { timeout: 15_000, interval: 200 }).toBe('running');
    expect((await host.docker(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'keep_db_1'])).trim()).toBe('keep_data');
  });

  it('rests while a standard-mode tunnel is up, and runs when the server says async', async () => {
    const e = start({ intervalMs: 300 });
    e.connected({ send: () => true });
    await host.docker(['rm', '-f', 'keep_web_1']);
    await sleep(1200);
    expect((await containers()).has('keep_web_1')).toBe(false);
    e.frame({ type: 'agent-mode', mode: 'async', intervals: { pollIntervalMs: 60_000, jitterMs: 0 } });
    await expect.poll(async () => (await containers()).get('keep_web_1')?.state, { timeout: 15_000, interval: 200 }).toBe('running');
  });

  it('reports what an explicit pass did', async () => {
    start();
    await enforcer!.stop(); // no timers or events: only the explicit pass below
    await host.docker(['rm', '-f', 'keep_web_2']);
    expect(await enforcer!.enforceNow()).toEqual([{ project: 'keep', applied: ['create keep_web_2', 'start keep_web_2'] }]);
    expect((await containers()).get('keep_web_2')?.state).toBe('running');
  });
});
