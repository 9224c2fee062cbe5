// Keeps one tunnel up: connects, and after every disconnect waits a jittered, growing delay before
// dialling again (reset by a completed handshake; the longest delay when the server refused us).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.ts';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { runSession, type SessionEnd, type SessionOptions } from './session.ts';

/** Settings of the reconnect loop. */
export interface SupervisorOptions {
  readonly session: SessionOptions;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  readonly log: Logger;
  /** How long to stay away after another agent with this identity replaced our connection. */
  readonly fencedMs?: number;
}

/** A running reconnect loop. */
export interface Supervisor {
  /** Closes the tunnel (sending going_away) and stops reconnecting; resolves once the loop ended. */
  stop(): Promise<void>;
}

/** Starts the reconnect loop at once. */
export function superviseTunnel(options: SupervisorOptions): Supervisor {
  const abort = new AbortController();
  const done = loop(options, abort.signal);
  return {
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

/** Log line for a finished session. */
function describeEnd(end: SessionEnd): string {
  return end.welcomed ? `tunnel lost: ${end.reason}` : `cannot connect: ${end.reason}`;
}

async function loop(options: SupervisorOptions, signal: AbortSignal): Promise<void> {
  const backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, options.random);
  const { log } = options;
  while (!signal.aborted) {
    const end = await runSession(options.session, signal);
    if (signal.aborted) break;
    if (end.welcomed) backoff.reset();
    let delay: number;
    if (end.fenced) {
      // Two agents share one identity (a cloned state dir?): stepping back keeps them from
      // knocking each other off in turn; the newer one keeps the tunnel.
      delay = options.fencedMs ?? 600_000;
      log.error(`${describeEnd(end)}; another agent with this identity is connected: staying away for ${Math.round(delay / 1000)} s`);
    } else if (end.refused) {
      delay = backoff.refused();
      log.error(`${describeEnd(end)}; the server refuses this agent (revoked or rotated?): retrying in ${Math.round(delay / 1000)} s`);
    } else {
      delay = backoff.next();
      log.warn(`${describeEnd(end)}; reconnecting in ${delay} ms`);
    }
    try {
      await sleep(delay, undefined, { signal });
    } catch {
      break; // aborted
    }
  }
}
