// A team's members: add one picked from the users not in it yet, remove one with its own button.
import { ActionIcon, Button, Group, Modal, Select, Stack, Table, Text, Tooltip } from '@mantine/core';
import type { Team } from '@capstan/protocol';
import { IconUserMinus } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useApiMutation } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useAllUsers, userLabel } from '../users/useUserNames.ts';

/** The "Members" dialog of `team` (null: closed). Team lists are re-read after each change. */
export function TeamMembersModal({ team, onClose }: { team: Team | null; onClose: () => void }) {
  return (
    <Modal opened={team !== null} onClose={onClose} title={team ? `Members of ${team.name}` : ''} size="lg" centered>
      {team && <Members team={team} />}
    </Modal>
  );
}

function Members({ team }: { team: Team }) {
  const session = useSession();
  const manage = session.can('teams.manage');
  const { users } = useAllUsers();
  const names = useMemo(() => new Map(users.map((u) => [u.id, u.username])), [users]);
  const [pick, setPick] = useState<string | null>(null);
  const add = useApiMutation('PUT /api/teams/:id/members/:userId', { invalidate: [['GET /api/teams']], onSuccess: () => setPick(null) });
  const remove = useApiMutation('DELETE /api/teams/:id/members/:userId', { invalidate: [['GET /api/teams']] });
  const candidates = users.filter((u) => !team.memberIds.includes(u.id)).map((u) => ({ value: String(u.id), label: u.username }));
  const members = [...team.memberIds].sort((a, b) => userLabel(names, a).localeCompare(userLabel(names, b)));
  return (
    <Stack>
      {manage && (
        <Group align="flex-end" wrap="wrap">
          <Select label="Add member" placeholder="Pick a user" data={candidates} value={pick} onChange={setPick} searchable style={{ flex: 1, minWidth: 200 }} nothingFoundMessage="No other users" />
          <Button disabled={pick === null} loading={add.isPending} onClick={() => pick && add.mutate({ params: { id: team.id, userId: Number(pick) } })}>
            Add
          </Button>
        </Group>
      )}
      <ProblemAlert error={add.error ?? remove.error} />
      {members.length === 0 ? (
        <Text c="dimmed" size="sm">
          This team has no members yet.
        </Text>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>User</Table.Th>
              {manage && <Table.Th w={60}>Remove</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.map((id) => (
              <Table.Tr key={id}>
                <Table.Td>{userLabel(names, id)}</Table.Td>
                {manage && (
                  <Table.Td>
                    <Tooltip label="Remove from team">
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Remove ${userLabel(names, id)} from ${team.name}`}
                        loading={remove.isPending && remove.variables.params.userId === id}
                        onClick={() => remove.mutate({ params: { id: team.id, userId: id } })}
                      >
                        <IconUserMinus size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Text size="xs" c="dimmed">
        Members get every role granted to the team, on top of their own.
      </Text>
    </Stack>
  );
}
