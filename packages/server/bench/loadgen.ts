// HTTP load generator, run as a forked child so its CPU use is not charged to the benchmark driver.
// Receives one LoadJob over IPC, keeps `concurrency` keep-alive HTTPS connections busy for
// warm-up + duration, and answers one LoadResult. Only requests started after the warm-up count.
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { answerOnce, errorText, mean, percentile } from './lib.ts';

export interface LoadJob {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  expectStatus: number;
}

export interface LoadResult {
  requests: number;
  unexpected: number;
  statuses: Record<string, number>;
  /** A sample answer with an unexpected status or a transport error, for diagnosis. */
  firstProblem: string | null;
  elapsedMs: number;
  rps: number;
  bytesPerRequest: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** CPU used by this load generator during the measured window, % of one core. */
  clientCpuPct: number;
}

/** Sent over IPC when the measured window opens and closes, so the driver can sample the server's CPU. */
export interface LoadPhase {
  phase: 'start' | 'end';
}

interface Answer {
  status: number;
  bytes: number;
  text: string | null;
}

function send(agent: https.Agent, job: LoadJob, keepText: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(job.url, { method: job.method, headers: job.headers, agent }, (res) => {
      let bytes = 0;
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (keepText || res.statusCode !== job.expectStatus) parts.push(chunk);
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve({
          status,
          bytes,
          text: parts.length ? Buffer.concat(parts).toString('utf8').slice(0, 400) : null,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(job.body);
  });
}

/** Runs `job` and measures the window after its warm-up; `onPhase` hears the window open and close. */
export async function runLoad(job: LoadJob, onPhase?: (p: LoadPhase) => void): Promise<LoadResult> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: job.concurrency, rejectUnauthorized: false });
  const start = performance.now();
  const measureFrom = start + job.warmupMs;
  const stopAt = measureFrom + job.durationMs;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let unexpected = 0;
  let bytes = 0;
  let lastDone = measureFrom;
  let firstProblem: string | null = null;
  // The window's edges, for CPU accounting: on time by timer, or when the workers finish, whichever is first.
  let cpuAtStart = process.cpuUsage();
  let clientCpuUs = 0;
  let phase: 'warmup' | 'measuring' | 'done' = 'warmup';
  const open = () => {
    if (phase !== 'warmup') return;
    phase = 'measuring';
    cpuAtStart = process.cpuUsage();
    onPhase?.({ phase: 'start' });
  };
  const close = () => {
    if (phase === 'done') return;
    open();
    phase = 'done';
    const used = process.cpuUsage(cpuAtStart);
    clientCpuUs = used.user + used.system;
    onPhase?.({ phase: 'end' });
  };
  const opened = setTimeout(open, Math.max(0, measureFrom - performance.now()));
  const closed = setTimeout(close, Math.max(0, stopAt - performance.now()));

  const worker = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= stopAt) return;
      let answer: Answer;
      try {
        answer = await send(agent, job, false);
      } catch (err) {
        answer = { status: 0, bytes: 0, text: errorText(err) };
      }
      const t1 = performance.now();
      if (t0 < measureFrom) continue;
      latencies.push(t1 - t0);
      lastDone = Math.max(lastDone, t1);
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      bytes += answer.bytes;
      if (answer.status !== job.expectStatus) {
        unexpected++;
        firstProblem ??= `HTTP ${answer.status}: ${answer.text ?? ''}`;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  close();
  clearTimeout(opened);
  clearTimeout(closed);
  agent.destroy();

  const elapsedMs = Math.max(job.durationMs, lastDone - measureFrom);
  latencies.sort((a, b) => a - b);
  const n = latencies.length;
  return {
    requests: n,
    unexpected,
    statuses,
    firstProblem,
    elapsedMs,
    rps: n / (elapsedMs / 1000),
    bytesPerRequest: n ? bytes / n : 0,
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies[n - 1] ?? Number.NaN,
      mean: mean(latencies),
    },
    clientCpuPct: (clientCpuUs / 1000 / job.durationMs) * 100,
  };
}

// As a forked child: one job in, one result out, then exit.
if (process.send) answerOnce((job: LoadJob) => runLoad(job, (p) => process.send?.(p)));
