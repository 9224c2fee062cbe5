// The confirmations of the users page: promote/demote, disable, delete (typing the username).
import type { User } from '@capstan/protocol';
import { useApiMutation } from '../../api/query.ts';
import { ConfirmModal } from '../../components/ConfirmModal.tsx';
import { notifyDone } from '../../components/notify.ts';

/** A change waiting for confirmation. */
export type UserDialog = { kind: 'admin' | 'disable' | 'delete'; user: User } | null;

const REFRESH = { invalidate: [['GET /api/users'], ['GET /api/auth/me']] };

/** Renders the confirmation for `dialog`, and runs the change when confirmed. */
export function UserDialogs({ dialog, onClose }: { dialog: UserDialog; onClose: () => void }) {
  const patch = useApiMutation('PATCH /api/users/:id', { ...REFRESH, onSuccess: (u) => done(`${u.username} updated`) });
  const remove = useApiMutation('DELETE /api/users/:id', { ...REFRESH, onSuccess: () => done('User deleted') });
  function done(message: string): void {
    notifyDone(message);
    onClose();
  }
  const close = (): void => {
    patch.reset();
    remove.reset();
    onClose();
  };
  const user = dialog?.user;
  const name = user?.username ?? '';
  return (
    <>
      <ConfirmModal
        opened={dialog?.kind === 'admin'}
        title={user?.isAdmin ? `Remove administrator rights of ${name}?` : `Make ${name} an administrator?`}
        confirmLabel={user?.isAdmin ? 'Remove administrator' : 'Make administrator'}
        color={user?.isAdmin ? 'red' : 'indigo'}
        loading={patch.isPending}
        error={patch.error}
        onClose={close}
        onConfirm={() => user && patch.mutate({ params: { id: user.id }, body: { isAdmin: !user.isAdmin } })}
      >
        {user?.isAdmin
          ? `${name} keeps only the roles granted on environments and groups. The last active administrator cannot be demoted.`
          : `${name} will be able to do everything: manage users, access, registries and every environment.`}
      </ConfirmModal>
      <ConfirmModal
        opened={dialog?.kind === 'disable'}
        title={`Disable ${name}?`}
        confirmLabel="Disable"
        loading={patch.isPending}
        error={patch.error}
        onClose={close}
        onConfirm={() => user && patch.mutate({ params: { id: user.id }, body: { disabled: true } })}
      >
        {name} can no longer sign in, and their API keys are refused. Nothing is deleted: enable the account to restore access.
      </ConfirmModal>
      <ConfirmModal
        opened={dialog?.kind === 'delete'}
        title={`Delete ${name}?`}
        confirmLabel="Delete user"
        typeToConfirm={name}
        loading={remove.isPending}
        error={remove.error}
        onClose={close}
        onConfirm={() => user && remove.mutate({ params: { id: user.id } })}
      >
        This deletes the account with its sessions, API keys and role assignments. It cannot be undone; the audit log keeps its history.
      </ConfirmModal>
    </>
  );
}
