// The change-notice stream's wire format and its per-stream access rules, pure.
import type { LiveEvent } from '@capstan/protocol';

/** First thing on a stream: EventSource reconnects after 3 s when the stream drops. */
export const SSE_RETRY = 'retry: 3000\n\n';
/** A comment line that keeps proxies and idle timers from closing a quiet stream. */
export const SSE_HEARTBEAT = ': keep-alive\n\n';

/** One notice as an SSE event: the event name is its type, the data its JSON. */
export function sseFrame(event: LiveEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** A remembered answer to "may this stream's principal read environment N?". */
export interface Verdict {
  allowed: boolean;
  at: number;
}

/** The remembered verdict while it is younger than `ttlMs`, else null (ask again: roles change). */
export function freshVerdict(verdict: Verdict | undefined, now: number, ttlMs: number): boolean | null {
  return verdict !== undefined && now - verdict.at < ttlMs ? verdict.allowed : null;
}

/** Whether a stream has fallen too far behind: its client reads slower than notices arrive. */
export function overBudget(bufferedBytes: number, queuedNotices: number, limits: { maxBufferedBytes: number; maxQueuedNotices: number }): boolean {
  return bufferedBytes > limits.maxBufferedBytes || queuedNotices > limits.maxQueuedNotices;
}
