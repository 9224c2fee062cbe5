// The Async-mode fault soak, all real: 1,000 commands for a polling agent in a rig host while the
// test cuts the host's link, kills the agent with -9 and kills the server process with -9 at random
// points (restarting each). Afterwards every command's effect must be on the engine exactly once and
// in queue order: the execs' lines in a file, the restarts in the engine's own event log.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN } from '../packages/server/test/helpers/harness.ts';
import { fetchJson } from '../packages/server/test/helpers/https-client.ts';
import { freePort, spawnServer, type ServerProcess } from '../packages/server/test/helpers/server-process.ts';
import { until } from '../packages/server/test/helpers/until.ts';
import { countMarks, execAppend, recordEngineEffects, expectedEffects, firstDifference, type ModelCommand } from './helpers/engine-effects.ts';
import { agentProcess, inHost, joinFlags, type AgentProcess } from './helpers/joined-agent.ts';
import { startHosts, stopAll, TEST_IMAGE, type Host } from './rig/index.ts';

const COMMANDS = 1_000;
const RESTART_EVERY = 10; // every 10th command restarts the second container

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

describe('Async mode fault soak (rig, real server process, real agent process)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-e2e-soak-'));
  const dataDir = path.join(dir, 'data');
  let host: Host;
  let server: ServerProcess | null = null;
  let port = 0;
  let token = '';
  let envId = 0;
  let agent: AgentProcess;
  let flags: string[] = [];

  const url = () => `https://127.0.0.1:${port}`;
  const api = (p: string, opts: Parameters<typeof fetchJson>[1] = {}) => fetchJson(`${url()}${p}`, { token, ...opts });
  const serverArgs = (): string[] => ['--data-dir', dataDir, '--admin-password-file', path.join(dir, 'admin-password'), '--public-url', `https://${host.rootAddress}:${port}`];
  const startServerProcess = async () => {
    server = await spawnServer(serverArgs(), { port, host: '0.0.0.0' });
  };
  const startAgent = () => agent.start(flags);
  const killAgent = () => agent.kill();

  beforeAll(async () => {
    [host] = (await startHosts(1)) as [Host];
    port = await freePort();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dir, 'admin-password'), `${ADMIN.password}\n`);
    await startServerProcess();
    token = (await api('/api/auth/login', { method: 'POST', body: ADMIN })).body.token;
    const env = await api('/api/environments', { method: 'POST', body: { name: 'soak-site', mode: 'async', pollIntervalSeconds: 1 } });
    expect(env.status, JSON.stringify(env.body)).toBe(201);
    envId = env.body.id;
    const jt = await api(`/api/environments/${envId}/join-tokens`, { method: 'POST', body: {} });
    flags = joinFlags(jt.body.command as string);
    expect(flags).toEqual(expect.arrayContaining(['--mode', 'async']));
    await host.docker(['run', '-d', '--name', 'target', '--network', 'none', TEST_IMAGE, 'sleep', '3600']);
    await host.docker(['run', '-d', '--name', 'bounce', '--network', 'none', TEST_IMAGE, 'sleep', '3600']);
    agent = agentProcess(inHost(host), dir);
    startAgent();
    await until('the agent to poll', 30_000, async () => (await api(`/api/environments/${envId}`)).body.lastPollAt !== null);
  }, 120_000);

  afterAll(async () => {
    await agent?.close();
    if (server && server.child.exitCode === null) await server.kill9();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('1,000 commands under link cuts, agent kill -9 and server kill -9: 0 lost, 0 duplicated, order kept', async () => {
    const recorder = await recordEngineEffects(host, () => new Set(['target', 'bounce']));
    const model: ModelCommand[] = [];
    const expectedMarks: number[] = [];
    for (let i = 1; i <= COMMANDS; i++) {
      const body =
        i % RESTART_EVERY === 0
          ? { kind: 'container.restart', payload: { containerId: 'bounce', timeoutSeconds: 0 } }
          : { kind: 'container.exec', payload: { containerId: 'target', cmd: execAppend(i) } };
      const r = await api(`/api/environments/${envId}/commands`, { method: 'POST', body });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      if (i % RESTART_EVERY === 0) model.push({ kind: 'container.restart', container: 'bounce' });
      else {
        model.push({ kind: 'container.exec', container: 'target', mark: i });
        expectedMarks.push(i);
      }
    }

    // Faults in turn (link, agent, server), at random moments and for random lengths, until the queue is empty.
    const faults = { link: 0, agent: 0, server: 0 };
    let done = false;
    const queueEmpty = async () => {
      const r = await api(`/api/environments/${envId}`).catch(() => null);
      return r?.status === 200 && r.body.queueLength === 0;
    };
    const deadline = Date.now() + 15 * 60_000;
    for (let round = 0; !done && Date.now() < deadline; round++) {
      await sleep(between(1_500, 4_000));
      const kind = (['link', 'agent', 'server'] as const)[round % 3]!;
      faults[kind]++;
      if (kind === 'link') {
        await host.cutLink();
        await sleep(between(500, 3_000));
        await host.restoreLink();
      } else if (kind === 'agent') {
        await killAgent();
        await sleep(between(200, 1_500));
        startAgent();
      } else {
        await server?.kill9();
        await sleep(between(200, 1_500));
        await startServerProcess();
      }
      done = await queueEmpty();
    }
    await until('the queue to drain after the last fault', 300_000, queueEmpty);

    // Faults must have hit commands in flight: those delivered more than once show it.
    const statuses = new Map<string, number>();
    let redelivered = 0;
    for (let offset = 0; offset < COMMANDS; offset += 500) {
      const page = await api(`/api/environments/${envId}/commands?order=seq&limit=500&offset=${offset}`);
      for (const c of page.body.items as Array<{ id: string; status: string; attempts: number }>) {
        statuses.set(c.status, (statuses.get(c.status) ?? 0) + 1);
        if (c.attempts > 1) redelivered++;
      }
    }
    expect(statuses.size).toBeGreaterThan(0);
    const history = await api(`/api/environments/${envId}/commands?order=seq&limit=1&status=failed`);

    // The engine: exec lines in the file, every effect in the engine's event log.
    const lines = (await host.docker(['exec', 'target', 'cat', '/tmp/lines'])).split('\n').filter((l) => l.trim() !== '').map(Number);
    const counts = countMarks(expectedMarks, lines);
    const effects = await recorder.stop();
    const expected = expectedEffects(
      model.map((m) => ({ ...m, status: 'succeeded' })),
      new Set(['target', 'bounce']),
    );
    const restartsSeen = effects.filter((e) => e.action === 'restart').length;
    const restartsWanted = COMMANDS / RESTART_EVERY;
    const lost = counts.lost + Math.max(0, restartsWanted - restartsSeen);
    const duplicated = counts.duplicated + Math.max(0, restartsSeen - restartsWanted);
    const difference = firstDifference(expected, effects);
    console.log(
      `async soak: ${COMMANDS} commands, faults ${JSON.stringify(faults)}; lost ${lost}, duplicated ${duplicated}, order kept ${counts.orderKept && difference === null}` +
        `; statuses ${JSON.stringify(Object.fromEntries(statuses))}; delivered more than once ${redelivered}${difference ? `; ${difference}` : ''}`,
    );
    expect(faults.link + faults.agent + faults.server).toBeGreaterThanOrEqual(3);
    expect({ lost, duplicated, orderKept: counts.orderKept }).toEqual({ lost: 0, duplicated: 0, orderKept: true });
    expect(difference).toBeNull();
    expect(history.body.total).toBe(0);
    expect(statuses.get('succeeded')).toBe(COMMANDS);
  }, 1_200_000);
});
