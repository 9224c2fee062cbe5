import { Group, Text } from '@mantine/core';
import type { EnvironmentContainerCounts } from '@capstan/protocol';

/** "3 running · 1 stopped · 1 unhealthy" from an environment's latest snapshot ("—" before the first). */
export function ContainerCounts({ counts }: { counts: EnvironmentContainerCounts | null }) {
  if (!counts) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  if (counts.total === 0) {
    return (
      <Text size="sm" c="dimmed">
        none
      </Text>
    );
  }
  return (
    <Group gap={8} wrap="nowrap" aria-label={`${counts.running} running, ${counts.stopped} stopped, ${counts.unhealthy} unhealthy`}>
      <Text size="sm" c="teal" fw={500}>
        {counts.running} running
      </Text>
      {counts.stopped > 0 && (
        <Text size="sm" c="dimmed">
          {counts.stopped} stopped
        </Text>
      )}
      {counts.unhealthy > 0 && (
        <Text size="sm" c="red" fw={500}>
          {counts.unhealthy} unhealthy
        </Text>
      )}
    </Group>
  );
}
