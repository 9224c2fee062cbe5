// One simulated async agent's side of the poll protocol (for sim-pollers.ts): the signed request,
// the 401 challenge, the answer's checks, and the engine changes a delta phase reports.
import { sign } from 'node:crypto';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import {
  PROTOCOL_VERSION,
  POLL_PATH,
  PollAnswerSchema,
  agentAuthSigningInput,
  diffSnapshots,
  type EngineSnapshot,
  type PollAnswer,
  type PollRequest,
  type PollSnapshot,
  type PollSnapshotOutcome,
} from '@capstan/protocol';
import type { SimIdentity } from './sim-enrol.ts';
import { SIM_CONTAINERS, simSnapshot, snapshotHash } from './sim-snapshot.ts';

/** What a measured phase sends: only the hash, or a one-container delta every poll. */
export type PollKind = 'unchanged' | 'deltas';

/** One simulated async agent: its identity, the nonce it holds, and the engine state the server holds. */
export interface Poller {
  id: SimIdentity;
  host: string;
  nonce: string | null;
  /** The snapshot the server holds for this agent (as far as the agent knows), and its hash. */
  snapshot: EngineSnapshot;
  hash: string;
  running: boolean[];
  changes: number;
  needsFull: boolean;
}

/** One HTTP exchange: status, the body's text, and the body sizes on the wire. */
export interface Exchange {
  status: number;
  text: string;
  ms: number;
  requestBytes: number;
  answerBytes: number;
}

/** POSTs one poll body to the server at 127.0.0.1:`port`; rejects on transport errors only. */
export function post(agent: https.Agent, port: number, body: string): Promise<Exchange> {
  const requestBytes = Buffer.byteLength(body);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: POLL_PATH,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': requestBytes },
      },
      (res) => {
        const parts: Buffer[] = [];
        let answerBytes = 0;
        res.on('data', (c: Buffer) => {
          parts.push(c);
          answerBytes += c.length;
        });
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(parts).toString('utf8'),
            ms: performance.now() - t0,
            requestBytes,
            answerBytes,
          }),
        );
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('poll: no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The poll body for `p` carrying `part`, signed with the nonce it holds (none on a first poll). */
export function pollBody(p: Poller, part: PollSnapshot, withEngine: boolean): string {
  const nonce = p.nonce;
  const request: PollRequest = {
    agentId: p.id.agentId,
    protocolVersion: PROTOCOL_VERSION,
    agentVersion: '0.0.0-sim',
    lastCompletedSeq: 0,
    accepted: [],
    results: [],
    snapshot: part,
    ...(withEngine ? { engine: { version: '27.3.1', apiVersion: '1.47', os: 'linux', arch: 'x86_64' } } : {}),
  };
  if (nonce) {
    const input = Buffer.from(agentAuthSigningInput('poll', p.id.agentId, nonce), 'utf8');
    request.nonce = nonce;
    request.signature = sign(null, input, p.id.privateKey).toString('base64url');
  }
  return JSON.stringify(request);
}

/** The nonce of a 401 challenge_required answer, or null when the answer is anything else. */
export function challengeNonce(x: Exchange): string | null {
  if (x.status !== 401) return null;
  try {
    const problem = JSON.parse(x.text) as { code?: unknown; details?: { nonce?: unknown } };
    const nonce = problem.details?.nonce;
    return problem.code === 'challenge_required' && typeof nonce === 'string' ? nonce : null;
  } catch {
    return null;
  }
}

/** What went wrong with an answer that should have been `want`, or null when it is right. */
export function problemOf(
  x: Exchange,
  want: PollSnapshotOutcome,
): { answer: PollAnswer | null; problem: string | null } {
  if (x.status !== 200) return { answer: null, problem: `HTTP ${x.status}: ${x.text.slice(0, 300)}` };
  const parsed = PollAnswerSchema.safeParse(JSON.parse(x.text));
  if (!parsed.success) return { answer: null, problem: `not a PollAnswer: ${x.text.slice(0, 300)}` };
  const a = parsed.data;
  const bad =
    a.snapshot !== want
      ? `snapshot ${a.snapshot}, expected ${want}`
      : a.mode !== 'async'
        ? `mode ${a.mode}`
        : a.commands.length > 0 || a.more
          ? `${a.commands.length} commands`
          : null;
  return { answer: a, problem: bad };
}

/** The next state of `p`'s engine: one container stops or starts (compose counts follow), time moves on. */
function nextSnapshot(p: Poller): { snapshot: EngineSnapshot; running: boolean[] } {
  const running = [...p.running];
  const i = p.changes % SIM_CONTAINERS;
  running[i] = !(running[i] ?? true);
  return { snapshot: simSnapshot(p.host, new Date().toISOString(), running), running };
}

/**
 * Polls once for `p` in phase `kind` (answering a lost-nonce challenge first); the exchange and its
 * verdict. After a `full-required` answer (an error) the agent's next poll sends its full snapshot.
 */
export async function pollOnce(
  agent: https.Agent,
  port: number,
  p: Poller,
  kind: PollKind,
  onChallenge: () => void,
): Promise<{ x: Exchange; problem: string | null }> {
  const full = p.needsFull;
  const next = !full && kind === 'deltas' ? nextSnapshot(p) : null;
  const nextHash = next ? snapshotHash(next.snapshot) : p.hash;
  const part: PollSnapshot = full
    ? { type: 'snapshot', hash: p.hash, snapshot: p.snapshot }
    : next
      ? {
          type: 'snapshot-delta',
          baseHash: p.hash,
          hash: nextHash,
          delta: diffSnapshots(p.snapshot, next.snapshot),
        }
      : { type: 'snapshot-unchanged', hash: p.hash };
  for (let attempt = 0; ; attempt++) {
    const x = await post(agent, port, pollBody(p, part, false));
    const nonce = challengeNonce(x);
    if (nonce && attempt === 0) {
      p.nonce = nonce;
      onChallenge();
      continue;
    }
    const { answer, problem } = problemOf(x, full || next ? 'stored' : 'unchanged');
    if (answer) p.nonce = answer.nonce;
    if (answer?.snapshot === 'full-required') p.needsFull = true;
    if (answer?.snapshot === 'stored') {
      p.needsFull = false;
      if (next) {
        p.snapshot = next.snapshot;
        p.hash = nextHash;
        p.running = next.running;
        p.changes++;
      }
    }
    return { x, problem };
  }
}
