// Async-mode benchmark alone: `npm run bench:async` (the full `npm run bench` runs it too, after the stacks figures).
//
//   P1. polls per second per server core with N simulated async agents (default 1,000), the state
//       unchanged (hash only) and with a one-container delta each poll, each against GET /api/health
//       served in the same run, and bytes per poll (plus a cold full-snapshot poll for reference)
//
// N: `npm run bench:async -- --agents 200`, or CAPSTAN_BENCH_ASYNC_AGENTS=200.
// Prints a table, then one JSON line; cleans up its children and temp dirs; exits non-zero on failure.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { asyncAgentsOption, runAsyncFigures } from './async-phases.ts';
import { asyncSummary, newAsyncReport, printAsyncReport } from './async-report.ts';
import { cleanupOnExit, cleanupSync } from './children.ts';
import { errorText, fmt } from './lib.ts';

const WATCHDOG_MS = 8 * 60_000;

const { values } = parseArgs({ options: { agents: { type: 'string' } } });
const agents = asyncAgentsOption(values.agents ?? process.env.CAPSTAN_BENCH_ASYNC_AGENTS);

cleanupOnExit();
const watchdog = setTimeout(() => {
  process.stderr.write(`bench:async: still running after ${WATCHDOG_MS / 60_000} min, giving up\n`);
  cleanupSync();
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

const report = newAsyncReport(agents);
const started = performance.now();
let failure: string | null = null;
try {
  await runAsyncFigures(report);
} catch (err) {
  failure = errorText(err);
} finally {
  cleanupSync();
}
printAsyncReport(report);
if (failure) process.stderr.write(`\nbench:async FAILED: ${failure}\n`);
else process.stderr.write(`bench:async finished in ${fmt((performance.now() - started) / 1000, 1)} s\n`);
process.stdout.write(
  `${JSON.stringify({ bench: 'capstan-async', ok: failure === null, error: failure, node: process.version, async: asyncSummary(report) })}\n`,
);
process.exitCode = failure ? 1 : 0;
