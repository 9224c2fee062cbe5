// The Async-mode figures' output: a table on stdout for people and a part of the JSON line for machines.
// "Per core" is requests per second of server CPU time: the throughput one core would give if the
// server, not the load generator or its neighbours, were the bottleneck (the machine has few cores).
import os from 'node:os';
import { ASYNC_CONFIG } from './async-phases.ts';
import { fmt, mean, round, table } from './lib.ts';
import type { Measured } from './load.ts';
import type { PollerPrimed, PollRunResult } from './sim-pollers.ts';

/** A poll phase with the server's CPU cost, and the noise from other processes, added. */
export interface MeasuredPolls extends PollRunResult {
  serverCpuPct: number;
  serverCpuUsPerPoll: number;
  otherCpuPct: number;
}

/** Everything the Async-mode figures measured; a part that failed or never ran stays null or empty. */
export interface AsyncReport {
  loadAvg: { start: number; end: number | null };
  agents: number;
  enrolMs: number | null;
  /** The first poll of each agent: challenge, then a full snapshot (means over the agents). */
  cold: PollerPrimed | null;
  health: { when: string; result: Measured }[];
  polls: MeasuredPolls[];
}

/** An empty Async-mode report for `agents` simulated agents. */
export function newAsyncReport(agents: number): AsyncReport {
  return {
    loadAvg: { start: round(os.loadavg()[0] ?? 0, 2), end: null },
    agents,
    enrolMs: null,
    cold: null,
    health: [],
    polls: [],
  };
}

/** Server CPU µs per health request, mean of the runs: the per-core baseline. */
const healthCpuUs = (r: AsyncReport) => mean(r.health.map((h) => h.result.serverCpuUsPerRequest));
const healthRps = (r: AsyncReport) => mean(r.health.map((h) => h.result.rps));
const perCore = (cpuUs: number) => 1e6 / cpuUs;

const TITLES: Record<string, string> = {
  unchanged: 'POST /api/agents/poll, state unchanged (hash only)',
  deltas: 'POST /api/agents/poll, one container changed (delta)',
};

/** Writes the Async-mode table to stdout. */
export function printAsyncReport(r: AsyncReport): void {
  const c = ASYNC_CONFIG;
  const out: string[] = ['', 'Async-mode figures (GET /api/health measured in the same run is the baseline)'];
  out.push(
    `1-min load average: ${fmt(r.loadAvg.start, 2)} at start, ${r.loadAvg.end === null ? 'n/a' : fmt(r.loadAvg.end, 2)} at end`,
  );
  const others = [...r.health.map((h) => h.result.otherCpuPct), ...r.polls.map((x) => x.otherCpuPct)];
  if (r.loadAvg.start > 1 || Math.max(0, ...others) > 15)
    out.push(
      `WARNING: other work was running on the machine (load average above, up to ${fmt(Math.max(0, ...others), 0)}% "other CPU"): ` +
        'req/s and latencies are noisy; µs CPU/req and "per core" are the steadier figures.',
    );
  if (r.enrolMs === null) {
    process.stdout.write(
      `${out.join('\n')}\nP1 did not run (an earlier figure failed, or enrolment did)\n\n`,
    );
    return;
  }
  const cpuHealth = healthCpuUs(r);
  const rps = healthRps(r);
  const rows: string[][] = [
    ...r.health.map(({ when, result: x }) => [
      `GET /api/health (baseline, ${when})`,
      fmt(x.rps, 0),
      fmt(perCore(x.serverCpuUsPerRequest), 0),
      `${fmt(cpuHealth / x.serverCpuUsPerRequest, 3)}x`,
      fmt(x.serverCpuUsPerRequest, 0),
      fmt(x.latencyMs.p50, 2),
      fmt(x.latencyMs.p99, 2),
      '0',
      fmt(x.bytesPerRequest, 0),
      `${fmt(x.clientCpuPct, 0)}%`,
      `${fmt(x.otherCpuPct, 0)}%`,
    ]),
    ...r.polls.map((x) => [
      TITLES[x.kind] ?? x.kind,
      fmt(x.pollsPerSecond, 0),
      fmt(perCore(x.serverCpuUsPerPoll), 0),
      `${fmt(cpuHealth / x.serverCpuUsPerPoll, 3)}x`,
      fmt(x.serverCpuUsPerPoll, 0),
      fmt(x.latencyMs.p50, 2),
      fmt(x.latencyMs.p99, 2),
      fmt(x.requestBytes, 0),
      fmt(x.answerBytes, 0),
      `${fmt(x.clientCpuPct, 0)}%`,
      `${fmt(x.otherCpuPct, 0)}%`,
    ]),
  ];
  out.push(
    `P1. Polls with ${r.agents.toLocaleString('en-US')} simulated async agents (poll interval ${c.pollIntervalSeconds} s, but polled closed-loop: ` +
      `${c.concurrency} keep-alive connections, each agent polls again as soon as it is answered; ${c.warmupMs / 1000} s warm-up + ${c.durationMs / 1000} s each)`,
    `   enrolled in ${fmt(r.enrolMs / 1000, 1)} s; each agent's first poll (challenge + full snapshot), all of them in ${fmt((r.cold?.ms ?? Number.NaN) / 1000, 1)} s`,
    table(
      [
        'request',
        'req/s',
        'per core',
        'per core vs health',
        'µs CPU/req',
        'p50 ms',
        'p99 ms',
        'req bytes',
        'answer bytes',
        'client CPU',
        'other CPU',
      ],
      rows,
    ),
    `   per core: requests per second of server CPU time (1e6 / µs CPU/req); vs health: divided by health's (mean of both runs, ${fmt(perCore(cpuHealth), 0)}/s;`,
    `   health ${fmt(rps, 0)} req/s). Bytes: JSON bodies only, HTTP headers and TLS excluded; means per request. Polls carry 10 containers' state.`,
  );
  for (const x of r.polls) {
    const counts = `${x.polls.toLocaleString('en-US')} polls, ${x.errors} wrong answers, ${x.challenges} re-challenges`;
    out.push(`   ${x.kind}: ${counts}, throughput vs health ${fmt(x.pollsPerSecond / rps, 3)}x`);
  }
  if (r.cold) {
    const k = r.cold;
    out.push(
      `   cold first poll, for reference: a full snapshot poll sends ${fmt(k.full.requestBytes, 0)} bytes (answer ${fmt(k.full.answerBytes, 0)}),` +
        ` after one 401 challenge of ${fmt(k.challenge.requestBytes, 0)} bytes (answer ${fmt(k.challenge.answerBytes, 0)})`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n\n`);
}

/** The Async-mode figures for the JSON line. */
export function asyncSummary(r: AsyncReport): Record<string, unknown> {
  const cpuHealth = healthCpuUs(r);
  const rps = healthRps(r);
  return {
    loadAvg: r.loadAvg,
    agents: r.agents,
    concurrency: ASYNC_CONFIG.concurrency,
    enrolMs: r.enrolMs === null ? null : round(r.enrolMs, 0),
    health: Object.fromEntries(
      r.health.map(({ when, result: x }) => [
        when,
        {
          rps: round(x.rps, 1),
          serverCpuUsPerRequest: round(x.serverCpuUsPerRequest, 1),
          perCore: round(perCore(x.serverCpuUsPerRequest), 0),
          p50Ms: round(x.latencyMs.p50, 3),
          p99Ms: round(x.latencyMs.p99, 3),
        },
      ]),
    ),
    healthPerCore: Number.isFinite(cpuHealth) ? round(perCore(cpuHealth), 0) : null,
    polls: Object.fromEntries(
      r.polls.map((x) => [
        x.kind,
        {
          pollsPerSecond: round(x.pollsPerSecond, 1),
          serverCpuUsPerPoll: round(x.serverCpuUsPerPoll, 1),
          perCore: round(perCore(x.serverCpuUsPerPoll), 0),
          perCoreRatioToHealth: round(cpuHealth / x.serverCpuUsPerPoll, 4),
          ratioToHealthRps: round(x.pollsPerSecond / rps, 4),
          p50Ms: round(x.latencyMs.p50, 3),
          p99Ms: round(x.latencyMs.p99, 3),
          requestBytes: round(x.requestBytes, 0),
          answerBytes: round(x.answerBytes, 0),
          polls: x.polls,
          errors: x.errors,
          challenges: x.challenges,
          serverCpuPct: round(x.serverCpuPct, 1),
          clientCpuPct: round(x.clientCpuPct, 1),
          otherCpuPct: round(x.otherCpuPct, 1),
        },
      ]),
    ),
    coldFullPoll: r.cold
      ? { requestBytes: round(r.cold.full.requestBytes, 0), answerBytes: round(r.cold.full.answerBytes, 0) }
      : null,
  };
}
