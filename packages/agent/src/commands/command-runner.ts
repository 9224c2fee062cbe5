// Runs the commands the server pushes: one at a time, in seq order, each id at most once (the
// journal remembers across crashes), reporting acceptance and results over whatever link is live.
import { CAPABILITY_COMMANDS, type AgentAppFrame, type CommandFrame, type CommandProgressEvent, type ServerAppFrame } from '@capstan/protocol';
import type { CommandJournal } from '../journal/journal.ts';
import type { Logger } from '../log/logger.ts';
import type { AgentLink, SessionApp } from '../tunnel/session.ts';
import { decide, expiredFrame, interruptedResult, storedResultFrame, type ExecutionOutcome, type StoredResult } from './decide.ts';

/** What an executor may use while a command runs. */
export interface ExecutionContext {
  /** Reports progress to the server if connected (best effort: never journalled, dropped while offline). */
  readonly progress: (event: CommandProgressEvent) => void;
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

  /** Takes no more commands, waits a while for the one in progress, closes the journal. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#queue.length = 0;
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
      case 'interrupted': {
        log.warn('command was running when the agent stopped: reporting it failed, not running it again', { id: command.id, seq: command.seq });
        const { status, stored } = interruptedResult(this.#now());
        journal.complete(command.id, status, stored);
        this.#send(storedResultFrame(command, status, stored, this.#now()));
        return;
      }
      case 'expired':
        this.#send(expiredFrame(command, this.#now()));
        return;
      case 'run':
        break;
    }
    if (!journal.accept({ id: command.id, seq: command.seq, kind: command.kind })) return; // cannot happen: the id was unknown
    this.#send({ type: 'command-accepted', id: command.id, seq: command.seq });
    const startedAt = this.#now().toISOString();
    let outcome: ExecutionOutcome;
    try {
      const progress = (event: CommandProgressEvent): void => {
        this.#link?.send({ type: 'command-progress', id: command.id, seq: command.seq, at: this.#now().toISOString(), event });
      };
      outcome = await this.#o.execute(command, { progress });
    } catch (err) {
      outcome = { status: 'failed', error: { code: 'agent_error', message: `the agent failed running the command: ${(err as Error).message}`.slice(0, 4096) } };
    }
    const stored: StoredResult = {
      ...(outcome.output !== undefined ? { output: outcome.output } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
      startedAt,
      finishedAt: this.#now().toISOString(),
    };
    journal.complete(command.id, outcome.status, stored);
    log.info('command finished', { id: command.id, seq: command.seq, kind: command.kind, status: outcome.status });
    this.#send(storedResultFrame(command, outcome.status, stored, this.#now()));
  }

  #send(frame: AgentAppFrame): void {
    if (!this.#link?.send(frame)) this.#o.log.debug('not connected: the server will push the command again', { frame: frame.type });
  }
}
