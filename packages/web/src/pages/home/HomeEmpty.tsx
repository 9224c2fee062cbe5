import { EmptyState, List, Text } from '@mantine/core';
import { IconServer } from '@tabler/icons-react';

/** What a fresh install shows instead of an empty table: how to add the first host. */
export function HomeEmpty({ canCreate }: { canCreate: boolean }) {
  return (
    <EmptyState
      variant="light"
      icon={<IconServer size={28} />}
      title="No environments yet"
      description="An environment is one Docker host managed through a small agent running on it."
      py="xl"
    >
      {canCreate ? (
        <List type="ordered" size="sm" spacing={4} maw={520} mx="auto" mt="sm">
          <List.Item>Choose Add environment above and give the host a name.</List.Item>
          <List.Item>Run the join command it shows on the host (Node 20+ or Docker).</List.Item>
          <List.Item>The host appears here as soon as its agent connects.</List.Item>
        </List>
      ) : (
        <Text size="sm" c="dimmed" ta="center">
          You have no role on any environment yet. Ask an administrator to add one or to grant you access.
        </Text>
      )}
    </EmptyState>
  );
}
