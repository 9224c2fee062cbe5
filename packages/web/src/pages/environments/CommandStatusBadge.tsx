import { Badge } from '@mantine/core';
import type { CommandStatus } from '@capstan/protocol';
import { statusColor } from './command-kinds.ts';

/** A command's status as a coloured badge (`data-command-status` for tests). */
export function CommandStatusBadge({ status }: { status: CommandStatus }) {
  return (
    <Badge color={statusColor(status)} variant={status === 'queued' ? 'outline' : 'light'} data-command-status={status}>
      {status}
    </Badge>
  );
}
