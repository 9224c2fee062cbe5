import { Badge, Button, Group, Loader, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import type { EnvironmentStatusView } from '@capstan/protocol';
import { IconCircleCheck } from '@tabler/icons-react';
import { useNavigate } from 'react-router';

/** Waits for the new environment's agent: a spinner until it is up, then its versions and a way in. */
export function AgentWait({ environmentId, status, mode }: { environmentId: number; status: EnvironmentStatusView | undefined; mode: 'standard' | 'async' }) {
  const navigate = useNavigate();
  const up = status?.status === 'up';
  return (
    <Paper withBorder p="md" data-testid="agent-wait" aria-live="polite">
      {up ? (
        <Stack gap="sm" align="flex-start">
          <Group gap="sm">
            <ThemeIcon color="teal" variant="light" radius="xl">
              <IconCircleCheck size={18} />
            </ThemeIcon>
            <Text fw={600}>Agent connected</Text>
            {status.mtls && (
              <Badge color="teal" variant="light">
                mTLS
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            Agent {status.agentVersion ?? 'unknown version'} · Docker {status.engineVersion ?? 'version not reported yet'}
          </Text>
          <Button onClick={() => void navigate(`/environments/${environmentId}`)}>Open environment</Button>
        </Stack>
      ) : (
        <Group gap="sm" wrap="nowrap" align="flex-start">
          <Loader size="sm" mt={2} />
          <Stack gap={2}>
            <Text fw={500}>Waiting for the agent…</Text>
            <Text size="sm" c="dimmed">
              {mode === 'async'
                ? 'An async agent shows up with its first poll. This page updates by itself.'
                : 'This page updates by itself as soon as the agent connects.'}
            </Text>
          </Stack>
        </Group>
      )}
    </Paper>
  );
}
