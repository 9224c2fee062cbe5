// Runs the commands the server pushes: one at a time, in seq order, each id's effect once (the
// journal remembers across crashes; an interrupted command is recovered, not repeated), retrying
// attempts that failed for the engine's or the network's sake, reporting over whatever link is live.
import { CAPABILITY_COMMANDS, type AgentAppFrame, type CommandFrame, type CommandProgressEvent, type ServerAppFrame } from '@capstan/protocol';
import type { CommandJournal } from '../journal/journal.ts';
import type { Logger } from '../log/logger.ts';
import type { AgentLink, SessionApp } from '../tunnel/session.ts';
import { decide, expiredFrame, storedResultFrame, type ExecutionOutcome, type StoredResult } from './decide.ts';
import { retryDecision, retryPolicyOf } from './retry.ts';

/** What an executor may use while a command runs. */
export interface ExecutionContext {
  /** Reports progress to the server if connected (best effort: never journalled, dropped while offline). */
  readonly progress: (event: CommandProgressEvent) => void;
  /** Journals (fsynced) what recovery needs before a step whose effect it must be able to detect; throws on I/O failure. */
  readonly checkpoint: (data: unknown) => void;
  /**
   * Set when an earlier attempt may have caused part of the effect (the agent died mid-run, or a
   * retried attempt failed part-way): the executor must check the engine and finish or report,
   * never repeat the effect. `checkpoint`: the last one journalled (undefined: none).
   */
  readonly recovery: { readonly checkpoint: unknown } | null;
  /** 1-based attempt number. */
  readonly attempt: number;
  /** Aborted when the runner stops: long waits give up (by throwing), leaving the command to recovery. */
  readonly signal: AbortSignal;
}

/** What the runner needs. */
export interface CommandRunnerOptions {
  readonly journal: CommandJournal;
  /** Runs one command (validation included); never rejects for a bad command. */
  readonly execute: (command: CommandFrame, context: ExecutionContext) => Promise<ExecutionOutcome>;
  readonly log: Logger;
  readonly now?: () => Date;
  /** How long stop() waits for the command in progress (default 10 s). */
  readonly stopGraceMs?: number;
}

/**
 * A SessionApp for `commands.v1`. Pushed commands wait in a queue sorted by seq; a repeated push
 * of an id already queued or running is dropped (its result goes out when it finishes). Results
 * that cannot be sent are not retried here: the server pushes the command again after a reconnect
 * and the journal answers it without running it.
 */
export class CommandRunner implements SessionApp {
  readonly capabilities = [CAPABILITY_COMMANDS] as const;
  readonly #o: CommandRunnerOptions;
  readonly #now: () => Date;
  readonly #queue: CommandFrame[] = [];
  /** Ids queued or running in this process. */
  readonly #active = new Set<string>();
  #link: AgentLink | null = null;
  #draining: Promise<void> | null = null;
  #stopping = false;
  readonly #abort = new AbortController();

  constructor(options: CommandRunnerOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  connected(link: AgentLink): void {
    this.#link = link;
  }

  disconnected(): void {
    this.#link = null;
  }

  frame(frame: ServerAppFrame): void {
    if (frame.type !== 'command' || this.#stopping) return;
    if (this.#active.has(frame.id)) return;
    this.#active.add(frame.id);
    const at = this.#queue.findIndex((c) => c.seq > frame.seq);
    this.#queue.splice(at === -1 ? this.#queue.length : at, 0, frame);
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = null;
    });
  }

  /** Resolves when nothing is queued or running (tests). */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Whether a command is queued or running now. */
  busy(): boolean {
    return this.#draining !== null;
  }

  /** Takes no more commands, cancels retry waits, waits a while for the one in progress, closes the journal. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#queue.length = 0;
    this.#abort.abort();
    if (this.#draining) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#draining, new Promise((r) => (timer = setTimeout(r, this.#o.stopGraceMs ?? 10_000)))]);
      clearTimeout(timer);
    }
    this.#o.journal.close();
  }

  async #drain(): Promise<void> {
    for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
      try {
        await this.#handle(next);
      } catch (err) {
        // Journal I/O failed: nothing is reported, so the server pushes it again later.
        this.#o.log.error('command could not be handled', { id: next.id, seq: next.seq, error: (err as Error).message });
      } finally {
        this.#active.delete(next.id);
      }
      if (this.#stopping) return;
    }
  }

  async #handle(command: CommandFrame): Promise<void> {
    const { journal, log } = this.#o;
    const decision = decide(journal.state(command.id), command, this.#now());
    switch (decision.action) {
      case 'resend':
        log.debug('command already done: reporting its result again', { id: command.id, seq: command.seq });
        this.#send(decision.frame);
        return;
      case 'expired':
        this.#send(expiredFrame(command, this.#now()));
        return;
      case 'recover':
        log.warn('command was running when the agent stopped: recovering it (its effect is checked on the engine, never repeated)', { id: command.id, seq: command.seq, kind: command.kind });
        break;
      case 'run':
        if (!journal.accept({ id: command.id, seq: command.seq, kind: command.kind })) return; // cannot happen: the id was unknown
        break;
    }
    const recovered = decision.action === 'recover';
    this.#send({ type: 'command-accepted', id: command.id, seq: command.seq });
    const startedAt = this.#now().toISOString();
    const ran = await this.#attempts(command, recovered);
    if (ran === null) return; // stopping: the command stays accepted and is recovered at the next start
    const stored: StoredResult = {
      ...(ran.outcome.output !== undefined ? { output: ran.outcome.output } : {}),
      ...(ran.outcome.error ? { error: ran.outcome.error } : {}),
      startedAt,
      finishedAt: this.#now().toISOString(),
      attempts: ran.attempts,
      ...(recovered ? { recovered: true } : {}),
    };
    journal.complete(command.id, ran.outcome.status, stored);
    log.info('command finished', { id: command.id, seq: command.seq, kind: command.kind, status: ran.outcome.status, attempts: ran.attempts, ...(recovered ? { recovered } : {}) });
    this.#send(storedResultFrame(command, ran.outcome.status, stored, this.#now()));
  }

  /** Runs attempts per the command's retry policy; null when the runner stopped meanwhile. */
  async #attempts(command: CommandFrame, recovering: boolean): Promise<{ outcome: ExecutionOutcome; attempts: number } | null> {
    const { journal, log } = this.#o;
    const policy = retryPolicyOf(command);
    const signal = this.#abort.signal;
    for (let attempt = 1; ; attempt++) {
      // A later attempt may follow one that got part-way: it recovers as after a crash.
      const state = journal.state(command.id);
      const recovery = recovering || attempt > 1 ? { checkpoint: state.state === 'accepted' ? state.checkpoint : undefined } : null;
      const context: ExecutionContext = {
        progress: (event) => this.#link?.send({ type: 'command-progress', id: command.id, seq: command.seq, at: this.#now().toISOString(), event }),
        checkpoint: (data) => journal.checkpoint(command.id, data),
        recovery,
        attempt,
        signal,
      };
      let outcome: ExecutionOutcome;
      try {
        outcome = await this.#o.execute(command, context);
      } catch (err) {
        if (signal.aborted) return null;
        outcome = { status: 'failed', error: { code: 'agent_error', message: `the agent failed running the command: ${(err as Error).message}`.slice(0, 4096) } };
      }
      const next = retryDecision(outcome, attempt, policy);
      if (!next.retry) return { outcome, attempts: attempt };
      log.warn('command attempt failed; trying again', { id: command.id, seq: command.seq, attempt, of: policy.attempts, inMs: next.delayMs, error: outcome.error?.code });
      if (!(await this.#pause(next.delayMs))) return null;
    }
  }

  /** Waits `ms` unless the runner stops first; false when it stopped. */
  #pause(ms: number): Promise<boolean> {
    const signal = this.#abort.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      signal.addEventListener('abort', onAbort);
    });
  }

  #send(frame: AgentAppFrame): void {
    if (!this.#link?.send(frame)) this.#o.log.debug('not connected: the server will push the command again', { frame: frame.type });
  }
}
