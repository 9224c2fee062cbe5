// How an agent talks to the server and how often: shared by the tunnel's agent-mode frame and polls.
import * as z from 'zod/mini';

/** How an agent talks to the server: a live tunnel (`standard`), or polls (`async`). */
export const AgentModeSchema = z.enum(['standard', 'async']);
export type AgentMode = z.infer<typeof AgentModeSchema>;

/** Poll interval bounds and default, in seconds (set per environment on the server). */
export const POLL_INTERVAL_SECONDS = { default: 60, min: 1, max: 86_400 } as const;
/** Jitter the agent adds to each interval: ± this fraction of it, so a fleet does not poll in step. */
export const POLL_JITTER_RATIO = 0.1;

/** Intervals the agent uses until told otherwise. */
export const PollIntervalsSchema = z.object({
  /** Time between polls when there is nothing to do. */
  pollIntervalMs: z.int().check(z.minimum(POLL_INTERVAL_SECONDS.min * 1000), z.maximum(POLL_INTERVAL_SECONDS.max * 1000)),
  /** The agent adds a uniform random offset in ±jitterMs to each wait. */
  jitterMs: z.int().check(z.minimum(0), z.maximum(POLL_INTERVAL_SECONDS.max * 1000)),
});
export type PollIntervals = z.infer<typeof PollIntervalsSchema>;

/** The intervals for an environment's poll interval in seconds. */
export function pollIntervals(pollIntervalSeconds: number): PollIntervals {
  const pollIntervalMs = pollIntervalSeconds * 1000;
  return { pollIntervalMs, jitterMs: Math.round(pollIntervalMs * POLL_JITTER_RATIO) };
}

/** The wait before the next poll: the interval plus a uniform offset in ±jitter (`random` in [0, 1)). */
export function jitteredDelay(intervals: PollIntervals, random: number): number {
  return Math.max(0, Math.round(intervals.pollIntervalMs + (random * 2 - 1) * intervals.jitterMs));
}
