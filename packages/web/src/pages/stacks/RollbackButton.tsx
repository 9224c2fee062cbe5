import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { StackVersionSummary } from '@capstan/protocol';
import { notifications } from '@mantine/notifications';
import { IconArrowBackUp } from '@tabler/icons-react';
import { useState } from 'react';
import { useApiMutation } from '../../api/query.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';

/** "Roll back to version N" with a confirmation: deploys a copy of that version with its image digests pinned. */
export function RollbackButton({ stackId, version }: { stackId: number; version: StackVersionSummary }) {
  const [open, setOpen] = useState(false);
  const rollback = useApiMutation('POST /api/stacks/:id/rollback', {
    invalidate: [['GET /api/stacks/:id'], ['GET /api/stacks/:id/versions'], ['GET /api/stacks']],
    onSuccess: (v) => {
      setOpen(false);
      notifications.show({ color: 'blue', title: 'Rollback started', message: `Version ${v.number} restores version ${version.number}.` });
    },
  });
  const close = (): void => {
    setOpen(false);
    rollback.reset();
  };
  return (
    <>
      <Button size="xs" variant="light" leftSection={<IconArrowBackUp size={14} />} aria-label={`Roll back to version ${version.number}`} onClick={() => setOpen(true)}>
        Roll back
      </Button>
      <Modal opened={open} onClose={close} title={`Roll back to version ${version.number}?`}>
        <Stack gap="sm">
          <Text size="sm">
            A new version is deployed with version {version.number}'s compose file, variables and files, and the exact images it ran (pinned by digest where known). The health gate applies as for any deploy.
          </Text>
          <ProblemAlert error={rollback.error} title="The rollback was not started" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={rollback.isPending}>
              Cancel
            </Button>
            <Button color="orange" loading={rollback.isPending} onClick={() => rollback.mutate({ params: { id: stackId }, body: { versionId: version.id } })}>
              Roll back
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
