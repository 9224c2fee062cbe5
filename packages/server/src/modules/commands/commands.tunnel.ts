// The command log over the agent tunnel: pushes commands to a live agent in seq order (all
// unfinished ones again on every connect) and hands the agent's answers to the service.
import { CAPABILITY_COMMANDS, type AgentAppFrame } from '@capstan/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { AppLink, TunnelApp } from '../tunnel/tunnel-apps.ts';
import type { CommandsService } from './commands.service.ts';

const BATCH = 100;

interface Delivery {
  link: AppLink;
  /** Highest seq pushed on this connection: each connection gets every unfinished command once, in order. */
  pushedUpTo: number;
  /** A push is waiting in the chain already: another request for one adds nothing. */
  pumpQueued: boolean;
}

/**
 * Per environment, all work (pushing, recording answers) runs on one promise chain, so frames
 * leave in seq order, a command queued during a connect is pushed exactly once per connection,
 * and an acceptance is recorded before the result that follows it.
 */
export class CommandsTunnel implements TunnelApp {
  readonly #service: CommandsService;
  readonly #log: FastifyBaseLogger;
  readonly #deliveries = new Map<number, Delivery>();
  readonly #chains = new Map<number, Promise<void>>();

  constructor(service: CommandsService, log: FastifyBaseLogger) {
    this.#service = service;
    this.#log = log;
    service.onQueued((environmentId) => this.#schedulePump(environmentId));
  }

  connected(link: AppLink): void {
    if (!link.has(CAPABILITY_COMMANDS)) {
      this.#deliveries.delete(link.environmentId);
      return;
    }
    this.#deliveries.set(link.environmentId, { link, pushedUpTo: 0, pumpQueued: false });
    this.#schedulePump(link.environmentId);
  }

  disconnected(environmentId: number): void {
    this.#deliveries.delete(environmentId);
  }

  frame(link: AppLink, frame: AgentAppFrame): void {
    if (frame.type !== 'command-accepted' && frame.type !== 'command-result') return;
    const environmentId = link.environmentId;
    this.#chain(environmentId, async () => {
      const outcome = frame.type === 'command-accepted' ? await this.#service.accepted(environmentId, frame) : await this.#service.result(environmentId, frame);
      if (outcome === 'unknown') {
        this.#log.warn({ environmentId, commandId: frame.id, seq: frame.seq, frame: frame.type }, 'agent answered a command this environment does not have');
      }
    });
  }

  /** Waits until every scheduled push and answer of every environment is done (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#chains.size > 0) await Promise.all([...this.#chains.values()]);
  }

  #schedulePump(environmentId: number): void {
    const d = this.#deliveries.get(environmentId);
    if (!d || d.pumpQueued) return;
    d.pumpQueued = true;
    this.#chain(environmentId, async () => {
      d.pumpQueued = false;
      await this.#pump(environmentId, d);
    });
  }

  async #pump(environmentId: number, d: Delivery): Promise<void> {
    for (;;) {
      if (this.#deliveries.get(environmentId) !== d) return; // that connection is gone
      const batch = await this.#service.deliverable(environmentId, d.pushedUpTo, BATCH);
      if (batch.length === 0) return;
      for (const row of batch) {
        if (this.#deliveries.get(environmentId) !== d) return;
        const sent = await this.#service.markSent(environmentId, row.id, { connection: d.link.connection });
        d.pushedUpTo = Number(row.seq);
        if (!sent) continue; // finished meanwhile (cancelled, result arrived)
        if (!d.link.send(this.#service.frame(sent))) return; // connection closing: the next connect re-pushes
      }
    }
  }

  #chain(environmentId: number, work: () => Promise<void>): void {
    const previous = this.#chains.get(environmentId) ?? Promise.resolve();
    const next = previous.then(work).catch((err: unknown) => this.#log.error({ err, environmentId }, 'command log work failed'));
    this.#chains.set(environmentId, next);
    void next.then(() => {
      if (this.#chains.get(environmentId) === next) this.#chains.delete(environmentId);
    });
  }
}
