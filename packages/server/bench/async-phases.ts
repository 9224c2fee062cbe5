// The Async-mode figures in order, on one fresh server: enrol N simulated async agents and prime each
// with a full snapshot (sim-pollers.ts), then GET /api/health (baseline), closed-loop polls with the
// state unchanged, polls carrying a one-container delta each, and GET /api/health again, all at the
// same concurrency. Server CPU per request comes from /proc over each measured window.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AsyncReport, MeasuredPolls } from './async-report.ts';
import { forkScript } from './children.ts';
import { createApiKey, login } from './client.ts';
import { ADMIN } from './config.ts';
import { firstMessageWhere, fmt, progress, round, waitExit } from './lib.ts';
import { load } from './load.ts';
import { cpuMsOf, machineBusyMs } from './procfs.ts';
import { startServer, stopServer, type Server } from './server.ts';
import type {
  PollerEnrol,
  PollerEnrolled,
  PollerPrimed,
  PollerRan,
  PollerRun,
  PollerWindow,
} from './sim-pollers.ts';
import type { PollKind } from './sim-poll.ts';

/** What the Async-mode figures measure and for how long (`npm run bench:async`, also part of `npm run bench`). */
export const ASYNC_CONFIG = {
  /** Simulated async agents (override: CAPSTAN_BENCH_ASYNC_AGENTS, or `--agents N` to bench:async). */
  agents: 1_000,
  pollIntervalSeconds: 60,
  enrolConcurrency: 16,
  /** Keep-alive connections in flight, for polls and for the health baseline alike. */
  concurrency: 64,
  warmupMs: 2_000,
  durationMs: 10_000,
  /** A phase fails when more than this fraction of its polls were answered wrongly. */
  maxErrorRatio: 0.001,
};

/** The agent count from an override's text (env var or flag), or the default when absent; throws when invalid. */
export function asyncAgentsOption(raw: string | undefined): number {
  if (raw === undefined || raw === '') return ASYNC_CONFIG.agents;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new Error(`async agents: want an integer in 1..100000, got ${raw}`);
  return n;
}

type Ask = <T>(phase: string, timeoutMs: number, send: object) => Promise<T>;

/** One closed-loop poll phase with the server's (and the machine's) CPU sampled over its window. */
async function measurePolls(
  child: ChildProcess,
  ask: Ask,
  serverPid: number,
  kind: PollKind,
): Promise<MeasuredPolls> {
  const c = ASYNC_CONFIG;
  const marks: Record<PollerWindow['window'], { cpu: number; busy: number; at: number }> = {
    start: { cpu: Number.NaN, busy: Number.NaN, at: 0 },
    end: { cpu: Number.NaN, busy: Number.NaN, at: 0 },
  };
  const onWindow = (m: unknown) => {
    const w = (m as Partial<PollerWindow>).window;
    if (w) marks[w] = { cpu: cpuMsOf(serverPid), busy: machineBusyMs(), at: performance.now() };
  };
  child.on('message', onWindow);
  const job: PollerRun = {
    cmd: 'run',
    kind,
    concurrency: c.concurrency,
    warmupMs: c.warmupMs,
    durationMs: c.durationMs,
  };
  let ran: PollerRan;
  try {
    ran = await ask<PollerRan>('ran', c.warmupMs + c.durationMs + 60_000, job);
  } finally {
    child.off('message', onWindow);
  }
  const r = ran.result;
  if (r.polls === 0) throw new Error(`polls (${kind}): no poll completed`);
  if (r.errors > Math.max(1, r.polls * c.maxErrorRatio))
    throw new Error(
      `polls (${kind}): ${r.errors} of ${r.polls} answers were wrong; first: ${r.firstProblem}`,
    );
  const cpuMs = marks.end.cpu - marks.start.cpu;
  const windowMs = marks.end.at - marks.start.at;
  const serverCpuPct = (cpuMs / windowMs) * 100;
  return {
    ...r,
    serverCpuPct,
    serverCpuUsPerPoll: (cpuMs * 1000) / (r.pollsPerSecond * (windowMs / 1000)),
    otherCpuPct: Math.max(
      0,
      ((marks.end.busy - marks.start.busy) / windowMs) * 100 - serverCpuPct - r.clientCpuPct,
    ),
  };
}

/** GET /api/health at the polls' concurrency: the baseline, measured the same way as the API figures. */
async function measureHealth(server: Server, when: string, report: AsyncReport): Promise<void> {
  const c = ASYNC_CONFIG;
  progress(
    `async: GET /api/health (${when}), concurrency ${c.concurrency}, ${c.warmupMs / 1000} s warm-up + ${c.durationMs / 1000} s`,
  );
  const result = await load(
    `health ${when}`,
    {
      url: `https://127.0.0.1:${server.port}/api/health`,
      method: 'GET',
      headers: {},
      expectStatus: 200,
      concurrency: c.concurrency,
      warmupMs: c.warmupMs,
      durationMs: c.durationMs,
    },
    server.pid,
  );
  report.health.push({ when, result });
  progress(`  ${fmt(result.rps, 0)} req/s, server ${fmt(result.serverCpuUsPerRequest, 0)} µs CPU/req`);
}

async function measureOn(server: Server, report: AsyncReport): Promise<void> {
  const c = ASYNC_CONFIG;
  const apiKey = await createApiKey(
    server.port,
    'admin API key',
    await login(server.port, 'admin login', ADMIN),
    'bench-async',
  );
  const { child, stderr } = forkScript('sim-pollers.ts');
  const ask: Ask = <T>(phase: string, timeoutMs: number, send: object) => {
    const answer = firstMessageWhere<T>(
      child,
      `simulated pollers (${phase})`,
      timeoutMs,
      (m) => (m as { phase?: string }).phase === phase,
      stderr,
    );
    child.send(send);
    return answer;
  };
  try {
    progress(
      `async: enrolling ${report.agents} simulated agents in async environments (environment + join token + Ed25519 key + enrol each)`,
    );
    const job: PollerEnrol = {
      cmd: 'enrol',
      port: server.port,
      apiKey,
      count: report.agents,
      enrolConcurrency: c.enrolConcurrency,
      pollIntervalSeconds: c.pollIntervalSeconds,
    };
    report.enrolMs = (await ask<PollerEnrolled>('enrolled', 600_000, job)).ms;
    progress(
      `async: enrolled in ${fmt(report.enrolMs / 1000, 1)} s; first poll of each (challenge, then a full snapshot)`,
    );
    report.cold = await ask<PollerPrimed>('primed', 600_000, { cmd: 'prime', concurrency: c.concurrency });
    progress(
      `async: primed in ${fmt(report.cold.ms / 1000, 1)} s; full snapshot poll ${fmt(report.cold.full.requestBytes, 0)} bytes`,
    );
    await measureHealth(server, 'before', report);
    for (const kind of ['unchanged', 'deltas'] as const) {
      progress(
        `async: polls, ${kind}: ${c.concurrency} connections over ${report.agents} agents, ${c.warmupMs / 1000} s warm-up + ${c.durationMs / 1000} s`,
      );
      const m = await measurePolls(child, ask, server.pid, kind);
      report.polls.push(m);
      progress(
        `  ${fmt(m.pollsPerSecond, 0)} polls/s, server ${fmt(m.serverCpuUsPerPoll, 0)} µs CPU/poll, p99 ${fmt(m.latencyMs.p99, 1)} ms`,
      );
    }
    await measureHealth(server, 'after', report);
    await ask('stopped', 10_000, { cmd: 'stop' });
    await waitExit(child, 5_000);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Runs the Async-mode figures into `report` on a server of their own; rejects on the first failure. */
export async function runAsyncFigures(report: AsyncReport): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'capstan-bench-async-'));
  const remove = () => rmSync(root, { recursive: true, force: true });
  process.on('exit', remove);
  try {
    const passwordFile = path.join(root, 'admin-password');
    writeFileSync(passwordFile, `${ADMIN.password}\n`, { mode: 0o600 });
    const server = await startServer(path.join(root, 'async-server'), passwordFile);
    try {
      await measureOn(server, report);
    } finally {
      await stopServer(server);
    }
  } finally {
    report.loadAvg.end = round(os.loadavg()[0] ?? 0, 2);
    process.off('exit', remove);
    remove();
  }
}
