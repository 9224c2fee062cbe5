// When to poll next. Pure: the loop (poller.ts) does the waiting.
import { jitteredDelay, type PollIntervals } from '@capstan/protocol';

/** How a poll went, as far as timing cares. */
export type PollResult =
  | {
      readonly kind: 'answered';
      /** Commands the answer carried. */
      readonly commands: number;
      /** The server has more unfinished commands after these. */
      readonly more: boolean;
      /** Reports still waiting that did not fit in this poll. */
      readonly reportsLeft: boolean;
    }
  /** Network error, timeout, 5xx, a malformed answer: everything waits for the next poll. */
  | { readonly kind: 'failed' }
  /** The server refused this agent (challenge_failed, agent_revoked). */
  | { readonly kind: 'refused' };

/** What to do before the next poll. */
export type NextPoll =
  /** Let the runner finish this batch (at most capMs), then poll at once so results and the next batch move. */
  | { readonly kind: 'after-idle'; readonly capMs: number }
  | { readonly kind: 'now' }
  | { readonly kind: 'wait'; readonly ms: number };

/**
 * The next step after `result`: commands → after the runner went idle; reports left over → at once;
 * otherwise the jittered interval (`random` in [0, 1)); after a refusal `refusedMs`.
 */
export function nextPoll(result: PollResult, intervals: PollIntervals, random: number, refusedMs: number): NextPoll {
  switch (result.kind) {
    case 'refused':
      return { kind: 'wait', ms: refusedMs };
    case 'failed':
      return { kind: 'wait', ms: jitteredDelay(intervals, random) };
    case 'answered':
      // `more` with an empty batch would poll in a tight loop: only a delivered batch earns an early poll.
      if (result.commands > 0) return { kind: 'after-idle', capMs: intervals.pollIntervalMs };
      if (result.reportsLeft) return { kind: 'now' };
      return { kind: 'wait', ms: jitteredDelay(intervals, random) };
  }
}
