import { Alert, Text } from '@mantine/core';
import { IconPlugConnectedX } from '@tabler/icons-react';
import { formatAgo, formatTime } from '../../components/time.ts';

/** Replaces the Logs, Console and Stats tabs when the environment has no live connection. */
export function LiveUnavailable({ reason, takenAt }: { reason: string; takenAt: string }) {
  return (
    <Alert variant="light" color="gray" icon={<IconPlugConnectedX size={18} />} title="Not available here">
      <Text size="sm">{reason}</Text>
      <Text size="sm" mt="xs">
        The Details tab shows the container as of {formatTime(takenAt)} ({formatAgo(takenAt)}).
      </Text>
    </Alert>
  );
}
