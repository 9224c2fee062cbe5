// The command log end to end, all real: the server in the root namespace, the agent process inside
// a rig host with its own dockerd, commands queued over the API and their effects checked on the
// engine itself. Exactly-once effect across agent kill -9, lost results and reconnects.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../packages/server/test/helpers/until.ts';
import { inHost, startJoinedAgent, type JoinedAgent } from './helpers/joined-agent.ts';
import { startHosts, stopAll, TEST_IMAGE, type Host } from './rig/index.ts';

const LOG = '/tmp/commands.log';

interface Cmd {
  id: string;
  seq: number;
  status: string;
  attempts: number;
  output: any;
  error: any;
}

describe('command log end to end (rig, real server, real agent process)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-e2e-commands-'));
  let host: Host;
  let joined: JoinedAgent;
  let envId = 0;

  const api: JoinedAgent['api'] = (p, opts) => joined.api(p, opts);
  const enqueue = async (body: unknown): Promise<Cmd> => {
    const r = await api(`/api/environments/${envId}/commands`, { method: 'POST', body });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    return r.body;
  };
  const get = async (id: string): Promise<Cmd & { history: Array<{ event: string }> }> => (await api(`/api/environments/${envId}/commands/${id}`)).body;
  const sh = (script: string) => ({ kind: 'container.exec', payload: { containerId: 'target', cmd: ['sh', '-c', script] } });
  const append = (n: number) => sh(`echo ${n} >> ${LOG}`);
  const logLines = async () => (await host.docker(['exec', 'target', 'cat', LOG])).trim().split('\n');
  const finished = (ids: string[], ms = 30_000) =>
    until(`commands ${ids.length} to finish`, ms, async () => {
      const all = await Promise.all(ids.map(get));
      return all.every((c) => ['succeeded', 'failed', 'expired'].includes(c.status)) ? all : false;
    });
  const connected = () => joined.connected();
  /** Starts the agent process again from its state directory (enrolled already). */
  const spawnAgent = () => joined.startAgent();
  const killAgent = () => joined.killAgent();

  beforeAll(async () => {
    [host] = (await startHosts(1)) as [Host];
    joined = await startJoinedAgent({ dir, place: inHost(host), environment: 'commands-site', config: { agentHeartbeatMs: 1_000, agentDownAfterMs: 4_000 } });
    envId = joined.envId;
    await host.docker(['run', '-d', '--name', 'target', '--network', 'none', TEST_IMAGE, 'sleep', '3600']);
  }, 120_000);

  afterAll(async () => {
    await joined?.stop();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs 20 commands queued while connected once each, in order, with results visible via the API', async () => {
    const queued: Cmd[] = [];
    for (let n = 1; n <= 20; n++) queued.push(await enqueue(append(n)));
    expect(queued.map((c) => c.seq)).toEqual(Array.from({ length: 20 }, (_v, i) => i + 1));
    const done = await finished(queued.map((c) => c.id));
    expect(done.map((c) => c.status)).toEqual(Array(20).fill('succeeded'));
    expect(await logLines()).toEqual(Array.from({ length: 20 }, (_v, i) => String(i + 1)));

    const read = await enqueue(sh(`cat ${LOG}; echo oops >&2; exit 4`));
    const [result] = await finished([read.id]);
    expect(result).toMatchObject({ status: 'failed', error: { code: 'exit_code' }, attempts: 1 });
    expect(result!.output).toEqual({
      exitCode: 4,
      stdout: `${Array.from({ length: 20 }, (_v, i) => i + 1).join('\n')}\n`,
      stderr: 'oops\n',
      truncated: false,
    });
    expect((await get(read.id)).history.map((e) => e.event)).toEqual(['queued', 'sent', 'accepted', 'failed']);
  }, 90_000);

  it('after results are lost and the agent is killed -9, re-pushed commands are answered from its journal, not run again', async () => {
    // 21 waits for a signal file, 22..25 queue up behind it on the agent.
    const blocker = await enqueue(sh(`while [ ! -e /tmp/go ]; do sleep 0.05; done; echo 21 >> ${LOG}`));
    const behind: Cmd[] = [];
    for (let n = 22; n <= 25; n++) behind.push(await enqueue(append(n)));
    await until('21 accepted and 22..25 sent', 10_000, async () => {
      const all = await Promise.all([blocker, ...behind].map((c) => get(c.id)));
      return all[0]!.status === 'accepted' && all.slice(1).every((c) => c.status === 'sent');
    });
    await new Promise((r) => setTimeout(r, 300)); // let the pushed frames reach the agent before the cut

    await host.cutLink();
    await host.docker(['exec', 'target', 'touch', '/tmp/go']);
    // The agent runs them all while cut off; their results vanish with the link.
    await until('the agent to run 21..25 offline', 20_000, async () => (await logLines()).length === 25);
    await killAgent();
    // Until the server gives up on the old connection, results still in the dead agent's socket buffer
    // could be delivered late over it when the link returns; make sure they are really lost.
    await until('the server to drop the cut-off connection', 15_000, async () => !(await connected()));
    for (const c of [blocker, ...behind]) expect(['accepted', 'sent']).toContain((await get(c.id)).status);

    await host.restoreLink();
    spawnAgent();
    const done = await finished([blocker, ...behind].map((c) => c.id));
    expect(done.map((c) => c.status)).toEqual(Array(5).fill('succeeded'));
    for (const c of done) expect(c.attempts).toBeGreaterThanOrEqual(2); // pushed again after the reconnect
    const history = await get(behind[0]!.id);
    expect(history.history.filter((e) => e.event === 'sent').length).toBeGreaterThanOrEqual(2);
    expect(history.history.filter((e) => e.event === 'succeeded').length).toBe(1);
    // Every effect exactly once, in seq order.
    expect(await logLines()).toEqual(Array.from({ length: 25 }, (_v, i) => String(i + 1)));
  }, 120_000);

  it('runs a command queued while the agent is stopped once, after it reconnects', async () => {
    await until('the agent to be connected', 15_000, connected);
    await killAgent();
    await until('the server to see the agent gone', 15_000, async () => !(await connected()));
    const offline = await enqueue(append(26));
    await new Promise((r) => setTimeout(r, 300));
    expect(await get(offline.id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect((await logLines()).length).toBe(25);

    spawnAgent();
    const [done] = await finished([offline.id]);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(await logLines()).toEqual(Array.from({ length: 26 }, (_v, i) => String(i + 1)));

    // Another kill -9 and restart: everything finished, nothing is pushed or run again.
    await killAgent();
    spawnAgent();
    await until('the agent to reconnect', 15_000, connected);
    await new Promise((r) => setTimeout(r, 500));
    expect(await logLines()).toEqual(Array.from({ length: 26 }, (_v, i) => String(i + 1)));
    expect(await get(offline.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
  }, 90_000);

  it("stops and starts the container through commands, changing the engine's real state", async () => {
    const running = async () => (await host.docker(['inspect', '-f', '{{.State.Running}}', 'target'])).trim();
    expect(await running()).toBe('true');
    const stop = await enqueue({ kind: 'container.stop', payload: { containerId: 'target', timeoutSeconds: 0 } });
    expect((await finished([stop.id]))[0]).toMatchObject({ status: 'succeeded', output: { containerId: 'target', changed: true } });
    expect(await running()).toBe('false');
    const start = await enqueue({ kind: 'container.start', payload: { containerId: 'target' } });
    expect((await finished([start.id]))[0]).toMatchObject({ status: 'succeeded', output: { changed: true } });
    expect(await running()).toBe('true');
    // The log in the container's filesystem survived the restart: still every effect once.
    expect((await logLines()).length).toBe(26);
  }, 60_000);
});
