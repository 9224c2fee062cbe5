// How an async environment's next poll reads.
import { formatAgo } from '../../components/time.ts';

/** "next poll in 40 s", or "the next poll is overdue (due 2 min ago)". */
export function nextPoll(iso: string, now: number): string {
  return Date.parse(iso) < now ? `the next poll is overdue (due ${formatAgo(iso, now)})` : `next poll ${formatAgo(iso, now)}`;
}
