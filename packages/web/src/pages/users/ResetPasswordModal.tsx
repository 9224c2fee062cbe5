// An administrator sets another user's password. The server ends all of that user's sessions.
import { Alert, Button, Group, Modal, PasswordInput, Stack } from '@mantine/core';
import type { User } from '@capstan/protocol';
import { useState, type FormEvent } from 'react';
import { useApiMutation } from '../../api/query.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { notifyDone } from '../../components/notify.ts';

/** The "Reset password" dialog for `user` (never the signed-in person: that is Settings). */
export function ResetPasswordModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  return (
    <Modal opened={user !== null} onClose={onClose} title={user ? `Reset the password of ${user.username}` : ''} centered>
      {user && <ResetPasswordForm user={user} onClose={onClose} />}
    </Modal>
  );
}

function ResetPasswordForm({ user, onClose }: { user: User; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const reset = useApiMutation('PUT /api/users/:id/password', {
    invalidate: [['GET /api/users']],
    onSuccess: () => {
      notifyDone(`Password of ${user.username} changed; their sessions were ended`);
      onClose();
    },
  });
  const mismatch = repeat.length > 0 && repeat !== password;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!mismatch) reset.mutate({ params: { id: user.id }, body: { newPassword: password } });
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <Alert color="yellow" variant="light">
          {user.username} will be signed out everywhere and must sign in with the new password. A login lockout is cleared too. Their API keys keep working.
        </Alert>
        <PasswordInput label="New password" description="At least 12 characters" value={password} onChange={(e) => setPassword(e.currentTarget.value)} required autoComplete="new-password" data-autofocus />
        <PasswordInput label="Repeat new password" value={repeat} onChange={(e) => setRepeat(e.currentTarget.value)} required autoComplete="new-password" error={mismatch ? 'The passwords differ' : null} />
        <ProblemAlert error={reset.error} title="The password was not changed" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={reset.isPending} disabled={mismatch}>
            Set password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
