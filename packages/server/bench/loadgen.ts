// HTTP load generator, run as a forked child so its CPU use is not charged to the benchmark driver.
// Receives one LoadJob over IPC, keeps `concurrency` keep-alive HTTPS connections busy for
// warm-up + duration, and answers one LoadResult. Only requests started after the warm-up count.
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { percentile } from './lib.ts';

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
        resolve({ status, bytes, text: parts.length ? Buffer.concat(parts).toString('utf8').slice(0, 400) : null });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(job.body);
  });
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
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

  const worker = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= stopAt) return;
      let answer: Answer;
      try {
        answer = await send(agent, job, false);
      } catch (err) {
        answer = { status: 0, bytes: 0, text: err instanceof Error ? err.message : String(err) };
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
      mean: n ? latencies.reduce((a, b) => a + b, 0) / n : Number.NaN,
    },
  };
}

// As a forked child: one job in, one result out, then exit.
if (process.send) {
  process.once('message', (job: LoadJob) => {
    runLoad(job).then(
      (result) => process.send?.(result, () => process.exit(0)),
      (err: unknown) => process.send?.({ error: err instanceof Error ? err.message : String(err) }, () => process.exit(1)),
    );
  });
}
