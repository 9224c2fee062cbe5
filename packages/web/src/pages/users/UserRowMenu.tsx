// One user's actions. Only what the principal may do is listed; the signed-in person cannot
// delete themselves (the server refuses too) and changes their own password in Settings.
import { ActionIcon, Menu } from '@mantine/core';
import type { User } from '@capstan/protocol';
import { IconCrown, IconCrownOff, IconDots, IconHistory, IconKey, IconLock, IconLockOpen, IconPassword, IconTrash, IconUserCheck, IconUserOff } from '@tabler/icons-react';
import { Link } from 'react-router';
import { useApiMutation } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import type { UserDialog } from './UserDialogs.tsx';
import { notifyDone, notifyFailed } from '../../components/notify.ts';
import { isLocked } from './userStatus.ts';

/** The "…" menu of one user row; null when the principal may do nothing with it. */
export function UserRowMenu({ user, onDialog, onResetPassword }: { user: User; onDialog: (d: UserDialog) => void; onResetPassword: (u: User) => void }) {
  const session = useSession();
  const { me } = session;
  const manage = session.can('users.manage');
  const self = user.id === me.user.id;
  const patch = useApiMutation('PATCH /api/users/:id', { invalidate: [['GET /api/users']] });
  const quick = (body: { disabled: false } | { unlock: true }, message: string): void =>
    patch.mutate({ params: { id: user.id }, body }, { onSuccess: () => notifyDone(message), onError: (e) => notifyFailed(`Could not update ${user.username}`, e) });
  const audit = session.can('audit.read');
  if (!manage && !audit) return null;
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${user.username}`} loading={patch.isPending}>
          <IconDots size={16} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {audit && (
          <Menu.Item leftSection={<IconHistory size={16} />} component={Link} to={`/audit?user=${encodeURIComponent(user.username)}`}>
            View activity
          </Menu.Item>
        )}
        <Menu.Item leftSection={<IconKey size={16} />} component={Link} to={`/api-keys?userId=${user.id}`}>
          API keys
        </Menu.Item>
        {manage && (
          <>
            <Menu.Divider />
            {isLocked(user) && (
              <Menu.Item leftSection={<IconLockOpen size={16} />} onClick={() => quick({ unlock: true }, `${user.username} unlocked`)}>
                Unlock
              </Menu.Item>
            )}
            {user.disabled ? (
              <Menu.Item leftSection={<IconUserCheck size={16} />} onClick={() => quick({ disabled: false }, `${user.username} enabled`)}>
                Enable
              </Menu.Item>
            ) : (
              !self && (
                <Menu.Item leftSection={<IconUserOff size={16} />} onClick={() => onDialog({ kind: 'disable', user })}>
                  Disable
                </Menu.Item>
              )
            )}
            <Menu.Item leftSection={user.isAdmin ? <IconCrownOff size={16} /> : <IconCrown size={16} />} onClick={() => onDialog({ kind: 'admin', user })}>
              {user.isAdmin ? 'Remove administrator' : 'Make administrator'}
            </Menu.Item>
            {!self && (
              <Menu.Item leftSection={<IconPassword size={16} />} onClick={() => onResetPassword(user)}>
                Reset password
              </Menu.Item>
            )}
            {self && (
              <Menu.Item leftSection={<IconLock size={16} />} component={Link} to="/settings">
                Change my password
              </Menu.Item>
            )}
            {!self && (
              <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => onDialog({ kind: 'delete', user })}>
                Delete
              </Menu.Item>
            )}
          </>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
