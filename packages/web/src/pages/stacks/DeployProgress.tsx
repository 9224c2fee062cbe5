// The live deploy panel of a stack's newest version: steps, pulls, the health gate and, once the
// outcome committed, "Deployed", "Failed: reason" or "Rolled back automatically: reason".
import { Alert, Group, Loader, Paper, ScrollArea, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { StackVersionSummary } from '@capstan/protocol';
import { IconAlertTriangle, IconArrowBackUp, IconCircleCheck } from '@tabler/icons-react';
import { formatAgo } from '../../components/time.ts';
import { HealthGate } from './HealthGate.tsx';
import { ProgressTimeline } from './ProgressTimeline.tsx';
import { PullProgress } from './PullProgress.tsx';
import { StackStatusBadge } from './StackStatusBadge.tsx';
import { outcomeOf } from './stackStatus.ts';
import { useVersionEvents } from './useVersionEvents.ts';

function OutcomeAlert({ version }: { version: StackVersionSummary }) {
  const outcome = outcomeOf(version);
  if (!outcome.final) {
    return (
      <Group gap="xs" role="status" aria-live="polite" data-outcome={version.status}>
        <Loader size="xs" />
        <Text size="sm">{outcome.text}</Text>
      </Group>
    );
  }
  const icon = version.status === 'deployed' ? <IconCircleCheck size={18} /> : version.status === 'rolled_back' ? <IconArrowBackUp size={18} /> : <IconAlertTriangle size={18} />;
  return (
    <Alert color={outcome.color} variant={version.status === 'deployed' ? 'light' : 'filled'} icon={icon} role="status" aria-live="polite" data-outcome={version.status}>
      <Text size="sm" fw={600} style={{ wordBreak: 'break-word' }}>
        {outcome.text}
      </Text>
    </Alert>
  );
}

/** The progress of `version` (the stack's newest), live while it runs (data-testid="deploy-progress"). */
export function DeployProgress({ stackId, version }: { stackId: number; version: StackVersionSummary | null }) {
  const { progress, stream } = useVersionEvents(stackId, version?.id ?? null);
  // The stream's status is newer than the page's copy until the page refetches.
  const current = progress.version && progress.version.id === version?.id ? progress.version : version;
  const { timeline, pulls, health } = progress;
  return (
    <Paper withBorder p="md" data-testid="deploy-progress" aria-label="Deploy progress">
      {!current ? (
        <Text size="sm" c="dimmed">
          Not deployed yet: review and deploy the compose file below.
        </Text>
      ) : (
        <Stack gap="sm">
          <Group justify="space-between" wrap="wrap">
            <Group gap="xs">
              <Title order={4}>Version {current.number}</Title>
              <StackStatusBadge status={current.status} />
              <Text size="xs" c="dimmed">
                {current.kind === 'rollback' ? 'rollback' : current.kind === 'adopt' ? 'adopted' : 'deploy'} {formatAgo(current.createdAt)}
                {current.createdByName ? ` by ${current.createdByName}` : ''}
              </Text>
            </Group>
            {stream === 'reconnecting' && (
              <Text size="xs" c="yellow">
                Reconnecting to the progress stream…
              </Text>
            )}
          </Group>
          <OutcomeAlert version={current} />
          {timeline.length + pulls.length + health.length === 0 ? (
            outcomeOf(current).final && (
              <Text size="xs" c="dimmed">
                The step details of this deploy are no longer kept (the server keeps them for a few minutes).
              </Text>
            )
          ) : (
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
              <ScrollArea.Autosize mah={360}>
                <ProgressTimeline entries={timeline} />
              </ScrollArea.Autosize>
              <Stack gap="md">
                {pulls.length > 0 && (
                  <Stack gap={4}>
                    <Text size="sm" fw={600}>
                      Image pulls
                    </Text>
                    <PullProgress pulls={pulls} />
                  </Stack>
                )}
                {health.length > 0 && (
                  <Stack gap={4}>
                    <Text size="sm" fw={600}>
                      Health gate
                    </Text>
                    <HealthGate health={health} />
                  </Stack>
                )}
              </Stack>
            </SimpleGrid>
          )}
        </Stack>
      )}
    </Paper>
  );
}
