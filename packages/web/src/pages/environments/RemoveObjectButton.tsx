// Removes an image, volume or network through the Docker passthrough, after a confirmation.
import { IconAction } from '../../components/IconAction.tsx';
import { Checkbox, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ApiError } from '../../api/client.ts';
import { keyOf } from '../../api/query.ts';
import { ConfirmModal } from '../../components/ConfirmModal.tsx';
import { dockerDelete, objectPath } from './docker.ts';

/** A trash button for one engine object; `forceLabel` offers Docker's `force` option. */
export function RemoveObjectButton({
  environmentId,
  kind,
  idOrName,
  label,
  explanation,
  forceLabel,
}: {
  environmentId: number;
  kind: 'images' | 'volumes' | 'networks';
  idOrName: string;
  label: string;
  explanation: string;
  forceLabel?: string;
}) {
  const client = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [force, setForce] = useState(false);
  const remove = useMutation<void, ApiError>({
    mutationFn: () => dockerDelete(environmentId, objectPath(kind, idOrName), force ? { force: 'true' } : {}),
    onSuccess: async () => {
      setOpened(false);
      notifications.show({ color: 'teal', title: `Removed ${label}`, message: 'The lists update with the agent’s next report.' });
      await client.invalidateQueries({ queryKey: keyOf('GET /api/environments/:id/snapshot', { params: { id: environmentId } }) });
    },
  });
  return (
    <>
      <IconAction tooltip="Remove" label={`Remove ${label}`} color="red" icon={<IconTrash size={16} />} onClick={() => setOpened(true)} />
      <ConfirmModal
        opened={opened}
        onClose={() => {
          setOpened(false);
          remove.reset();
        }}
        title={`Remove ${label}?`}
        confirmLabel="Remove"
        onConfirm={() => remove.mutate()}
        loading={remove.isPending}
        error={remove.error}
      >
        <Text size="sm">{explanation}</Text>
        {forceLabel && <Checkbox label={forceLabel} checked={force} onChange={(e) => setForce(e.currentTarget.checked)} />}
      </ConfirmModal>
    </>
  );
}
