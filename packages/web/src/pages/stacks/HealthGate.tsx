import { Badge, Group, Stack, Text } from '@mantine/core';
import type { HealthState } from './progressReducer.ts';

const COLOR: Record<string, string> = { healthy: 'teal', running: 'teal', starting: 'yellow', created: 'gray', restarting: 'orange', unhealthy: 'red', exited: 'red', dead: 'red' };

/** The health gate: each watched container and its last health (or state). */
export function HealthGate({ health }: { health: readonly HealthState[] }) {
  return (
    <Stack gap={4} aria-label="Health gate">
      {health.map((h) => (
        <Group key={h.container} gap="xs" wrap="nowrap">
          <Badge color={COLOR[h.status] ?? 'gray'} variant="light" tt="none" data-health={h.status} miw={80}>
            {h.status}
          </Badge>
          <Text size="sm" ff="monospace" truncate>
            {h.container}
          </Text>
          <Text size="xs" c="dimmed">
            {h.service}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}
