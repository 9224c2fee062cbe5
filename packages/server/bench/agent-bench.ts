// Edge Agent benchmark alone: `npm run bench:agent` (the full `npm run bench` runs it too, after the server figures).
//
//   A1. GET /containers/json?all=1 latency through server + tunnel vs the engine's unix socket
//   A2. container log stream MB/s through server + tunnel vs the engine's unix socket
//   A3. the real agent's idle RSS and CPU vs a bare Node process holding one TLS connection
//   A4. server CPU and RSS holding 1,000 simulated agents (agent-fleet.ts, sim-agents.ts) vs none
//
// A1–A3 need dockerd (a private engine from the e2e rig) and are reported as skipped without it.
// Prints tables, then one JSON line; cleans up its children, engine and temp dirs; exits non-zero on failure.
import { performance } from 'node:perf_hooks';
import { runAgentFigures } from './agent-phases.ts';
import { agentSummary, newAgentReport, printAgentReport } from './agent-report.ts';
import { cleanupOnExit, cleanupSync } from './children.ts';
import { errorText, fmt } from './lib.ts';

const WATCHDOG_MS = 5 * 60_000;

cleanupOnExit();
const watchdog = setTimeout(() => {
  process.stderr.write(`bench:agent: still running after ${WATCHDOG_MS / 60_000} min, giving up\n`);
  cleanupSync();
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

const report = newAgentReport();
const started = performance.now();
let failure: string | null = null;
try {
  await runAgentFigures(report);
} catch (err) {
  failure = errorText(err);
} finally {
  cleanupSync();
}
printAgentReport(report);
if (failure) process.stderr.write(`\nbench:agent FAILED: ${failure}\n`);
else process.stderr.write(`bench:agent finished in ${fmt((performance.now() - started) / 1000, 1)} s\n`);
process.stdout.write(
  `${JSON.stringify({ bench: 'capstan-agent', ok: failure === null, error: failure, node: process.version, agent: agentSummary(report) })}\n`,
);
process.exitCode = failure ? 1 : 0;
