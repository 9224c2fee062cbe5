// Environment groups: roles granted on a group apply to all its environments; registries can be
// scoped to groups. Everyone sees them; groups.manage changes them.
import { IconAction } from '../../components/IconAction.tsx';
import { Button, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import type { EnvironmentGroup } from '@capstan/protocol';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useApi, useApiMutation } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatAgo, formatTime } from '../../components/time.ts';
import { ConfirmModal } from '../../components/ConfirmModal.tsx';
import { notifyDone } from '../../components/notify.ts';
import { GroupFormModal, type GroupForm } from './GroupFormModal.tsx';

/** The "Groups" tab. */
export function GroupsPanel() {
  const session = useSession();
  const manage = session.can('groups.manage');
  const list = useApi('GET /api/environments/groups');
  const [form, setForm] = useState<GroupForm>(null);
  const [deleting, setDeleting] = useState<EnvironmentGroup | null>(null);
  const remove = useApiMutation('DELETE /api/environments/groups/:id', {
    invalidate: [['GET /api/environments/groups'], ['GET /api/environments'], ['GET /api/roles/assignments']],
    onSuccess: () => {
      notifyDone('Group deleted');
      setDeleting(null);
    },
  });
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Text size="sm" c="dimmed">
          A role granted on a group applies to every environment in it.
        </Text>
        <Guarded permission="groups.manage">
          <Button leftSection={<IconPlus size={16} />} onClick={() => setForm({ group: null })}>
            New group
          </Button>
        </Guarded>
      </Group>
      <ProblemAlert error={list.error} title="Groups could not be loaded" />
      {list.isPending && <Loading label="Loading groups" />}
      {list.data && list.data.items.length === 0 && <Text c="dimmed">No groups yet.</Text>}
      {list.data && list.data.items.length > 0 && (
        <Table.ScrollContainer minWidth={600}>
          <Table highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Group</Table.Th>
                <Table.Th>Description</Table.Th>
                <Table.Th>Environments</Table.Th>
                <Table.Th>Created</Table.Th>
                {manage && (
                  <Table.Th w={90}>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((g) => (
                <Table.Tr key={g.id}>
                  <Table.Td fw={500}>{g.name}</Table.Td>
                  <Table.Td>
                    <Text size="sm" c={g.description ? undefined : 'dimmed'} lineClamp={2}>
                      {g.description || '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>{g.environmentCount}</Table.Td>
                  <Table.Td>
                    <Text size="sm" title={formatTime(g.createdAt)}>
                      {formatAgo(g.createdAt)}
                    </Text>
                  </Table.Td>
                  {manage && (
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <IconAction tooltip="Edit" label={`Edit group ${g.name}`} icon={<IconPencil size={16} />} onClick={() => setForm({ group: g })} />
                        <IconAction tooltip="Delete" label={`Delete group ${g.name}`} color="red" icon={<IconTrash size={16} />} onClick={() => setDeleting(g)} />
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <GroupFormModal form={form} onClose={() => setForm(null)} />
      <ConfirmModal
        opened={deleting !== null}
        title={`Delete group ${deleting?.name ?? ''}?`}
        confirmLabel="Delete group"
        loading={remove.isPending}
        error={remove.error}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() => deleting && remove.mutate({ params: { id: deleting.id } })}
      >
        {deleting && deleting.environmentCount > 0
          ? `Its ${deleting.environmentCount} environment(s) stay, without a group. `
          : ''}
        Roles granted on the group are revoked, so people who had access only through it lose that access.
      </ConfirmModal>
    </Stack>
  );
}
