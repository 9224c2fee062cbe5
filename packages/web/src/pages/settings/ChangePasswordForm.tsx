// Change one's own password: the current one is required. The server then ends all of this
// user's sessions, this one included, so a browser session goes back to the login page.
import { Button, Group, PasswordInput, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useApiMutation } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';

/** The "Change password" form of the signed-in person. */
export function ChangePasswordForm() {
  const { me } = useSession();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const change = useApiMutation('PUT /api/users/:id/password', {
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setRepeat('');
      if (me.authMethod === 'api_key') {
        notifications.show({ color: 'teal', message: 'Password changed. Your sessions were ended; API keys keep working.' });
        return;
      }
      notifications.show({ color: 'teal', title: 'Password changed', message: 'Sign in again with your new password.' });
      client.clear();
      void navigate('/login?reason=session_revoked', { replace: true });
    },
  });
  const mismatch = repeat.length > 0 && repeat !== next;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!mismatch) change.mutate({ params: { id: me.user.id }, body: { currentPassword: current, newPassword: next } });
  };
  return (
    <form onSubmit={submit}>
      <Stack maw={420}>
        <PasswordInput label="Current password" value={current} onChange={(e) => setCurrent(e.currentTarget.value)} required autoComplete="current-password" />
        <PasswordInput label="New password" description="At least 12 characters" value={next} onChange={(e) => setNext(e.currentTarget.value)} required autoComplete="new-password" />
        <PasswordInput label="Repeat new password" value={repeat} onChange={(e) => setRepeat(e.currentTarget.value)} required autoComplete="new-password" error={mismatch ? 'The passwords differ' : null} />
        <ProblemAlert error={change.error} title="The password was not changed" />
        <Group>
          <Button type="submit" loading={change.isPending} disabled={mismatch}>
            Change password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
