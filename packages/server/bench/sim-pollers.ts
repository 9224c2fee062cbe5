// Simulated async agents for the Async-mode figures, run as a forked child so their CPU is not the
// driver's or the server's. Enrols N agents in async environments (sim-enrol.ts), primes each with
// one full snapshot poll (after the 401 challenge), then runs closed-loop poll phases: a fixed pool of
// keep-alive connections, each rotating over its own share of the agents and polling again as soon
// as an answer arrives. This measures the server's capacity, not the agents' 60 s cadence.
//
// IPC: PollerEnrol → PollerEnrolled; PollerPrime → PollerPrimed; PollerRun → {window} start/end, then
// PollerRan; {cmd: 'stop'} → exit. Any failure answers {error}.
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { PollSnapshot } from '@capstan/protocol';
import { errorText, mean, percentile } from './lib.ts';
import { enrolSimAgents, pool } from './sim-enrol.ts';
import {
  challengeNonce,
  pollBody,
  pollOnce,
  post,
  problemOf,
  type Exchange,
  type PollKind,
  type Poller,
} from './sim-poll.ts';
import { simSnapshot, snapshotHash } from './sim-snapshot.ts';

export interface PollerEnrol {
  cmd: 'enrol';
  port: number;
  apiKey: string;
  count: number;
  enrolConcurrency: number;
  pollIntervalSeconds: number;
}
export interface PollerEnrolled {
  phase: 'enrolled';
  ms: number;
}
export interface PollerPrime {
  cmd: 'prime';
  concurrency: number;
}
/** The first poll of every agent: the 401 challenge, then a full snapshot. Bytes are means over agents. */
export interface PollerPrimed {
  phase: 'primed';
  ms: number;
  challenge: { requestBytes: number; answerBytes: number };
  full: { requestBytes: number; answerBytes: number };
}
export interface PollerRun {
  cmd: 'run';
  kind: PollKind;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}
/** Sent when a run's measured window opens and closes, so the driver can sample the server's CPU. */
export interface PollerWindow {
  window: 'start' | 'end';
}
/** One measured phase; bytes are JSON bodies only (headers excluded), means per answered poll. */
export interface PollRunResult {
  kind: PollKind;
  polls: number;
  /** Answers that were not HTTP 200 with the expected snapshot outcome, mode async and no commands. */
  errors: number;
  firstProblem: string | null;
  /** 401 challenge_required answers (a lost nonce): answered at once, not counted as polls. */
  challenges: number;
  elapsedMs: number;
  pollsPerSecond: number;
  requestBytes: number;
  answerBytes: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** CPU of this process during the window, % of one core. */
  clientCpuPct: number;
}
export interface PollerRan {
  phase: 'ran';
  result: PollRunResult;
}
type Command = PollerEnrol | PollerPrime | PollerRun | { cmd: 'stop' };

let port = 0;
const pollers: Poller[] = [];

async function enrol(j: PollerEnrol): Promise<PollerEnrolled> {
  const t0 = performance.now();
  port = j.port;
  const ids = await enrolSimAgents({
    port: j.port,
    apiKey: j.apiKey,
    count: j.count,
    concurrency: j.enrolConcurrency,
    namePrefix: `async-${process.pid}`,
    environment: { mode: 'async', pollIntervalSeconds: j.pollIntervalSeconds },
  });
  const takenAt = new Date().toISOString();
  for (const id of ids) {
    const host = `async-host-${id.agentId}`;
    const snapshot = simSnapshot(host, takenAt);
    pollers.push({
      id,
      host,
      nonce: null,
      snapshot,
      hash: snapshotHash(snapshot),
      running: [],
      changes: 0,
      needsFull: false,
    });
  }
  return { phase: 'enrolled', ms: performance.now() - t0 };
}

async function prime(j: PollerPrime): Promise<PollerPrimed> {
  const t0 = performance.now();
  const agent = new https.Agent({ keepAlive: true, maxSockets: j.concurrency, rejectUnauthorized: false });
  const challenge = { requestBytes: [] as number[], answerBytes: [] as number[] };
  const full = { requestBytes: [] as number[], answerBytes: [] as number[] };
  try {
    await pool(pollers.length, j.concurrency, async (i) => {
      const p = pollers[i] as Poller;
      const part: PollSnapshot = { type: 'snapshot', hash: p.hash, snapshot: p.snapshot };
      const first = await post(agent, port, pollBody(p, part, true));
      p.nonce = challengeNonce(first);
      if (!p.nonce)
        throw new Error(
          `agent ${p.id.agentId}: first poll: expected a challenge, got HTTP ${first.status}: ${first.text.slice(0, 300)}`,
        );
      challenge.requestBytes.push(first.requestBytes);
      challenge.answerBytes.push(first.answerBytes);
      const x = await post(agent, port, pollBody(p, part, true));
      const { answer, problem } = problemOf(x, 'stored');
      if (!answer || problem) throw new Error(`agent ${p.id.agentId}: full snapshot poll: ${problem}`);
      p.nonce = answer.nonce;
      full.requestBytes.push(x.requestBytes);
      full.answerBytes.push(x.answerBytes);
    });
  } finally {
    agent.destroy();
  }
  const means = (b: { requestBytes: number[]; answerBytes: number[] }) => ({
    requestBytes: mean(b.requestBytes),
    answerBytes: mean(b.answerBytes),
  });
  return { phase: 'primed', ms: performance.now() - t0, challenge: means(challenge), full: means(full) };
}

/**
 * The measured window: opens after `warmupMs`, closes after `durationMs` more (or at finish(), if
 * sooner), telling the driver at each edge; finish() returns this process's CPU µs inside it.
 */
function measuredWindow(warmupMs: number, durationMs: number): { finish(): number } {
  let cpuAtStart = process.cpuUsage();
  let cpuUs = 0;
  let phase: 'warmup' | 'measuring' | 'done' = 'warmup';
  const open = () => {
    if (phase !== 'warmup') return;
    phase = 'measuring';
    cpuAtStart = process.cpuUsage();
    process.send?.({ window: 'start' } satisfies PollerWindow);
  };
  const close = () => {
    if (phase === 'done') return;
    open();
    phase = 'done';
    const used = process.cpuUsage(cpuAtStart);
    cpuUs = used.user + used.system;
    process.send?.({ window: 'end' } satisfies PollerWindow);
  };
  const opened = setTimeout(open, warmupMs);
  const closed = setTimeout(close, warmupMs + durationMs);
  return {
    finish() {
      close();
      clearTimeout(opened);
      clearTimeout(closed);
      return cpuUs;
    },
  };
}

/** What the measured polls of a run add up to. */
interface Tally {
  latencies: number[];
  requestBytes: number;
  answerBytes: number;
  errors: number;
  challenges: number;
  firstProblem: string | null;
  lastDone: number;
}

/** The run's result from its tally; bytes and latencies are per measured poll. */
function summarize(j: PollerRun, t: Tally, measureFrom: number, clientCpuUs: number): PollRunResult {
  const n = t.latencies.length;
  const elapsedMs = Math.max(j.durationMs, t.lastDone - measureFrom);
  const sorted = [...t.latencies].sort((a, b) => a - b);
  return {
    kind: j.kind,
    polls: n,
    errors: t.errors,
    firstProblem: t.firstProblem,
    challenges: t.challenges,
    elapsedMs,
    pollsPerSecond: n / (elapsedMs / 1000),
    requestBytes: n ? t.requestBytes / n : Number.NaN,
    answerBytes: n ? t.answerBytes / n : Number.NaN,
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted[n - 1] ?? Number.NaN,
      mean: mean(sorted),
    },
    clientCpuPct: (clientCpuUs / 1000 / j.durationMs) * 100,
  };
}

/** One closed-loop phase: every connection polls for its next agent as soon as the last answer arrived. */
async function run(j: PollerRun): Promise<PollerRan> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: j.concurrency, rejectUnauthorized: false });
  const measureFrom = performance.now() + j.warmupMs;
  const stopAt = measureFrom + j.durationMs;
  const t: Tally = {
    latencies: [],
    requestBytes: 0,
    answerBytes: 0,
    errors: 0,
    challenges: 0,
    firstProblem: null,
    lastDone: measureFrom,
  };
  const window = measuredWindow(j.warmupMs, j.durationMs);
  // Each connection owns agents w, w + C, w + 2C, … and cycles through them: no agent ever has two
  // polls in flight (its nonces are single-use and its deltas build on each other).
  const workers = Math.min(j.concurrency, pollers.length);
  const worker = async (w: number) => {
    const mine = pollers.filter((_, k) => k % workers === w);
    for (let i = 0; ; i++) {
      const t0 = performance.now();
      if (t0 >= stopAt) return;
      const p = mine[i % mine.length] as Poller;
      const counted = t0 >= measureFrom;
      let done: { x: Exchange; problem: string | null };
      try {
        done = await pollOnce(agent, port, p, j.kind, () => {
          if (counted) t.challenges++;
        });
      } catch (err) {
        const x = { status: 0, text: '', ms: 0, requestBytes: 0, answerBytes: 0 };
        done = { x, problem: errorText(err) };
      }
      if (!counted) continue;
      t.lastDone = Math.max(t.lastDone, performance.now());
      t.latencies.push(done.x.ms);
      t.requestBytes += done.x.requestBytes;
      t.answerBytes += done.x.answerBytes;
      if (done.problem) {
        t.errors++;
        t.firstProblem ??= `agent ${p.id.agentId}: ${done.problem}`;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  const clientCpuUs = window.finish();
  agent.destroy();
  return { phase: 'ran', result: summarize(j, t, measureFrom, clientCpuUs) };
}

const reply = (msg: unknown, exit?: number) =>
  process.send?.(msg, () => (exit === undefined ? undefined : process.exit(exit)));

process.on('message', (msg: Command) => {
  const step = async () => {
    if (msg.cmd === 'enrol') reply(await enrol(msg));
    else if (msg.cmd === 'prime') reply(await prime(msg));
    else if (msg.cmd === 'run') reply(await run(msg));
    else reply({ phase: 'stopped' }, 0);
  };
  step().catch((err: unknown) => reply({ error: errorText(err) }, 1));
});
