// Stacks benchmark alone: `npm run bench:stacks` (the full `npm run bench` runs it too, after the agent figures).
//
//   S1. a five-service stack (healthchecks, depends_on service_healthy) deployed from nothing:
//       `docker-compose up -d` (Debian's 1.29) vs Capstan's deploy through the server and the real agent
//   S2. the same deploy again with no change, both ways
//
// Both on one private dockerd (a rig host), alternating, 3 rounds each; medians and the ratio to
// docker-compose. Needs root, dockerd and docker-compose; reported as skipped without them.
// Prints tables, then one JSON line; cleans up its children, engine and temp dirs; exits non-zero on failure.
import { performance } from 'node:perf_hooks';
import { cleanupOnExit, cleanupSync } from './children.ts';
import { errorText, fmt } from './lib.ts';
import { runStacksFigures } from './stacks-phases.ts';
import { newStacksReport, printStacksReport, stacksSummary } from './stacks-report.ts';

const WATCHDOG_MS = 5 * 60_000;

cleanupOnExit();
const watchdog = setTimeout(() => {
  process.stderr.write(`bench:stacks: still running after ${WATCHDOG_MS / 60_000} min, giving up\n`);
  cleanupSync();
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

const report = newStacksReport();
const started = performance.now();
let failure: string | null = null;
try {
  await runStacksFigures(report);
} catch (err) {
  failure = errorText(err);
} finally {
  cleanupSync();
}
printStacksReport(report);
if (failure) process.stderr.write(`\nbench:stacks FAILED: ${failure}\n`);
else process.stderr.write(`bench:stacks finished in ${fmt((performance.now() - started) / 1000, 1)} s\n`);
process.stdout.write(
  `${JSON.stringify({ bench: 'capstan-stacks', ok: failure === null, error: failure, node: process.version, stacks: stacksSummary(report) })}\n`,
);
process.exitCode = failure ? 1 : 0;
