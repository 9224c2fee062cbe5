import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import type { StackHealthSettings } from '@capstan/protocol';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useApiMutation } from '../../api/query.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { HealthSettingsFields } from './HealthSettingsFields.tsx';

/** The stack's health gate settings, saved on their own (they apply from the next deploy). */
export function HealthSettingsCard({ stackId, health, editable }: { stackId: number; health: StackHealthSettings; editable: boolean }) {
  const [draft, setDraft] = useState<StackHealthSettings | null>(null);
  const save = useApiMutation('PATCH /api/stacks/:id', {
    invalidate: [['GET /api/stacks/:id', { params: { id: stackId } }]],
    onSuccess: () => {
      setDraft(null);
      notifications.show({ color: 'teal', message: 'Health settings saved: they apply from the next deploy.' });
    },
  });
  const value = draft ?? health;
  const changed = draft !== null && (draft.windowSeconds !== health.windowSeconds || draft.onFailure !== health.onFailure);
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Text fw={600} size="sm">
          Health gate
        </Text>
        <Text size="xs" c="dimmed">
          After a deploy the agent watches the containers for this long; a container that exits, restarts or turns unhealthy fails the deploy.
        </Text>
        <HealthSettingsFields value={value} onChange={setDraft} disabled={!editable} />
        <ProblemAlert error={save.error} title="The settings were not saved" />
        {editable && changed && (
          <Group>
            <Button size="xs" loading={save.isPending} onClick={() => save.mutate({ params: { id: stackId }, body: { health: value } })}>
              Save health settings
            </Button>
            <Button size="xs" variant="default" onClick={() => setDraft(null)}>
              Discard
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
