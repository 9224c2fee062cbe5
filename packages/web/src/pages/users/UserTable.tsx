import { Badge, Group, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import type { User } from '@capstan/protocol';
import { useSession } from '../../auth/session.tsx';
import { formatAgo, formatTime } from '../../components/time.ts';
import type { UserDialog } from './UserDialogs.tsx';
import { UserRowMenu } from './UserRowMenu.tsx';
import { userStatus } from './userStatus.ts';

function StatusCell({ user }: { user: User }) {
  const status = userStatus(user);
  const badge = (
    <Badge color={status.color} variant="light" data-status={status.kind}>
      {status.label}
    </Badge>
  );
  if (status.kind !== 'locked' || !user.lockedUntil) return badge;
  return <Tooltip label={`Locked after failed sign-ins until ${formatTime(user.lockedUntil)}`}>{badge}</Tooltip>;
}

/** The users of one page, with their role, state and actions. */
export function UserTable({ users, onDialog, onResetPassword }: { users: User[]; onDialog: (d: UserDialog) => void; onResetPassword: (u: User) => void }) {
  const { me } = useSession();
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table highlightOnHover verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Username</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Last changed</Table.Th>
            <Table.Th w={48}>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.map((u) => (
            <Table.Tr key={u.id} data-testid="user-row">
              <Table.Td>
                <Group gap={6}>
                  <Text size="sm" fw={500}>
                    {u.username}
                  </Text>
                  {u.id === me.user.id && (
                    <Badge size="xs" variant="outline">
                      you
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>{u.isAdmin ? <Badge color="indigo">Administrator</Badge> : <Text size="sm">User</Text>}</Table.Td>
              <Table.Td>
                <StatusCell user={u} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" title={formatTime(u.createdAt)}>
                  {formatAgo(u.createdAt)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" title={formatTime(u.updatedAt)}>
                  {formatAgo(u.updatedAt)}
                </Text>
              </Table.Td>
              <Table.Td>
                <UserRowMenu user={u} onDialog={onDialog} onResetPassword={onResetPassword} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
