// Async mode: instead of holding a tunnel, the agent polls. Each poll carries the reports waiting in
// the outbox and the engine state (full, delta or unchanged), and brings back the next commands, which
// go to the same CommandRunner the tunnel feeds. Polls come back to back while there is work, else
// after the server's jittered interval; the server's mode is followed after every answer.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  CAPSTAN_VERSION,
  PROTOCOL_VERSION,
  POLL_PATH,
  type AgentMode,
  type EngineInfo,
  type EngineSnapshot,
  type PollAnswer,
  type PollIntervals,
  type PollRequest,
} from '@capstan/protocol';
import type { AgentIdentity } from '../identity/identity-store.ts';
import { signAgentAuth } from '../identity/keys.ts';
import type { Logger } from '../log/logger.ts';
import type { ServerTrust } from '../tls/server-tls.ts';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from '../tunnel/backoff.ts';
import type { AgentLink, SessionApp } from '../tunnel/session.ts';
import { Outbox } from './outbox.ts';
import { createPollClient, type PollClient, type PollClientOptions, type PollOutcome } from './poll-client.ts';
import { PollSnapshots } from './snapshot-part.ts';
import { nextPoll, type NextPoll, type PollResult } from './timing.ts';

/** The command runner as the poller drives it (CommandRunner). */
export interface PollRunner extends SessionApp {
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  /** True while a command is queued or running. */
  busy(): boolean;
}

/** What the poll loop needs. */
export interface PollerOptions {
  /** The server base URL (the poll path is resolved against it). */
  readonly server: URL;
  readonly identity: AgentIdentity;
  readonly trust: ServerTrust;
  readonly log: Logger;
  readonly runner: PollRunner;
  /** Reports waiting for the server; outlives the loop (a switch to the tunnel and back keeps them). */
  readonly outbox: Outbox;
  /** Engine version facts for the first poll. */
  readonly engineInfo: () => Promise<EngineInfo | undefined>;
  readonly collect: () => Promise<EngineSnapshot>;
  /** Until the first answer names others. */
  readonly intervals: PollIntervals;
  /** Called after every answer with the mode and intervals it named; the loop ends after a `standard`. */
  readonly onAnswer?: (mode: AgentMode, intervals: PollIntervals) => void;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  /** Overrides for the HTTPS client (timeouts, size cap) — tests. */
  readonly client?: Partial<Pick<PollClientOptions, 'timeoutMs' | 'maxAnswerBytes'>>;
  readonly agentVersion?: string;
}

/** A running poll loop. */
export interface Poller {
  /** Stops polling (an answer in flight is abandoned); resolves once the loop ended. */
  stop(): Promise<void>;
  /** Resolves when the loop ended (stopped, or told to use the tunnel). */
  readonly done: Promise<void>;
}

/** https://…/api/agents/poll for a server base URL. */
export function pollUrl(server: URL): URL {
  return new URL(POLL_PATH.slice(1), server.href.endsWith('/') ? server.href : `${server.href}/`);
}

/** Starts polling at once. */
export function startPoller(options: PollerOptions): Poller {
  const abort = new AbortController();
  const done = new PollLoop(options, abort.signal).run();
  return {
    done,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

/** Resolves after ms, or at once when signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const finish = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, ms);
    signal.addEventListener('abort', finish, { once: true });
  });
}

/** `work`'s value, or undefined as soon as signal aborts (the work finishes unobserved). */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** One poll's outcome for the loop: the timing input, or the server wants the tunnel. */
type Polled = PollResult | { readonly kind: 'standard' };

class PollLoop {
  readonly #o: PollerOptions;
  readonly #signal: AbortSignal;
  readonly #snapshots: PollSnapshots;
  readonly #backoff: Backoff;
  readonly #random: () => number;
  readonly #key: KeyObject;
  #client: PollClient | undefined;
  #intervals: PollIntervals;
  /** The nonce the next poll signs (from the last answer or challenge); single use. */
  #nonce: string | undefined;
  #engine: EngineInfo | undefined;
  #answeredOnce = false;
  #failures = 0;

  constructor(options: PollerOptions, signal: AbortSignal) {
    this.#o = options;
    this.#signal = signal;
    this.#snapshots = new PollSnapshots(options.collect, options.log);
    this.#random = options.random ?? Math.random;
    this.#backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, this.#random);
    this.#key = createPrivateKey(options.identity.privateKeyPem);
    this.#intervals = options.intervals;
  }

  async run(): Promise<void> {
    const { runner, outbox, log } = this.#o;
    // Only what the server must learn goes in the outbox; progress is a tunnel luxury.
    const link: AgentLink = {
      send: (frame) => {
        if (frame.type !== 'command-accepted' && frame.type !== 'command-result') return false;
        outbox.add(frame);
        return true;
      },
    };
    runner.connected(link);
    log.info('async mode: polling the server', { url: pollUrl(this.#o.server).href, intervalMs: this.#intervals.pollIntervalMs });
    try {
      // An engine that hangs must not hold up stop(): engine reads give way to the abort.
      this.#engine = await unlessAborted(this.#o.engineInfo().catch(() => undefined), this.#signal);
      while (!this.#signal.aborted) {
        const polled = await this.#pollSafely();
        if (this.#signal.aborted || polled.kind === 'standard') break;
        const refusedMs = polled.kind === 'refused' ? this.#backoff.refused() : 0;
        await this.#wait(nextPoll(polled, this.#intervals, this.#random(), refusedMs));
      }
    } finally {
      runner.disconnected();
      this.#client?.close();
    }
  }

  async #wait(next: NextPoll): Promise<void> {
    if (next.kind === 'now') return;
    if (next.kind === 'wait') return pause(next.ms, this.#signal);
    const cap = new AbortController();
    const onAbort = (): void => cap.abort();
    this.#signal.addEventListener('abort', onAbort, { once: true });
    await Promise.race([this.#o.runner.idle(), pause(next.capMs, cap.signal)]);
    this.#signal.removeEventListener('abort', onAbort);
    cap.abort();
  }

  /** One poll; an unexpected error counts as a failed poll. */
  async #pollSafely(): Promise<Polled> {
    try {
      return await this.#poll();
    } catch (err) {
      this.#o.log.error('poll failed unexpectedly', { error: (err as Error).message });
      return { kind: 'failed' };
    }
  }

  async #poll(): Promise<Polled> {
    const { outbox, log } = this.#o;
    const snapshot = await unlessAborted(this.#snapshots.prepare(), this.#signal);
    if (this.#signal.aborted) return { kind: 'failed' };
    const batch = outbox.take();
    const base: PollRequest = {
      agentId: this.#o.identity.agentId,
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: this.#o.agentVersion ?? CAPSTAN_VERSION,
      lastCompletedSeq: outbox.lastCompletedSeq,
      heldUpTo: outbox.heldUpTo(!this.#o.runner.busy()),
      accepted: [...batch.accepted],
      results: [...batch.results],
      ...(snapshot ? { snapshot: snapshot.part } : {}),
      ...(this.#engine && !this.#answeredOnce ? { engine: this.#engine } : {}),
    };
    const outcome = await this.#send(base);
    if (this.#signal.aborted) return { kind: 'failed' };
    if (outcome.kind !== 'answer') return this.#failed(outcome);
    const answer = outcome.answer;
    outbox.confirm(batch);
    this.#snapshots.acknowledge(snapshot, answer.snapshot);
    this.#accept(answer);
    if (answer.mode === 'standard') {
      log.info('the server switched this environment to standard mode: opening the tunnel');
      return { kind: 'standard' };
    }
    // Reports left over (too many for one poll, or produced while it was in flight) go at once.
    const reportsLeft = outbox.size > 0;
    for (const command of answer.commands) {
      outbox.delivered(command.seq);
      this.#o.runner.frame(command);
    }
    if (answer.commands.length > 0) log.debug('poll brought commands', { count: answer.commands.length, more: answer.more });
    return { kind: 'answered', commands: answer.commands.length, more: answer.more, reportsLeft };
  }

  /** POSTs the poll, signing the nonce held; answers a challenge (and a stale keep-alive socket) once. */
  async #send(base: PollRequest): Promise<PollOutcome> {
    this.#client ??= await createPollClient({
      url: pollUrl(this.#o.server),
      trust: this.#o.trust,
      pinnedSha256: this.#o.identity.serverCertSha256,
      clientCert: this.#o.identity.clientCertPem ? { cert: this.#o.identity.clientCertPem, key: this.#o.identity.privateKeyPem } : undefined,
      ...this.#o.client,
    });
    let challenged = false;
    let staleRetried = false;
    for (;;) {
      const nonce = this.#nonce;
      this.#nonce = undefined;
      // Without a nonce the server can only answer a challenge: ask for it without the reports and state.
      const body: PollRequest = nonce
        ? { ...base, nonce, signature: signAgentAuth(this.#key, 'poll', base.agentId, nonce) }
        : { agentId: base.agentId, protocolVersion: base.protocolVersion, agentVersion: base.agentVersion, lastCompletedSeq: base.lastCompletedSeq, accepted: [], results: [] };
      const outcome = await this.#client.post(body, this.#signal);
      if (outcome.kind === 'answer' && !nonce) return { kind: 'failed', reason: 'the server answered a poll that was not signed' };
      if (outcome.kind === 'challenge') {
        this.#nonce = outcome.nonce;
        if (challenged) return { kind: 'failed', reason: 'the server asked for a new challenge twice in a row' };
        challenged = true;
        continue;
      }
      if (outcome.kind === 'failed' && outcome.staleSocket && !staleRetried) {
        // The server closed an idle keep-alive socket as we wrote: nothing was answered, dial again.
        staleRetried = true;
        this.#nonce = nonce;
        continue;
      }
      return outcome;
    }
  }

  /** Takes in what every answer carries: the next nonce, the intervals, the mode. */
  #accept(answer: PollAnswer): void {
    this.#nonce = answer.nonce;
    this.#intervals = answer.intervals;
    if (!this.#answeredOnce || this.#failures > 0) this.#o.log.info('poll answered', { mode: answer.mode, intervalMs: answer.intervals.pollIntervalMs });
    this.#answeredOnce = true;
    this.#failures = 0;
    this.#backoff.reset();
    this.#o.onAnswer?.(answer.mode, answer.intervals);
  }

  #failed(outcome: Exclude<PollOutcome, { kind: 'answer' }>): PollResult {
    this.#failures++;
    if (outcome.kind === 'refused') {
      this.#o.log.error(`the server refuses this agent's polls (revoked or rotated?): ${outcome.reason}; retrying slowly`);
      return { kind: 'refused' };
    }
    const reason = outcome.kind === 'challenge' ? 'challenge without an answer' : outcome.reason;
    this.#o.log.warn(`poll failed: ${reason}; retrying after the poll interval`, { failures: this.#failures });
    return { kind: 'failed' };
  }
}
