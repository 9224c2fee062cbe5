import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useApiMutation } from '../../api/query.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';

/** Confirms deleting a custom template (stacks made from it stay). `target` null: closed. */
export function DeleteTemplateModal({ target, onClose }: { target: { id: string; title: string } | null; onClose: () => void }) {
  const remove = useApiMutation('DELETE /api/templates/:id', {
    invalidate: [['GET /api/templates']],
    onSuccess: () => {
      notifications.show({ color: 'teal', message: `Template “${target?.title ?? ''}” deleted.` });
      onClose();
    },
  });
  return (
    <Modal opened={target !== null} onClose={onClose} title={`Delete template ${target?.title ?? ''}?`}>
      <Stack gap="sm">
        <Text size="sm">Stacks made from it stay as they are.</Text>
        <ProblemAlert error={remove.error} title="The template was not deleted" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" loading={remove.isPending} onClick={() => target && remove.mutate({ params: { id: target.id } })}>
            Delete template
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
