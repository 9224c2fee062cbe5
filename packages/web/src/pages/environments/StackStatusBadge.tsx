import { Badge } from '@mantine/core';
import type { StackStatus } from '@capstan/protocol';

const COLOR: Record<StackStatus, string> = { draft: 'gray', deploying: 'blue', deployed: 'teal', failed: 'red', rolled_back: 'orange', removing: 'yellow' };

/** A stack's status (`data-status` carries the raw value). */
export function StackStatusBadge({ status }: { status: StackStatus }) {
  return (
    <Badge color={COLOR[status]} variant="light" data-status={status}>
      {status.replace('_', ' ')}
    </Badge>
  );
}
