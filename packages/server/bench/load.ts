// One HTTP load run: loadgen.ts in a fresh forked child drives the server while the driver samples
// the server's and the machine's CPU over exactly the child's measured window.
import { performance } from 'node:perf_hooks';
import { forkScript } from './children.ts';
import { firstMessageWhere, waitExit } from './lib.ts';
import type { LoadJob, LoadPhase, LoadResult } from './loadgen.ts';
import { cpuMsOf, machineBusyMs } from './procfs.ts';

/** A load run's result with the server's CPU cost, and the noise from other processes, added. */
export interface Measured extends LoadResult {
  /** Server CPU during the measured window: % of one core, and per request. */
  serverCpuPct: number;
  serverCpuUsPerRequest: number;
  /** CPU used by everything else on the machine during the window (% of one core): noise. */
  otherCpuPct: number;
}

/** Runs one load job in a fresh child; rejects if no request completed or any status was unexpected. */
export async function load(name: string, job: LoadJob, serverPid: number): Promise<Measured> {
  const { child, stderr } = forkScript('loadgen.ts');
  let cpuStart = Number.NaN;
  let cpuEnd = Number.NaN;
  let busyStart = Number.NaN;
  let busyEnd = Number.NaN;
  let windowStart = 0;
  let windowEnd = 0;
  child.on('message', (m: LoadPhase | LoadResult) => {
    if (!('phase' in m)) return;
    if (m.phase === 'start') {
      cpuStart = cpuMsOf(serverPid);
      busyStart = machineBusyMs();
      windowStart = performance.now();
    } else {
      cpuEnd = cpuMsOf(serverPid);
      busyEnd = machineBusyMs();
      windowEnd = performance.now();
    }
  });
  const answer = firstMessageWhere<LoadResult>(
    child,
    `load generator (${name})`,
    job.warmupMs + job.durationMs + 30_000,
    (m) => !('phase' in (m as object)),
    stderr,
  );
  child.send(job);
  const result = await answer;
  await waitExit(child, 5_000);
  if (result.requests === 0) throw new Error(`${name}: no request completed`);
  if (result.unexpected > 0) {
    throw new Error(
      `${name}: ${result.unexpected} of ${result.requests} answers were not HTTP ${job.expectStatus} (${JSON.stringify(result.statuses)}); first: ${result.firstProblem}`,
    );
  }
  const cpuMs = cpuEnd - cpuStart;
  const windowMs = windowEnd - windowStart;
  const serverCpuPct = (cpuMs / windowMs) * 100;
  return {
    ...result,
    serverCpuPct,
    serverCpuUsPerRequest: (cpuMs * 1000) / (result.rps * (windowMs / 1000)),
    otherCpuPct: Math.max(0, ((busyEnd - busyStart) / windowMs) * 100 - serverCpuPct - result.clientCpuPct),
  };
}
