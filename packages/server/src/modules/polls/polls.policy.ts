// Pure decisions of Async mode: when the next poll is due, when an environment counts as down,
// and how long a poll nonce lives.
import { pollIntervals, type PollIntervals } from '@capstan/protocol';

/** Environment status as the API shows it. */
export type EnvironmentStatus = 'pending' | 'up' | 'down';

/** A poll may come this late (past nextPollAt) before the environment turns down: clocks and networks are not exact. */
export const MIN_POLL_GRACE_MS = 10_000;
/** Besides two intervals, a nonce outlives its answer by this much (slow links, a retried poll). */
export const POLL_NONCE_SLACK_MS = 5 * 60_000;

/** How late a poll may be before the environment counts as down: max(10 s, one jitter). */
export function pollGraceMs(intervals: PollIntervals): number {
  return Math.max(MIN_POLL_GRACE_MS, intervals.jitterMs);
}

/** The latest instant the agent polls next when it polled at `now`: one interval plus the largest jitter. */
export function nextPollDue(now: number, intervals: PollIntervals): number {
  return now + intervals.pollIntervalMs + intervals.jitterMs;
}

/** How long a nonce handed out in a poll answer stays valid: two intervals and some slack. */
export function nonceLifetimeMs(intervals: PollIntervals): number {
  return 2 * intervals.pollIntervalMs + POLL_NONCE_SLACK_MS;
}

/** What the status of an async environment is computed from. */
export interface PollState {
  lastPollAt: string | null;
  nextPollAt: string | null;
  pollIntervalSeconds: number;
  /** The status to show before the first poll (`pending` for an environment no agent ever reached). */
  beforeFirstPoll: EnvironmentStatus;
}

/**
 * Status of an async environment at `now` (ms): as before the first poll until one arrives, then
 * `up` until the next poll is overdue by more than the grace, then `down`.
 */
export function asyncEnvironmentStatus(state: PollState, now: number): EnvironmentStatus {
  if (state.lastPollAt === null) return state.beforeFirstPoll;
  const intervals = pollIntervals(state.pollIntervalSeconds);
  const last = Date.parse(state.lastPollAt);
  const next = state.nextPollAt === null ? Number.NaN : Date.parse(state.nextPollAt);
  const due = Number.isFinite(next) ? next : nextPollDue(Number.isFinite(last) ? last : 0, intervals);
  return now <= due + pollGraceMs(intervals) ? 'up' : 'down';
}

/** A poll's contact, as recorded for the environment (see PollContacts). */
export interface PollContact {
  environmentId: number;
  agentId: number;
  /** When the poll arrived: the environment's lastPollAt and lastSeenAt. */
  at: string;
  nextPollAt: string;
  agentVersion: string;
  /** Undefined: the agent did not say (the stored version stays). */
  engineVersion: string | undefined;
  /** The environment ran in Async mode: its stored status becomes `up`. */
  async: boolean;
}

/** The fields of an environment view that polls determine. */
export interface PollFields {
  mode: 'standard' | 'async';
  status: EnvironmentStatus;
  lastSeenAt: string | null;
  agentVersion: string | null;
  engineVersion: string | null;
  pollIntervalSeconds: number;
  lastPollAt: string | null;
  nextPollAt: string | null;
}

/**
 * An environment view with a poll not yet written to the database laid over it, and, for an
 * async environment, the status its polls imply at `now`.
 */
export function withPollState<T extends PollFields>(view: T, contact: PollContact | undefined, now: number): T {
  const v: T = contact
    ? {
        ...view,
        lastPollAt: contact.at,
        nextPollAt: contact.nextPollAt,
        lastSeenAt: contact.at,
        agentVersion: contact.agentVersion,
        engineVersion: contact.engineVersion ?? view.engineVersion,
        status: contact.async ? 'up' : view.status,
      }
    : view;
  if (v.mode !== 'async') return v;
  const status = asyncEnvironmentStatus(
    { lastPollAt: v.lastPollAt, nextPollAt: v.nextPollAt, pollIntervalSeconds: v.pollIntervalSeconds, beforeFirstPoll: v.status },
    now,
  );
  return { ...v, status };
}
