// Async mode's transport: an agent's poll reports what happened (acceptances, results, engine
// state) and is answered with the next commands. Per environment one poll is handled at a time, so
// reports land in order and a batch of commands is marked sent once.
import {
  POLL_COMMAND_BATCH,
  POLL_INTERVAL_SECONDS,
  pollIntervals,
  type CommandFrame,
  type PollAnswer,
  type PollRequest,
  type PollSnapshot,
  type PollSnapshotOutcome,
} from '@capstan/protocol';
import { AppError, notFound } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import type { AgentsService } from '../agents/agents.service.ts';
import type { CommandsService } from '../commands/commands.service.ts';
import type { SnapshotsService } from '../snapshots/snapshots.service.ts';
import type { PollChallenges } from './polls.challenges.ts';
import type { PollContacts } from './polls.contacts.ts';
import { nextPollDue, nonceLifetimeMs, pollGraceMs } from './polls.policy.ts';
import type { PollEnvironment, PollsRepository } from './polls.repository.ts';

interface Log {
  warn(obj: object, msg: string): void;
}

/** The authenticated agent a poll came from. */
interface PollingAgent {
  agentId: number;
  environmentId: number;
  publicKey: string;
}

export interface PollsServiceDeps {
  repo: PollsRepository;
  agents: Pick<AgentsService, 'verifySignature'>;
  commands: Pick<CommandsService, 'accepted' | 'result' | 'deliverable' | 'markSent' | 'frame'>;
  snapshots: Pick<SnapshotsService, 'receive' | 'holds'>;
  challenges: PollChallenges;
  contacts: PollContacts;
  /** The environment's mode and interval from memory; null: read the database. */
  environment?: (environmentId: number) => PollEnvironment | null;
  /** --require-agent-mtls: the poll must come with the client certificate of that agent. */
  requireMtls: boolean;
  log: Log;
  now?: () => number;
}

/** Answers agents' polls (POST /api/agents/poll). */
export class PollsService {
  readonly #d: PollsServiceDeps;
  readonly #now: () => number;
  readonly #chains = new Map<number, Promise<void>>();

  constructor(deps: PollsServiceDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  /**
   * Authenticates the poll (single-use nonce, Ed25519 signature, optional mTLS), applies its
   * reports and answers the next commands. Throws challenge_required (with a fresh nonce),
   * challenge_failed or agent_revoked.
   */
  async poll(ctx: RequestContext, req: PollRequest, clientCertSpki: string | null): Promise<PollAnswer> {
    if (ctx.audit) {
      ctx.audit.actorOverride = { id: null, name: 'agent' };
      ctx.audit.targetType = 'agent';
      ctx.audit.targetId = String(req.agentId);
      ctx.audit.details = { agentVersion: req.agentVersion };
    }
    const agent = await this.#authenticate(req, clientCertSpki);
    if (ctx.audit) ctx.audit.details = { ...ctx.audit.details, environmentId: agent.environmentId };
    const answer = await this.#serial(agent.environmentId, () => this.#handle(agent, req));
    // An answered poll is transport, like a tunnel frame: not audited one by one (refusals are).
    ctx.audit = null;
    return answer;
  }

  /** Waits until every poll being handled is answered (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#chains.size > 0) await Promise.all([...this.#chains.values()]);
  }

  async #authenticate(req: PollRequest, clientCertSpki: string | null): Promise<PollingAgent> {
    if (req.nonce === undefined || req.signature === undefined) throw this.#challenge(req.agentId, 'the poll carries no signed nonce');
    if (!this.#d.challenges.consume(req.agentId, req.nonce)) throw this.#challenge(req.agentId, 'the nonce is unknown, expired or used already');
    const agent = await this.#d.agents.verifySignature(req.agentId, req.nonce, req.signature, 'poll');
    // mTLS holds only when the verified client certificate certifies this very agent's key.
    if (this.#d.requireMtls && clientCertSpki !== agent.publicKey) {
      throw new AppError(
        'challenge_failed',
        clientCertSpki === null
          ? 'this server requires agent mTLS and the poll carried no valid client certificate: enrol again with a new join token to get one'
          : 'the client certificate does not belong to this agent: enrol again with a new join token',
      );
    }
    return agent;
  }

  #challenge(agentId: number, why: string): AppError {
    // The agent signs it at once; the default interval's lifetime is plenty.
    const c = this.#d.challenges.issue(agentId, nonceLifetimeMs(pollIntervals(POLL_INTERVAL_SECONDS.default)));
    return new AppError('challenge_required', `${why}: sign details.nonce for purpose "poll" and send the poll again`, {
      nonce: c.nonce,
      serverTime: c.serverTime,
    });
  }

  /** Runs `work` after the environment's polls before it; its outcome is the caller's alone. */
  #serial<T>(environmentId: number, work: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(environmentId) ?? Promise.resolve();
    const run = previous.then(work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#chains.set(environmentId, tail);
    void tail.then(() => {
      if (this.#chains.get(environmentId) === tail) this.#chains.delete(environmentId);
    });
    return run;
  }

  async #handle(agent: PollingAgent, req: PollRequest): Promise<PollAnswer> {
    const environmentId = agent.environmentId;
    const env = this.#d.environment?.(environmentId) ?? (await this.#d.repo.environment(environmentId));
    if (!env) throw notFound('environment', environmentId);
    await this.#applyReports(environmentId, req);
    const snapshot = await this.#snapshot(environmentId, req.snapshot);
    const intervals = pollIntervals(env.pollIntervalSeconds);
    const now = this.#now();
    const nextPollAt = nextPollDue(now, intervals);
    this.#d.contacts.record(
      {
        environmentId,
        agentId: agent.agentId,
        at: new Date(now).toISOString(),
        nextPollAt: new Date(nextPollAt).toISOString(),
        agentVersion: req.agentVersion,
        engineVersion: req.engine?.version ?? (req.snapshot?.type === 'snapshot' ? req.snapshot.snapshot.engine.version : undefined),
        async: env.mode === 'async',
      },
      env.mode === 'async' ? nextPollAt + pollGraceMs(intervals) : undefined,
    );
    // A standard environment's commands go over the tunnel the answer sends the agent back to.
    const { commands, more } = env.mode === 'async' ? await this.#deliver(environmentId, req.heldUpTo ?? 0) : { commands: [], more: false };
    const next = this.#d.challenges.issue(agent.agentId, nonceLifetimeMs(intervals));
    return { serverTime: next.serverTime, nonce: next.nonce, mode: env.mode, intervals, snapshot, commands, more };
  }

  /** Acceptances, then results, each in seq order; repeats change nothing (the service is idempotent). */
  async #applyReports(environmentId: number, req: PollRequest): Promise<void> {
    const bySeq = <T extends { seq: number }>(list: readonly T[]): T[] => [...list].sort((a, b) => a.seq - b.seq);
    for (const frame of bySeq(req.accepted)) {
      if ((await this.#d.commands.accepted(environmentId, frame)) === 'unknown') this.#unknown(environmentId, frame, 'command-accepted');
    }
    for (const frame of bySeq(req.results)) {
      if ((await this.#d.commands.result(environmentId, frame)) === 'unknown') this.#unknown(environmentId, frame, 'command-result');
    }
  }

  #unknown(environmentId: number, frame: { id: string; seq: number }, type: string): void {
    this.#d.log.warn({ environmentId, commandId: frame.id, seq: frame.seq, frame: type }, 'agent poll reported a command this environment does not have');
  }

  /** What became of the poll's engine state: any mismatch answers `full-required`. */
  async #snapshot(environmentId: number, part: PollSnapshot | undefined): Promise<PollSnapshotOutcome> {
    if (!part) return 'none';
    if (part.type === 'snapshot-unchanged') return (await this.#d.snapshots.holds(environmentId, part.hash)) ? 'unchanged' : 'full-required';
    let asked = false;
    const outcome = await this.#d.snapshots.receive(
      {
        environmentId,
        askEveryTime: true,
        send: (frame) => {
          if (frame.type === 'snapshot-request') asked = true;
          return true;
        },
      },
      part,
    );
    return outcome.result === 'stored' && !asked ? 'stored' : 'full-required';
  }

  /** The next unfinished commands after what the agent holds, in seq order, each marked sent; `more` when others wait behind them. */
  async #deliver(environmentId: number, heldUpTo: number): Promise<{ commands: CommandFrame[]; more: boolean }> {
    const rows = await this.#d.commands.deliverable(environmentId, heldUpTo, POLL_COMMAND_BATCH + 1);
    const commands: CommandFrame[] = [];
    for (const row of rows.slice(0, POLL_COMMAND_BATCH)) {
      const sent = await this.#d.commands.markSent(environmentId, row.id, { transport: 'poll' });
      if (sent) commands.push(this.#d.commands.frame(sent)); // else it finished meanwhile
    }
    return { commands, more: rows.length > POLL_COMMAND_BATCH };
  }
}
