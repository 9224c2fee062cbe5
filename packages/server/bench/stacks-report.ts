// The stacks figures' report: S1 (a five-service deploy from nothing) and S2 (a redeploy with no
// change), Capstan through the real server and agent against docker-compose 1.29 on the same engine.
import os from 'node:os';
import { fmt, median, round, table } from './lib.ts';

/** Wall times of one way of deploying, one entry per round. */
export interface DeployTimings {
  deployMs: number[];
  redeployMs: number[];
}

/** Everything the stacks figures measured; a way that failed or was skipped stays null. */
export interface StacksReport {
  loadAvg: { start: number; end: number | null };
  /** Why the figures did not run (no Docker engine, no docker-compose, not root), or null. */
  skipped: string | null;
  engineVersion: string | null;
  composeVersion: string | null;
  /** Whether the agent ran as the bundle (else its TypeScript sources). */
  agentBundled: boolean | null;
  services: number;
  compose: DeployTimings | null;
  capstan: DeployTimings | null;
}

/** An empty stacks report. */
export function newStacksReport(): StacksReport {
  return {
    loadAvg: { start: round(os.loadavg()[0] ?? 0, 2), end: null },
    skipped: null,
    engineVersion: null,
    composeVersion: null,
    agentBundled: null,
    services: 0,
    compose: null,
    capstan: null,
  };
}

const runs = (xs: readonly number[]) => xs.map((x) => fmt(x, 0)).join(' / ');
const ratio = (a: number, b: number) => `${fmt(a / b, 2)}x`;

/** Writes the stacks figures' tables to stdout. */
export function printStacksReport(r: StacksReport): void {
  const out: string[] = [
    '',
    'Stacks figures (docker-compose 1.29 on the same engine in the same run is the baseline)',
  ];
  out.push(
    `1-min load average: ${fmt(r.loadAvg.start, 2)} at start, ${r.loadAvg.end === null ? 'n/a' : fmt(r.loadAvg.end, 2)} at end`,
  );
  if (r.skipped) {
    out.push(`S1-S2 skipped: ${r.skipped}`);
    process.stdout.write(`${out.join('\n')}\n`);
    return;
  }
  out.push(
    `Docker Engine ${r.engineVersion ?? 'n/a'} (a rig host: private dockerd in its own network namespace), docker-compose ${r.composeVersion ?? 'n/a'}, agent ${r.agentBundled ? 'bundle' : 'TypeScript sources'}`,
    `Stack: ${r.services} services from the busybox test image, healthchecks every 1 s, web and worker wait for api, api for db and cache (service_healthy); a network, a volume, two published ports.`,
    'docker-compose: `up -d` wall time (a Python process: its start-up is part of what a user waits for).',
    'Capstan: POST /api/stacks/:id/deploy until GET …/versions/:id says deployed (HTTPS, command log, tunnel, the agent pulls nothing, plans live, applies; health window 0).',
    '',
  );
  const c = r.compose;
  const k = r.capstan;
  const row = (label: string, xs: readonly number[] | undefined) => [
    label,
    xs ? fmt(median(xs), 0) : 'n/a',
    xs ? runs(xs) : 'n/a',
  ];
  for (const [title, pick] of [
    ['S1. Deploy the stack from nothing until every container is started', (t: DeployTimings) => t.deployMs],
    ['S2. Deploy it again with no change (nothing is recreated)', (t: DeployTimings) => t.redeployMs],
  ] as const) {
    const a = c ? pick(c) : undefined;
    const b = k ? pick(k) : undefined;
    out.push(
      title,
      table(
        ['way', 'median ms', 'runs ms'],
        [
          row('docker-compose up -d', a),
          row('Capstan (server + agent)', b),
          ['ratio Capstan / docker-compose', a && b ? ratio(median(b), median(a)) : 'n/a', ''],
        ],
      ),
      '',
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/** The stacks figures for the JSON line. */
export function stacksSummary(r: StacksReport): Record<string, unknown> {
  const t = (x: DeployTimings | null) =>
    x
      ? {
          deployMedianMs: round(median(x.deployMs), 0),
          redeployMedianMs: round(median(x.redeployMs), 0),
          deployMs: x.deployMs.map((v) => round(v, 0)),
          redeployMs: x.redeployMs.map((v) => round(v, 0)),
        }
      : null;
  const c = r.compose;
  const k = r.capstan;
  return {
    loadAvg: r.loadAvg,
    skipped: r.skipped,
    engineVersion: r.engineVersion,
    composeVersion: r.composeVersion,
    services: r.services,
    compose: t(c),
    capstan: t(k),
    deployRatio: c && k ? round(median(k.deployMs) / median(c.deployMs), 3) : null,
    redeployRatio: c && k ? round(median(k.redeployMs) / median(c.redeployMs), 3) : null,
  };
}
