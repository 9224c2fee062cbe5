import { Text } from '@mantine/core';

/** The one-line reason removal is not offered here (async or offline environment). */
export function PassthroughNote({ reason }: { reason: string | null }) {
  if (!reason) return null;
  return (
    <Text size="sm" c="dimmed" mb="sm">
      {reason}
    </Text>
  );
}
