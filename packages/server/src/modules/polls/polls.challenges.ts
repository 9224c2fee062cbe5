// Single-use poll nonces, per agent, in memory. A lost nonce (server restart, too many issued)
// costs the agent one extra round trip: its poll is answered challenge_required with a fresh one.
import type { AgentChallenge } from '@capstan/protocol';
import { newChallenge } from '../agents/agent-auth.ts';

/** Nonces one agent may hold at once; issuing another drops its oldest. */
export const NONCES_PER_AGENT = 4;

/**
 * Outstanding poll nonces by agent. Agent ids come from unauthenticated requests, so the number of
 * agents tracked is capped too (the least recently issued to go first).
 */
export class PollChallenges {
  readonly #byAgent = new Map<number, Map<string, number>>();
  readonly #maxAgents: number;
  readonly #now: () => number;

  constructor(opts: { maxAgents?: number; now?: () => number } = {}) {
    this.#maxAgents = opts.maxAgents ?? 100_000;
    this.#now = opts.now ?? Date.now;
  }

  /** A fresh nonce for the agent, valid once within `lifetimeMs`. */
  issue(agentId: number, lifetimeMs: number): AgentChallenge {
    const at = this.#now();
    const challenge = newChallenge(new Date(at));
    const nonces = this.#byAgent.get(agentId) ?? new Map<string, number>();
    // Re-inserted: the map's order is the order agents were last issued a nonce.
    this.#byAgent.delete(agentId);
    this.#byAgent.set(agentId, nonces);
    for (const [nonce, expires] of nonces) if (expires <= at) nonces.delete(nonce);
    nonces.set(challenge.nonce, at + lifetimeMs);
    while (nonces.size > NONCES_PER_AGENT) {
      const oldest = nonces.keys().next().value;
      if (oldest === undefined) break;
      nonces.delete(oldest);
    }
    while (this.#byAgent.size > this.#maxAgents) {
      const oldest = this.#byAgent.keys().next().value;
      if (oldest === undefined) break;
      this.#byAgent.delete(oldest);
    }
    return challenge;
  }

  /** Removes the nonce; true when it was issued to this agent and has not expired. */
  consume(agentId: number, nonce: string): boolean {
    const nonces = this.#byAgent.get(agentId);
    const expires = nonces?.get(nonce);
    if (!nonces || expires === undefined) return false;
    nonces.delete(nonce);
    if (nonces.size === 0) this.#byAgent.delete(agentId);
    return expires > this.#now();
  }

  /** Agents holding at least one nonce (tests). */
  get agents(): number {
    return this.#byAgent.size;
  }
}
