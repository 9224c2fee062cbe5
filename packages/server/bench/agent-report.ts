// The Edge Agent figures' output: tables on stdout for people and a part of the JSON line for machines.
import os from 'node:os';
import { AGENT_CONFIG } from './agent-config.ts';
import { fmt, round, table } from './lib.ts';

/** Latency of one way of asking (direct socket or through the server), in ms. */
export interface LatencyStats {
  requests: number;
  p50: number;
  p95: number;
  mean: number;
}

/** Figure 1. */
export interface ListFigure {
  containers: number;
  direct: LatencyStats;
  tunnel: LatencyStats;
}

/** Figure 2: MB/s (10^6 bytes) of each read, in the order measured. */
export interface LogsFigure {
  bytes: number;
  directMBps: number[];
  tunnelMBps: number[];
}

/** Figure 3. */
export interface FootprintFigure {
  /** Path of the agent entry that ran, relative to the repository. */
  agentEntry: string;
  bundled: boolean;
  idleMs: number;
  agent: { rssMb: number; hwmMb: number; cpuPct: number };
  baseline: { rssMb: number; hwmMb: number; cpuPct: number };
}

/** One measured window of the fleet server. */
export interface ServerWindow {
  windowMs: number;
  cpuPct: number;
  /** Every process but the server and the simulated agents (% of one core): noise. */
  otherCpuPct: number;
  rssMb: number;
  hwmMb: number;
}

/** Figure 4. */
export interface FleetFigure {
  agents: number;
  heartbeat: string;
  enrolMs: number;
  connectMs: number;
  idle: ServerWindow;
  connected: ServerWindow;
  /** CPU of the simulated-agent process while connected (% of one core): it shares the 2 cores. */
  simCpuPct: number;
  heartbeatsSent: number;
  heartbeatAcks: number;
  unexpectedCloses: number;
}

/** Everything the agent figures measured; a figure that failed or was skipped stays null. */
export interface AgentReport {
  /** 1-minute load average when the figures started and ended: other work on the machine skews them. */
  loadAvg: { start: number; end: number | null };
  /** Why figures 1–3 did not run (no Docker engine), or null. */
  dockerSkipped: string | null;
  engineVersion: string | null;
  list: ListFigure | null;
  logs: LogsFigure | null;
  footprint: FootprintFigure | null;
  fleet: FleetFigure | null;
}

/** An empty agent report. */
export function newAgentReport(): AgentReport {
  return {
    loadAvg: { start: round(os.loadavg()[0] ?? 0, 2), end: null },
    dockerSkipped: null,
    engineVersion: null,
    list: null,
    logs: null,
    footprint: null,
    fleet: null,
  };
}

const avg = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const ratio = (x: number, digits = 2) => `${fmt(x, digits)}x`;

/** Writes the agent figures' tables to stdout. */
export function printAgentReport(r: AgentReport): void {
  const out: string[] = [
    '',
    'Edge Agent figures (each ratio is against a baseline measured in the same run)',
  ];
  out.push(
    `1-min load average: ${fmt(r.loadAvg.start, 2)} at start, ${r.loadAvg.end === null ? 'n/a' : fmt(r.loadAvg.end, 2)} at end`,
  );
  const others = r.fleet ? Math.max(r.fleet.idle.otherCpuPct, r.fleet.connected.otherCpuPct) : 0;
  if (r.loadAvg.start > 1 || others > 15)
    out.push(
      'WARNING: other work was running on the machine (load average above, "other CPU" in A4): absolute figures are noisy.',
    );
  if (r.dockerSkipped) out.push(`A1-A3 skipped: ${r.dockerSkipped}`);
  else if (r.engineVersion) out.push(`Docker Engine ${r.engineVersion} (private dockerd, json-file logs)`);
  out.push('');
  if (r.list) {
    const l = r.list;
    out.push(
      `A1. GET /containers/json?all=1 (${l.containers} containers), ${l.direct.requests} sequential requests after ${AGENT_CONFIG.list.warmup} warm-up`,
      table(
        ['path', 'p50 ms', 'p95 ms', 'mean ms'],
        [
          ['direct: engine unix socket', fmt(l.direct.p50, 2), fmt(l.direct.p95, 2), fmt(l.direct.mean, 2)],
          [
            'server + tunnel: HTTPS, X-API-Key, /api/environments/:id/docker/…',
            fmt(l.tunnel.p50, 2),
            fmt(l.tunnel.p95, 2),
            fmt(l.tunnel.mean, 2),
          ],
          [
            'ratio tunnel / direct',
            ratio(l.tunnel.p50 / l.direct.p50),
            ratio(l.tunnel.p95 / l.direct.p95),
            ratio(l.tunnel.mean / l.direct.mean),
          ],
        ],
      ),
      '',
    );
  }
  if (r.logs) {
    const g = r.logs;
    const d = avg(g.directMBps);
    const t = avg(g.tunnelMBps);
    out.push(
      `A2. GET /containers/:id/logs?stdout=1 of a ${fmt(g.bytes / 1e6, 0)} MB log (1 KiB lines), read ${g.directMBps.length}× each way, alternating`,
      table(
        ['path', 'MB/s (mean)', 'runs'],
        [
          ['direct: engine unix socket', fmt(d, 0), g.directMBps.map((x) => fmt(x, 0)).join(' / ')],
          ['server + tunnel', fmt(t, 0), g.tunnelMBps.map((x) => fmt(x, 0)).join(' / ')],
          ['ratio tunnel / direct', ratio(t / d, 3), ''],
        ],
      ),
      "   The reader, server, agent and dockerd share the machine's cores; MB = 10^6 bytes of the response body.",
      '',
    );
  }
  if (r.footprint) {
    const f = r.footprint;
    out.push(
      `A3. Agent idle footprint: ${f.idleMs / 1000} s idle after connecting, vs a bare Node process holding one TLS connection to the same server`,
      `   agent: ${f.agentEntry}${f.bundled ? ' (bundle)' : ' (NOT bundled: runs the TypeScript sources through type stripping; no packages/agent/dist/capstan-agent.js)'}`,
      table(
        ['measure', 'agent', 'bare Node + TLS', 'difference', 'ratio'],
        [
          [
            'RSS (MB)',
            fmt(f.agent.rssMb, 1),
            fmt(f.baseline.rssMb, 1),
            fmt(f.agent.rssMb - f.baseline.rssMb, 1),
            ratio(f.agent.rssMb / f.baseline.rssMb),
          ],
          [
            'peak RSS (MB)',
            fmt(f.agent.hwmMb, 1),
            fmt(f.baseline.hwmMb, 1),
            fmt(f.agent.hwmMb - f.baseline.hwmMb, 1),
            ratio(f.agent.hwmMb / f.baseline.hwmMb),
          ],
          [
            'CPU over the idle window (% of one core)',
            `${fmt(f.agent.cpuPct, 2)}%`,
            `${fmt(f.baseline.cpuPct, 2)}%`,
            '',
            '',
          ],
        ],
      ),
      `   target: RSS within 10 MB of the baseline (${f.agent.rssMb - f.baseline.rssMb <= 10 ? 'met' : 'NOT met'}); idle CPU near zero. CPU resolution is 10 ms per window.`,
      '',
    );
  }
  if (r.fleet) {
    const s = r.fleet;
    const row = (name: string, w: ServerWindow) => [
      name,
      `${fmt(w.cpuPct, 2)}%`,
      fmt(w.rssMb, 1),
      fmt(w.hwmMb, 1),
      `${fmt(w.windowMs / 1000, 1)} s`,
      `${fmt(w.otherCpuPct, 0)}%`,
    ];
    out.push(
      `A4. Server holding ${s.agents.toLocaleString('en-US')} simulated agents (WSS, challenge → signed hello → welcome; heartbeat every ${s.heartbeat}), vs the same server with none`,
      `   enrolled in ${fmt(s.enrolMs / 1000, 1)} s (environment + join token + enrol each); all connected and up in ${fmt(s.connectMs / 1000, 1)} s`,
      table(
        ['server', 'CPU (% of one core)', 'RSS MB', 'peak RSS MB', 'window', 'other CPU'],
        [
          row('0 agents connected', s.idle),
          row(`${s.agents.toLocaleString('en-US')} agents connected`, s.connected),
          [
            'ratio connected / idle',
            ratio(s.connected.cpuPct / s.idle.cpuPct, 1),
            ratio(s.connected.rssMb / s.idle.rssMb),
            '',
            '',
            '',
          ],
          [
            'difference',
            `${fmt(s.connected.cpuPct - s.idle.cpuPct, 2)}%`,
            fmt(s.connected.rssMb - s.idle.rssMb, 1),
            '',
            '',
            '',
          ],
        ],
      ),
      `   per connection: ${fmt(((s.connected.rssMb - s.idle.rssMb) * 1024) / s.agents, 0)} KB RSS; ${fmt(s.heartbeatAcks, 0)} of ${fmt(s.heartbeatsSent, 0)} heartbeats acknowledged, ${s.unexpectedCloses} connections dropped;` +
        ` simulated-agent process CPU ${fmt(s.simCpuPct, 0)}% (shares the cores).`,
      '   other CPU: every process but the server and the simulated agents (noise; the machine has 2 cores = 200%).',
      '',
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/** The agent figures for the JSON line. */
export function agentSummary(r: AgentReport): Record<string, unknown> {
  const lat = (x: LatencyStats) => ({
    p50Ms: round(x.p50, 3),
    p95Ms: round(x.p95, 3),
    meanMs: round(x.mean, 3),
    requests: x.requests,
  });
  const l = r.list;
  const g = r.logs;
  const f = r.footprint;
  const s = r.fleet;
  const win = (w: ServerWindow) => ({
    cpuPct: round(w.cpuPct, 2),
    otherCpuPct: round(w.otherCpuPct, 1),
    rssMb: round(w.rssMb, 1),
    hwmMb: round(w.hwmMb, 1),
    windowMs: round(w.windowMs, 0),
  });
  return {
    loadAvg: r.loadAvg,
    dockerSkipped: r.dockerSkipped,
    engineVersion: r.engineVersion,
    containerList: l
      ? {
          direct: lat(l.direct),
          tunnel: lat(l.tunnel),
          ratioP50: round(l.tunnel.p50 / l.direct.p50, 3),
          ratioP95: round(l.tunnel.p95 / l.direct.p95, 3),
        }
      : null,
    logStream: g
      ? {
          bytes: g.bytes,
          directMBps: round(avg(g.directMBps), 1),
          tunnelMBps: round(avg(g.tunnelMBps), 1),
          ratio: round(avg(g.tunnelMBps) / avg(g.directMBps), 4),
        }
      : null,
    agentIdle: f
      ? {
          agentEntry: f.agentEntry,
          bundled: f.bundled,
          agentRssMb: round(f.agent.rssMb, 1),
          baselineRssMb: round(f.baseline.rssMb, 1),
          differenceMb: round(f.agent.rssMb - f.baseline.rssMb, 1),
          ratio: round(f.agent.rssMb / f.baseline.rssMb, 3),
          agentCpuPct: round(f.agent.cpuPct, 3),
          baselineCpuPct: round(f.baseline.cpuPct, 3),
        }
      : null,
    fleet: s
      ? {
          agents: s.agents,
          heartbeat: s.heartbeat,
          enrolMs: round(s.enrolMs, 0),
          connectMs: round(s.connectMs, 0),
          idle: win(s.idle),
          connected: win(s.connected),
          cpuRatio: round(s.connected.cpuPct / s.idle.cpuPct, 2),
          rssRatio: round(s.connected.rssMb / s.idle.rssMb, 3),
          simCpuPct: round(s.simCpuPct, 1),
          heartbeatAcks: s.heartbeatAcks,
          unexpectedCloses: s.unexpectedCloses,
        }
      : null,
  };
}
