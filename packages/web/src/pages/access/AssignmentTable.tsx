import { IconAction } from '../../components/IconAction.tsx';
import { Badge, Group, Table, Text, VisuallyHidden } from '@mantine/core';
import { ROLES, type RoleAssignment } from '@capstan/protocol';
import { IconTrash, IconUser, IconUsersGroup } from '@tabler/icons-react';
import { formatAgo, formatTime } from '../../components/time.ts';

export interface AssignmentTableProps {
  items: RoleAssignment[];
  principalName: (a: RoleAssignment['principal']) => string;
  scopeName: (a: RoleAssignment['scope']) => string;
  /** Whether the principal may revoke this assignment (hidden otherwise). */
  canRevoke: (a: RoleAssignment) => boolean;
  onRevoke: (a: RoleAssignment) => void;
}

/** Who holds which role where, with a revoke button where allowed. */
export function AssignmentTable({ items, principalName, scopeName, canRevoke, onRevoke }: AssignmentTableProps) {
  return (
    <Table.ScrollContainer minWidth={680}>
      <Table highlightOnHover verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Who</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Where</Table.Th>
            <Table.Th>Granted</Table.Th>
            <Table.Th w={56}>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((a) => {
            const who = principalName(a.principal);
            const where = scopeName(a.scope);
            const role = ROLES[a.role].displayName;
            return (
              <Table.Tr key={a.id} data-testid="assignment-row">
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    {a.principal.type === 'team' ? <IconUsersGroup size={16} aria-label="Team" /> : <IconUser size={16} aria-label="User" />}
                    <Text size="sm">{who}</Text>
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" tt="none">
                    {role}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    <Text span c="dimmed" size="sm">
                      {a.scope.type === 'group' ? 'Group ' : 'Environment '}
                    </Text>
                    {where}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" title={formatTime(a.createdAt)}>
                    {formatAgo(a.createdAt)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {canRevoke(a) && (
                    <IconAction tooltip="Revoke" label={`Revoke ${role} of ${who} on ${where}`} color="red" icon={<IconTrash size={16} />} onClick={() => onRevoke(a)} />
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
