// One HTTPS POST of a poll, with the tunnel's trust: the server CA or the pinned certificate, and the
// mTLS client certificate when enrolment gave one. node:https is loaded only when async mode starts,
// so a standard-mode agent never carries it; one keep-alive socket serves back-to-back polls.
import type { Agent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  AgentNonceSchema,
  CAPSTAN_VERSION,
  MAX_CONTROL_PAYLOAD,
  POLL_COMMAND_BATCH,
  PollAnswerSchema,
  ProblemSchema,
  type PollAnswer,
  type PollRequest,
} from '@capstan/protocol';
import * as z from 'zod/mini';
import { checkPin, tlsConnectOptions, type ServerTrust } from '../tls/server-tls.ts';

/** Time allowed for one poll from dialling to the end of the answer. */
export const POLL_TIMEOUT_MS = 30_000;
/** Largest answer read: a full batch of commands, each at most a control frame's size, and some slack. */
export const MAX_POLL_ANSWER_BYTES = POLL_COMMAND_BATCH * MAX_CONTROL_PAYLOAD + 1024 * 1024;

/** How one POST ended. */
export type PollOutcome =
  | { readonly kind: 'answer'; readonly answer: PollAnswer }
  /** 401 challenge_required: sign this nonce and send again. */
  | { readonly kind: 'challenge'; readonly nonce: string }
  /** The server refuses this agent (or the pin does not match): retrying soon cannot help. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** Anything else; `staleSocket` when a reused keep-alive socket broke before any answer (retry at once). */
  | { readonly kind: 'failed'; readonly reason: string; readonly staleSocket?: boolean };

const ChallengeDetailsSchema = z.object({ details: z.object({ nonce: AgentNonceSchema }) });

/** Reads an answer's status and JSON body (undefined when not JSON). Pure. */
export function classifyAnswer(status: number, body: unknown): PollOutcome {
  if (status === 200) {
    const parsed = PollAnswerSchema.safeParse(body);
    if (parsed.success) return { kind: 'answer', answer: parsed.data };
    const issue = parsed.error.issues[0];
    return { kind: 'failed', reason: `the poll answer is not understood (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'schema'})` };
  }
  const problem = ProblemSchema.safeParse(body);
  if (!problem.success) return { kind: 'failed', reason: `the server answered the poll with HTTP ${status}` };
  const { code, detail } = problem.data;
  if (status === 401 && code === 'challenge_required') {
    const challenge = ChallengeDetailsSchema.safeParse(body);
    if (challenge.success) return { kind: 'challenge', nonce: challenge.data.details.nonce };
    return { kind: 'failed', reason: 'the server asked for a challenge without a usable nonce' };
  }
  if (status === 401 || status === 403) return { kind: 'refused', reason: `${detail} (${code})` };
  return { kind: 'failed', reason: `HTTP ${status}: ${detail} (${code})` };
}

/** What a client needs. */
export interface PollClientOptions {
  /** https://…/api/agents/poll */
  readonly url: URL;
  readonly trust: ServerTrust;
  /** The pin from enrolment (checked when the chain is not verified). */
  readonly pinnedSha256: string | undefined;
  /** mTLS: the client certificate and its private key (PEM). */
  readonly clientCert?: { readonly cert: string; readonly key: string } | undefined;
  readonly timeoutMs?: number;
  readonly maxAnswerBytes?: number;
}

/** Posts polls over one keep-alive connection. */
export interface PollClient {
  /** Sends one poll; never rejects. An aborted signal ends it as failed. */
  post(body: PollRequest, signal: AbortSignal): Promise<PollOutcome>;
  /** Closes the pooled connection. */
  close(): void;
}

/** Loads node:https and builds a client. */
export async function createPollClient(options: PollClientOptions): Promise<PollClient> {
  const https = await import('node:https');
  // No TLS session cache: a resumed session presents no certificate, so the pin could not be checked
  // and every poll after an idle connection closed would be refused. Keep-alive still reuses sockets.
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, maxCachedSessions: 0, timeout: options.timeoutMs ?? POLL_TIMEOUT_MS });
  const verified = new WeakSet<Socket>();
  return {
    post: (body, signal) => post(https.request, agent, verified, options, body, signal),
    close: () => agent.destroy(),
  };
}

function post(request: typeof httpsRequest, agent: Agent, verified: WeakSet<Socket>, o: PollClientOptions, body: PollRequest, signal: AbortSignal): Promise<PollOutcome> {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  const timeoutMs = o.timeoutMs ?? POLL_TIMEOUT_MS;
  const maxBytes = o.maxAnswerBytes ?? MAX_POLL_ANSWER_BYTES;
  return new Promise((resolve) => {
    let settled = false;
    let answered = false;
    let pinProblem: string | undefined;
    const req = request(o.url, {
      method: 'POST',
      agent,
      ...tlsConnectOptions(o.trust),
      ...(o.clientCert ? { cert: o.clientCert.cert, key: o.clientCert.key } : {}),
      headers: {
        'content-type': 'application/json',
        'content-length': payload.length,
        accept: 'application/json',
        'user-agent': `capstan-agent/${CAPSTAN_VERSION}`,
      },
    });
    const done = (outcome: PollOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    // Settled first, then torn down without an error: nothing is left to throw where no one listens.
    const fail = (reason: string): void => {
      done({ kind: 'failed', reason });
      req.destroy();
    };
    const deadline = setTimeout(() => fail(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
    const onAbort = (): void => fail('the agent is stopping');
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    // The body (a signed nonce, results, engine state) leaves only once the server proved to be the pinned one.
    req.on('socket', (socket) => {
      if (verified.has(socket)) return void req.end(payload);
      socket.once('secureConnect', () => {
        pinProblem = checkPin(o.trust, o.pinnedSha256, socket as TLSSocket);
        if (pinProblem) return void req.destroy(new Error(pinProblem));
        verified.add(socket);
        req.end(payload);
      });
    });
    req.on('timeout', () => fail(`the connection was idle for ${timeoutMs / 1000} s`));
    req.on('error', (err) => {
      if (pinProblem) return done({ kind: 'refused', reason: pinProblem });
      done({ kind: 'failed', reason: err.message, ...(req.reusedSocket && !answered && !signal.aborted ? { staleSocket: true } : {}) });
    });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) fail(`the poll answer is larger than ${maxBytes} bytes`);
        else chunks.push(c);
      });
      res.on('error', (err) => done({ kind: 'failed', reason: `the poll answer broke off: ${err.message}` }));
      res.on('close', () => done({ kind: 'failed', reason: 'the poll answer broke off' }));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          json = undefined;
        }
        done(classifyAnswer(res.statusCode ?? 0, json));
      });
    });
  });
}
