import { IconAction } from '../../components/IconAction.tsx';
import { Badge, Button, Group, Table, Text, VisuallyHidden } from '@mantine/core';
import type { Team } from '@capstan/protocol';
import { IconPencil, IconTrash } from '@tabler/icons-react';
import { useSession } from '../../auth/session.tsx';
import { formatAgo, formatTime } from '../../components/time.ts';
import { userLabel } from '../users/useUserNames.ts';

/** How many member names a row shows before "+N more". */
const SHOWN = 5;

export interface TeamTableProps {
  teams: Team[];
  names: ReadonlyMap<number, string>;
  onMembers: (t: Team) => void;
  onRename: (t: Team) => void;
  onDelete: (t: Team) => void;
}

/** Teams with a preview of their members and their actions. */
export function TeamTable({ teams, names, onMembers, onRename, onDelete }: TeamTableProps) {
  const session = useSession();
  const manage = session.can('teams.manage');
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table highlightOnHover verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Team</Table.Th>
            <Table.Th>Members</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th w={200}>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {teams.map((t) => (
            <Table.Tr key={t.id} data-testid="team-row">
              <Table.Td>
                <Text fw={500} size="sm">
                  {t.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4} wrap="wrap">
                  {t.memberIds.length === 0 && (
                    <Text size="sm" c="dimmed">
                      none
                    </Text>
                  )}
                  {t.memberIds.slice(0, SHOWN).map((id) => (
                    <Badge key={id} variant="light" color="gray" tt="none">
                      {userLabel(names, id)}
                    </Badge>
                  ))}
                  {t.memberIds.length > SHOWN && <Text size="xs" c="dimmed">+{t.memberIds.length - SHOWN} more</Text>}
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm" title={formatTime(t.createdAt)}>
                  {formatAgo(t.createdAt)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4} justify="flex-end" wrap="nowrap">
                  <Button size="xs" variant="light" onClick={() => onMembers(t)} aria-label={`Members of ${t.name}`}>
                    Members ({t.memberIds.length})
                  </Button>
                  {manage && (
                    <>
                      <IconAction tooltip="Rename" label={`Rename ${t.name}`} icon={<IconPencil size={16} />} onClick={() => onRename(t)} />
                      <IconAction tooltip="Delete" label={`Delete ${t.name}`} color="red" icon={<IconTrash size={16} />} onClick={() => onDelete(t)} />
                    </>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
