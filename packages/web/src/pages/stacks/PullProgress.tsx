import { Group, Progress, Stack, Text } from '@mantine/core';
import { pullPercent, type PullState } from './progressReducer.ts';

/** One bar per image pulled, with the engine's last word. */
export function PullProgress({ pulls }: { pulls: readonly PullState[] }) {
  return (
    <Stack gap="xs">
      {pulls.map((p) => {
        const percent = pullPercent(p);
        const layers = Object.keys(p.layers).length;
        return (
          <Stack key={p.image} gap={2}>
            <Group justify="space-between" gap="xs" wrap="nowrap">
              <Text size="sm" ff="monospace" truncate>
                {p.image}
              </Text>
              <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                {percent === null ? p.status : `${percent}%`}
                {layers > 0 ? ` · ${layers} layer${layers === 1 ? '' : 's'}` : ''}
              </Text>
            </Group>
            <Progress value={percent ?? 0} animated={percent !== 100} color={percent === 100 ? 'teal' : 'blue'} aria-label={`Pull of ${p.image}`} />
          </Stack>
        );
      })}
    </Stack>
  );
}
