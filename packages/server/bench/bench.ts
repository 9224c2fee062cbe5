// Capstan server benchmark: `npm run bench` from the repository root.
//
//   1. cold start to ready (fresh data dir, restart on existing dir; median of 3 each)
//   2. idle RSS of the server after ~3 s idle
//   3. logins per second (argon2id on purpose), concurrency 8
//   4. GET /api/environments per second with 100,000 users and 10,000 environments seeded,
//      as admin, as a non-admin with ~50 environment roles and 2 group roles, with API keys,
//      each compared with GET /api/health measured in the same run
//   5. authorization decision cost in process: decide() and AccessService.authorize()
//   A1-A4. Edge Agent figures (agent-phases.ts; also alone as `npm run bench:agent`)
//   S1-S2. Stacks: a 5-service deploy and a no-change redeploy vs docker-compose 1.29 (stacks-phases.ts;
//          also alone as `npm run bench:stacks`)
//   P1. Async mode: polls per server core with simulated async agents, unchanged and with deltas, vs
//       GET /api/health, and bytes per poll (async-phases.ts; also alone as `npm run bench:async`;
//       CAPSTAN_BENCH_ASYNC_AGENTS sets the agent count)
//
// The server runs as a real child process (bin/capstan-server.js); HTTP load comes from a
// separate forked child (loadgen.ts). Health is measured before and after the environment runs;
// server CPU per request (from /proc) is reported next to req/s because on a 2-core machine the
// load generator and any neighbouring process compete with the server for CPU.
// Prints tables, then one JSON line. Cleans up its children and temp dir; exits non-zero on failure.
//
// This file is the driver: the phases in order. Config in config.ts, the server process in
// server.ts, HTTP load in http-phases.ts / load.ts / loadgen.ts, output in report.ts.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { hashPassword } from '../src/modules/auth/passwords.ts';
import { runAgentFigures } from './agent-phases.ts';
import { agentSummary, newAgentReport, printAgentReport } from './agent-report.ts';
import { asyncAgentsOption, runAsyncFigures } from './async-phases.ts';
import { asyncSummary, newAsyncReport, printAsyncReport } from './async-report.ts';
import type { AuthzResult } from './authz.ts';
import { cleanupOnExit, cleanupSync, forkScript, makeTempRoot } from './children.ts';
import { ADMIN, CONFIG, USER_PASSWORD } from './config.ts';
import { measureApi, measureLogins } from './http-phases.ts';
import { errorText, firstMessage, fmt, progress, round, sleep, waitExit } from './lib.ts';
import { memoryOf } from './procfs.ts';
import { newReport, printReport, summary, type Report } from './report.ts';
import { seedDatabase, type SeedResult } from './seed.ts';
import { measureColdStarts, startServer, stopServer } from './server.ts';
import { runStacksFigures } from './stacks-phases.ts';
import { newStacksReport, printStacksReport, stacksSummary } from './stacks-report.ts';

async function run(report: Report): Promise<void> {
  const root = makeTempRoot();
  const passwordFile = path.join(root, 'admin-password');
  writeFileSync(passwordFile, `${ADMIN.password}\n`, { mode: 0o600 });
  const mainDir = path.join(root, 'data-1');

  // 1. Cold start; the last restart stays up for the next two phases.
  let server = await measureColdStarts(root, mainDir, passwordFile, report.startup);

  // 2. Idle RSS of the last restarted server.
  await sleep(CONFIG.idleMs);
  report.idle = memoryOf(server.pid);
  progress(`idle RSS after ${CONFIG.idleMs / 1000} s: ${fmt(report.idle.rssMb)} MB`);

  // 3. Logins per second.
  report.login = await measureLogins(server);
  await stopServer(server);

  // 4. Seed 100k users / 10k environments straight into SQLite, restart, measure the API.
  report.seed = await seed(mainDir);
  server = await startServer(mainDir, passwordFile);
  report.startup.seededRestartMs = server.readyMs;
  progress(`restart with seeded data: ready in ${fmt(server.readyMs)} ms`);
  await measureApi(server, report.seed, report.http);
  report.loaded = memoryOf(server.pid);
  await stopServer(server);

  // 5. Authorization decision cost, in a fresh process on the seeded (stopped) store.
  report.authz = await measureAuthz(mainDir);
}

/** Seeds the stopped store in `dataDir` with CONFIG.seed, every user sharing USER_PASSWORD. */
async function seed(dataDir: string): Promise<SeedResult> {
  progress(
    `seeding ${CONFIG.seed.users.toLocaleString('en-US')} users and ${CONFIG.seed.environments.toLocaleString('en-US')} environments`,
  );
  const passwordHash = await hashPassword(USER_PASSWORD);
  const result = seedDatabase(dataDir, { ...CONFIG.seed, passwordHash });
  progress(
    `seeded in ${fmt(result.ms)} ms: ${Object.entries(result.rows)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  return result;
}

/** Runs authz.ts in a forked child (--expose-gc, for its heap figures) on the seeded store in `dataDir`. */
async function measureAuthz(dataDir: string): Promise<AuthzResult> {
  progress('authorization microbenchmarks (decide, AccessService.authorize)');
  const { child, stderr } = forkScript('authz.ts', ['--expose-gc']);
  const answer = firstMessage<AuthzResult>(child, 'authz microbenchmark', 180_000, stderr);
  child.send({ dataDir });
  const result = await answer;
  await waitExit(child, 5_000);
  return result;
}

cleanupOnExit();
const report = newReport();
const agentReport = newAgentReport();
const stacksReport = newStacksReport();
const asyncReport = newAsyncReport(asyncAgentsOption(process.env.CAPSTAN_BENCH_ASYNC_AGENTS));

const watchdog = setTimeout(() => {
  process.stderr.write(`bench: still running after ${CONFIG.watchdogMs / 60_000} min, giving up\n`);
  cleanupSync();
  process.exit(1);
}, CONFIG.watchdogMs);
watchdog.unref();

const started = performance.now();
let failure: string | null = null;
try {
  await run(report);
  await runAgentFigures(agentReport);
  await runStacksFigures(stacksReport);
  await runAsyncFigures(asyncReport);
} catch (err) {
  failure = errorText(err);
} finally {
  cleanupSync();
  report.machine.loadAvgEnd = round(os.loadavg()[0] ?? 0, 2);
}
printReport(report);
printAgentReport(agentReport);
printStacksReport(stacksReport);
printAsyncReport(asyncReport);
if (failure) process.stderr.write(`\nbench FAILED: ${failure}\n`);
else process.stderr.write(`bench finished in ${fmt((performance.now() - started) / 1000, 1)} s\n`);
process.stdout.write(
  `${JSON.stringify({ ...summary(report, failure === null, failure), agent: agentSummary(agentReport), stacks: stacksSummary(stacksReport), async: asyncSummary(asyncReport) })}\n`,
);
process.exitCode = failure ? 1 : 0;
