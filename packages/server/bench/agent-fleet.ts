// Figure A4: the server's CPU and memory with 1,000 simulated agents connected and heartbeating,
// against the same server (same data, same process) with none connected, measured in the same run.
import { performance } from 'node:perf_hooks';
import { AGENT_CONFIG } from './agent-config.ts';
import type { FleetFigure, ServerWindow } from './agent-report.ts';
import { forkScript } from './children.ts';
import { call, expectOk } from './client.ts';
import { firstMessageWhere, fmt, progress, sleep, waitExit } from './lib.ts';
import { cpuMsOf, machineBusyMs, memoryOf } from './procfs.ts';
import type { Server } from './server.ts';
import type { SimConnected, SimEnrol, SimEnrolled, SimStopped } from './sim-agents.ts';

/**
 * CPU (% of one core) and memory of the server `pid` over `ms`, the simulated agents' CPU, and the
 * CPU of every other process on the machine (noise).
 */
async function window(
  pid: number,
  simPid: number,
  ms: number,
): Promise<{ server: ServerWindow; simCpuPct: number }> {
  const t0 = performance.now();
  const c0 = cpuMsOf(pid);
  const s0 = cpuMsOf(simPid);
  const m0 = machineBusyMs();
  await sleep(ms);
  const c1 = cpuMsOf(pid);
  const s1 = cpuMsOf(simPid);
  const m1 = machineBusyMs();
  const windowMs = performance.now() - t0;
  const pct = (x: number) => (x / windowMs) * 100;
  return {
    server: {
      windowMs,
      cpuPct: pct(c1 - c0),
      otherCpuPct: Math.max(0, pct(m1 - m0 - (c1 - c0) - (s1 - s0))),
      ...memoryOf(pid),
    },
    simCpuPct: pct(s1 - s0),
  };
}

/** How many of `ids` GET /api/environments reports `up`. */
async function upCount(
  server: Server,
  headers: Record<string, string>,
  ids: ReadonlySet<number>,
): Promise<number> {
  let up = 0;
  for (let offset = 0; ; offset += 1000) {
    const page = await expectOk(
      'list environments',
      call(server.port, 'GET', `/api/environments?limit=1000&offset=${offset}`, { headers }),
    );
    const items = page.items as Array<{ id: number; status: string }>;
    for (const e of items) if (ids.has(e.id) && e.status === 'up') up++;
    if (items.length < 1000) return up;
  }
}

/**
 * Enrols CONFIG.fleet.agents simulated agents on `server` (started with --agent-heartbeat), measures the
 * server idle, connects them all, checks the API shows every one up, measures again, then disconnects them.
 */
export async function measureFleet(server: Server, apiKey: string): Promise<FleetFigure> {
  const cfg = AGENT_CONFIG.fleet;
  const headers = { 'x-api-key': apiKey };
  const { child, stderr } = forkScript('sim-agents.ts');
  const answer = <T>(phase: string, timeoutMs: number) =>
    firstMessageWhere<T>(
      child,
      `simulated agents (${phase})`,
      timeoutMs,
      (m) => (m as { phase?: string }).phase === phase,
      stderr,
    );
  const simPid = child.pid;
  if (simPid === undefined) throw new Error('could not fork the simulated agents');
  try {
    progress(
      `A4 enrolling ${cfg.agents} simulated agents (environment + join token + Ed25519 key + enrol each)`,
    );
    const enrolledP = answer<SimEnrolled>('enrolled', 180_000);
    const job: SimEnrol = {
      cmd: 'enrol',
      port: server.port,
      apiKey,
      count: cfg.agents,
      enrolConcurrency: cfg.enrolConcurrency,
      connectConcurrency: cfg.connectConcurrency,
    };
    child.send(job);
    const enrolled = await enrolledP;
    const ids = new Set(enrolled.environmentIds);
    if (ids.size !== cfg.agents) throw new Error(`enrolled ${ids.size} agents, wanted ${cfg.agents}`);
    progress(
      `A4 enrolled in ${fmt(enrolled.ms / 1000, 1)} s; server idle with 0 agents: ${cfg.settleMs / 1000} s settle + ${cfg.idleMs / 1000} s`,
    );

    await sleep(cfg.settleMs);
    const idle = (await window(server.pid, simPid, cfg.idleMs)).server;
    progress(
      `A4 idle: CPU ${fmt(idle.cpuPct, 2)}%, RSS ${fmt(idle.rssMb, 1)} MB; connecting ${cfg.agents} agents`,
    );

    const t0 = performance.now();
    const connectedP = answer<SimConnected>('connected', 120_000);
    child.send({ cmd: 'connect' });
    const connected = await connectedP;
    for (;;) {
      const up = await upCount(server, headers, ids);
      if (up === cfg.agents) break;
      if (performance.now() - t0 > 60_000)
        throw new Error(`only ${up} of ${cfg.agents} environments up 60 s after connecting`);
      await sleep(250);
    }
    const connectMs = performance.now() - t0;
    progress(
      `A4 ${connected.connected} welcomed in ${fmt(connected.ms / 1000, 1)} s, all ${cfg.agents} up in the API after ${fmt(connectMs / 1000, 1)} s; ` +
        `measuring ${cfg.settleMs / 1000} s settle + ${cfg.connectedMs / 1000} s`,
    );

    await sleep(cfg.settleMs);
    const busy = await window(server.pid, simPid, cfg.connectedMs);
    const stillUp = await upCount(server, headers, ids);
    if (stillUp !== cfg.agents)
      throw new Error(`only ${stillUp} of ${cfg.agents} environments still up after the measured window`);
    progress(`A4 connected: CPU ${fmt(busy.server.cpuPct, 2)}%, RSS ${fmt(busy.server.rssMb, 1)} MB`);

    const stoppedP = answer<SimStopped>('stopped', 30_000);
    child.send({ cmd: 'stop' });
    const stopped = await stoppedP;
    await waitExit(child, 5_000);
    if (stopped.unexpectedCloses > 0)
      throw new Error(`${stopped.unexpectedCloses} simulated agents lost their connection`);
    return {
      agents: cfg.agents,
      heartbeat: cfg.heartbeat,
      enrolMs: enrolled.ms,
      connectMs,
      idle,
      connected: busy.server,
      simCpuPct: busy.simCpuPct,
      heartbeatsSent: stopped.heartbeatsSent,
      heartbeatAcks: stopped.heartbeatAcks,
      unexpectedCloses: stopped.unexpectedCloses,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
