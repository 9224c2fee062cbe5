import { Button, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import type { Environment } from '@capstan/protocol';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useApiMutation } from '../../api/query.ts';
import { ConfirmModal } from '../../components/ConfirmModal.tsx';

/** Deletes the environment after the person types its name. */
export function DeleteEnvironment({ env }: { env: Environment }) {
  const navigate = useNavigate();
  const [opened, setOpened] = useState(false);
  const [typed, setTyped] = useState('');
  const remove = useApiMutation('DELETE /api/environments/:id', {
    invalidate: [['GET /api/environments']],
    onSuccess: () => {
      notifications.show({ color: 'teal', title: 'Environment deleted', message: env.name });
      void navigate('/', { replace: true });
    },
  });
  return (
    <Paper withBorder p="md" style={{ borderColor: 'var(--mantine-color-red-4)' }}>
      <Title order={4} mb="xs">
        Delete environment
      </Title>
      <Stack gap="sm" align="flex-start">
        <Text size="sm" c="dimmed">
          Capstan forgets this environment and the roles granted on it; its agent can no longer connect. Containers on the host keep running.
        </Text>
        <Button color="red" variant="light" onClick={() => setOpened(true)}>
          Delete environment
        </Button>
      </Stack>
      <ConfirmModal
        opened={opened}
        onClose={() => {
          setOpened(false);
          setTyped('');
          remove.reset();
        }}
        title={`Delete ${env.name}?`}
        confirmLabel="Delete"
        onConfirm={() => remove.mutate({ params: { id: env.id } })}
        loading={remove.isPending}
        error={remove.error}
        confirmDisabled={typed !== env.name}
      >
        <Text size="sm">This cannot be undone. Type the environment&apos;s name to confirm.</Text>
        <TextInput label="Environment name" placeholder={env.name} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} data-autofocus />
      </ConfirmModal>
    </Paper>
  );
}
