import { Badge, Tooltip } from '@mantine/core';
import { formatAgo } from './time.ts';

const COLOR: Record<string, string> = { up: 'teal', down: 'red', pending: 'gray' };
const LABEL: Record<string, string> = { up: 'Up', down: 'Offline', pending: 'Waiting for agent' };

/** An environment's connection status; offline ones say since when. */
export function StatusBadge({ status, lastSeenAt }: { status: string; lastSeenAt?: string | null }) {
  const badge = (
    <Badge color={COLOR[status] ?? 'gray'} variant={status === 'up' ? 'filled' : 'light'} data-status={status}>
      {LABEL[status] ?? status}
    </Badge>
  );
  if (status !== 'down' || !lastSeenAt) return badge;
  return <Tooltip label={`Last seen ${formatAgo(lastSeenAt)}`}>{badge}</Tooltip>;
}
