import { Button, Checkbox, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useApiMutation } from '../../api/query.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';

/** "Delete" with a confirmation that asks for the stack's name and whether to remove its volumes too. */
export function DeleteStackButton({ stackId, name }: { stackId: number; name: string }) {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [volumes, setVolumes] = useState(false);
  const remove = useApiMutation('DELETE /api/stacks/:id', {
    invalidate: [['GET /api/stacks']],
    onSuccess: (r) => {
      notifications.show({ color: 'teal', title: `Deleting ${name}`, message: r.commandId ? 'The agent removes its containers and networks; the stack goes when it is done.' : 'The stack was deleted.' });
      void navigate('/stacks');
    },
  });
  return (
    <>
      <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => setOpen(true)}>
        Delete
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Delete stack ${name}?`}>
        <Stack gap="sm">
          <Text size="sm">Its containers and networks are removed from the host, then the stack and its versions are deleted.</Text>
          <Checkbox label="Also remove its volumes (their data is lost)" checked={volumes} onChange={(e) => setVolumes(e.currentTarget.checked)} color="red" />
          <TextInput label={`Type ${name} to confirm`} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} autoComplete="off" />
          <ProblemAlert error={remove.error} title="The stack was not deleted" />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)} disabled={remove.isPending}>
              Cancel
            </Button>
            <Button color="red" disabled={typed !== name} loading={remove.isPending} onClick={() => remove.mutate({ params: { id: stackId }, query: { removeVolumes: volumes ? 'true' : 'false' } })}>
              Delete stack
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
