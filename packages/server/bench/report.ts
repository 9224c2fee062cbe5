// The benchmark's output: the tables on stdout for people, then one JSON line for machines.
import os from 'node:os';
import type { AuthzResult } from './authz.ts';
import { CONFIG } from './config.ts';
import type { ApiRun } from './http-phases.ts';
import { fmt, mean, median, round, table } from './lib.ts';
import type { Measured } from './load.ts';
import type { SeedResult } from './seed.ts';

/** Everything one run measured; a phase that failed or never ran leaves its part null or empty. */
export interface Report {
  machine: {
    node: string;
    cpus: number;
    cpuModel: string;
    platform: string;
    loadAvgStart: number;
    loadAvgEnd: number | null;
  };
  startup: { freshMs: number[]; restartMs: number[]; seededRestartMs: number | null };
  idle: { rssMb: number; hwmMb: number } | null;
  login: Measured | null;
  seed: SeedResult | null;
  http: ApiRun[];
  loaded: { rssMb: number; hwmMb: number } | null;
  authz: AuthzResult | null;
}

/** Mean req/s of the health runs: the baseline every other request is compared with. */
function baseline(r: Report): number {
  return mean(r.http.filter((h) => h.key.startsWith('health')).map((h) => h.result.rps));
}

/** Mean server CPU per health request (µs): the CPU-cost baseline. */
function cpuBaseline(r: Report): number {
  return mean(r.http.filter((h) => h.key.startsWith('health')).map((h) => h.result.serverCpuUsPerRequest));
}

/** Writes the human-readable tables for `r` to stdout. */
export function printReport(r: Report): void {
  const out: string[] = [];
  const runs = (xs: number[]) => xs.map((x) => fmt(x, 0)).join(' / ');
  const m = r.machine;
  out.push('', `Capstan server benchmark — Node ${m.node}, ${m.cpus} CPU (${m.cpuModel}), ${m.platform}`);
  out.push(
    `1-min load average: ${fmt(m.loadAvgStart, 2)} at start, ${m.loadAvgEnd === null ? 'n/a' : fmt(m.loadAvgEnd, 2)} at end`,
  );
  const noisy = [...r.http.map((h) => h.result), ...(r.login ? [r.login] : [])].filter(
    (x) => x.otherCpuPct > 15,
  );
  if (noisy.length) {
    out.push(
      `WARNING: other processes used up to ${fmt(Math.max(...noisy.map((x) => x.otherCpuPct)), 0)}% CPU during the load runs: ` +
        'req/s and ratios are noisy; server µs CPU/req is the steadier figure.',
    );
  }
  out.push('');

  out.push('1-2. Startup and memory');
  const startRows: string[][] = [
    ['cold start to ready, fresh data dir (ms)', fmt(median(r.startup.freshMs), 0), runs(r.startup.freshMs)],
    [
      'cold start to ready, restart existing dir (ms)',
      fmt(median(r.startup.restartMs), 0),
      runs(r.startup.restartMs),
    ],
  ];
  if (r.startup.seededRestartMs !== null)
    startRows.push([
      'restart with 100k users / 10k environments (ms)',
      fmt(r.startup.seededRestartMs, 0),
      '1 run',
    ]);
  if (r.idle)
    startRows.push(['idle RSS, 3 s after ready (MB)', fmt(r.idle.rssMb, 1), `peak ${fmt(r.idle.hwmMb, 1)}`]);
  if (r.loaded)
    startRows.push([
      'RSS after the seeded HTTP runs (MB)',
      fmt(r.loaded.rssMb, 1),
      `peak ${fmt(r.loaded.hwmMb, 1)}`,
    ]);
  out.push(table(['measure', 'median', 'runs'], startRows), '');

  if (r.login) {
    const l = r.login;
    out.push(
      `3. Logins (POST /api/auth/login, argon2id; concurrency ${CONFIG.login.concurrency}, ${CONFIG.login.durationMs / 1000} s)`,
    );
    out.push(
      table(
        ['measure', 'value'],
        [
          ['logins/s', fmt(l.rps, 1)],
          ['latency p50 (ms)', fmt(l.latencyMs.p50, 1)],
          ['latency p99 (ms)', fmt(l.latencyMs.p99, 1)],
          ['server CPU (% of one core; 2 cores = 200%)', `${fmt(l.serverCpuPct, 0)}%`],
          ['server CPU per login (ms)', fmt(l.serverCpuUsPerRequest / 1000, 1)],
          ['other processes CPU (noise)', `${fmt(l.otherCpuPct, 0)}%`],
          ['logins measured', String(l.requests)],
        ],
      ),
      '',
    );
  }

  const health = baseline(r);
  const cpuHealth = cpuBaseline(r);
  if (r.http.length) {
    out.push(
      `4. GET /api/environments?limit=100 with ${CONFIG.seed.users.toLocaleString('en-US')} users, ${CONFIG.seed.environments.toLocaleString('en-US')} environments ` +
        `(concurrency ${CONFIG.http.concurrency}, ${CONFIG.http.warmupMs / 1000} s warm-up + ${CONFIG.http.durationMs / 1000} s each)`,
    );
    if (r.seed) {
      out.push(
        `   non-admin ${r.seed.chosen.username}: ${r.seed.chosen.directEnvironments} direct environment roles + groups ${r.seed.chosen.groups.join(', ')} via a team ` +
          `= ${r.seed.chosen.visibleEnvironments} visible environments; seeded in ${fmt(r.seed.ms, 0)} ms`,
      );
    }
    out.push(
      table(
        [
          'request',
          'req/s',
          'vs health',
          'p50 ms',
          'p99 ms',
          'server CPU',
          'µs CPU/req',
          'CPU vs health',
          'client CPU',
          'other CPU',
          'bytes/resp',
        ],
        r.http.map(({ name, result: x }) => [
          name,
          fmt(x.rps, 0),
          `${fmt(x.rps / health, 3)}x`,
          fmt(x.latencyMs.p50, 2),
          fmt(x.latencyMs.p99, 2),
          `${fmt(x.serverCpuPct, 0)}%`,
          fmt(x.serverCpuUsPerRequest, 0),
          `${fmt(cpuHealth / x.serverCpuUsPerRequest, 3)}x`,
          `${fmt(x.clientCpuPct, 0)}%`,
          `${fmt(x.otherCpuPct, 0)}%`,
          fmt(x.bytesPerRequest, 0),
        ]),
      ),
      `   vs health: req/s divided by the mean of the two health runs (${fmt(health, 0)} req/s). CPU: % of one core (${r.machine.cpus} cores = ${r.machine.cpus * 100}%)`,
      '   during the measured window; "other" is every other process on the machine (noise). CPU vs health: health µs CPU/req divided',
      '   by this µs CPU/req, i.e. the req/s ratio to expect when the server, not the load generator or neighbours, is the bottleneck.',
      '',
    );
  }

  if (r.authz) {
    const a = r.authz;
    out.push('5. Authorization decision cost (in process)');
    out.push(
      table(
        ['decide(), 50 environment roles + 2 group roles', 'ns/check'],
        a.decide.map((d) => [d.name, fmt(d.nsPerCheck, 1)]),
      ),
      '',
    );
    const z = a.authorize;
    out.push(
      table(
        [
          `AccessService.authorize() on the seeded store (${a.population.roleAssignments.toLocaleString('en-US')} role assignments)`,
          'value',
        ],
        [
          ['first call, grants not cached: p50 (µs)', fmt(z.uncached.p50Us, 1)],
          ['first call, grants not cached: p99 (µs)', fmt(z.uncached.p99Us, 1)],
          ['cached, allowed, random of 1,000 users (ns/check)', fmt(z.cached1k, 0)],
          [
            `cached, allowed, random of ${z.warmAll.users.toLocaleString('en-US')} users (ns/check)`,
            fmt(z.cached100k, 0),
          ],
          ['  ratio 100k / 1k (1.0 = flat in user count)', `${fmt(z.ratio, 2)}x`],
          ['cached, allowed, 100,000 cached but the same 1,000 users (ns/check)', fmt(z.cached100kHot1k, 0)],
          ['cached, allowed, user with 50 env + 2 group roles (ns/check)', fmt(z.chosenUser, 0)],
          ['cached, denied (throws AppError), random of 100k users (ns/check)', fmt(z.denied100k, 0)],
          [`caching every user's grants: total (ms)`, fmt(z.warmAll.ms, 0)],
          [
            `caching every user's grants: heap (MB)`,
            `${fmt(z.warmAll.heapMb, 1)} (${fmt(z.warmAll.bytesPerUser, 0)} B/user)`,
          ],
        ],
      ),
      '',
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/** The one-line JSON summary of `r`: `ok` and `error` say how the run ended. */
export function summary(r: Report, ok: boolean, error: string | null): Record<string, unknown> {
  const lat = (x: Measured) => ({
    rps: round(x.rps, 1),
    p50Ms: round(x.latencyMs.p50, 3),
    p99Ms: round(x.latencyMs.p99, 3),
    requests: x.requests,
    serverCpuPct: round(x.serverCpuPct, 1),
    serverCpuUsPerRequest: round(x.serverCpuUsPerRequest, 1),
    clientCpuPct: round(x.clientCpuPct, 1),
    otherCpuPct: round(x.otherCpuPct, 1),
  });
  const health = baseline(r);
  const cpuHealth = cpuBaseline(r);
  return {
    bench: 'capstan-server',
    ok,
    error,
    machine: r.machine,
    coldStartMs: {
      fresh: r.startup.freshMs.length ? round(median(r.startup.freshMs), 1) : null,
      restart: r.startup.restartMs.length ? round(median(r.startup.restartMs), 1) : null,
      seededRestart: r.startup.seededRestartMs === null ? null : round(r.startup.seededRestartMs, 1),
      freshRuns: r.startup.freshMs.map((x) => round(x, 1)),
      restartRuns: r.startup.restartMs.map((x) => round(x, 1)),
    },
    idleRssMb: r.idle ? round(r.idle.rssMb, 1) : null,
    loadedRssMb: r.loaded ? round(r.loaded.rssMb, 1) : null,
    login: r.login ? { ...lat(r.login), concurrency: CONFIG.login.concurrency } : null,
    http: Object.fromEntries(
      r.http.map(({ key, result }) => [
        key,
        {
          ...lat(result),
          ratioToHealth: round(result.rps / health, 4),
          cpuRatioToHealth: round(cpuHealth / result.serverCpuUsPerRequest, 4),
        },
      ]),
    ),
    healthBaselineRps: Number.isFinite(health) ? round(health, 1) : null,
    healthBaselineCpuUsPerRequest: Number.isFinite(cpuHealth) ? round(cpuHealth, 1) : null,
    httpConcurrency: CONFIG.http.concurrency,
    seed: r.seed ? { ms: round(r.seed.ms, 0), rows: r.seed.rows, chosen: r.seed.chosen } : null,
    authz: r.authz
      ? {
          decideNs: Object.fromEntries(r.authz.decide.map((d) => [d.name, round(d.nsPerCheck, 1)])),
          authorize: {
            uncachedP50Us: round(r.authz.authorize.uncached.p50Us, 1),
            uncachedP99Us: round(r.authz.authorize.uncached.p99Us, 1),
            cached1kNs: round(r.authz.authorize.cached1k, 0),
            cached100kNs: round(r.authz.authorize.cached100k, 0),
            cached100kHot1kNs: round(r.authz.authorize.cached100kHot1k, 0),
            ratio100kTo1k: round(r.authz.authorize.ratio, 3),
            chosenUserNs: round(r.authz.authorize.chosenUser, 0),
            denied100kNs: round(r.authz.authorize.denied100k, 0),
            cacheAllUsersMs: round(r.authz.authorize.warmAll.ms, 0),
            cacheAllUsersHeapMb: round(r.authz.authorize.warmAll.heapMb, 1),
          },
        }
      : null,
  };
}

/** An empty report, with the machine and its load average taken now. */
export function newReport(): Report {
  return {
    machine: {
      node: process.version,
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      platform: `${os.platform()} ${os.release()}`,
      loadAvgStart: round(os.loadavg()[0] ?? 0, 2),
      loadAvgEnd: null,
    },
    startup: { freshMs: [], restartMs: [], seededRestartMs: null },
    idle: null,
    login: null,
    seed: null,
    http: [],
    loaded: null,
    authz: null,
  };
}
