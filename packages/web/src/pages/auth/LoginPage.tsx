// Sign in; returns the person to where they were (`?next=`), and says why they are here when a
// session expired or was ended elsewhere.
import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useApiMutation } from '../../api/query.ts';
import { safeNext } from '../../auth/next.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { AuthFrame } from './AuthFrame.tsx';

const REASONS: Record<string, string> = {
  session_expired: 'Your session expired. Sign in again to continue where you were.',
  session_revoked: 'Your session was ended (signed out elsewhere, password changed, or by an administrator).',
  logged_out: 'You are signed out.',
  unauthenticated: 'Sign in to continue.',
};

export default function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useApiMutation('POST /api/auth/login', {
    onSuccess: () => {
      client.clear();
      void navigate(safeNext(params.get('next')), { replace: true });
    },
  });
  const reason = REASONS[params.get('reason') ?? ''];
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    login.mutate({ body: { username, password } });
  };
  return (
    <AuthFrame title="Sign in" subtitle="Manage your Docker hosts from one place.">
      <form onSubmit={submit}>
        <Stack>
          {reason && (
            <Alert color="blue" variant="light">
              {reason}
            </Alert>
          )}
          <TextInput label="Username" value={username} onChange={(e) => setUsername(e.currentTarget.value)} required autoComplete="username" autoFocus />
          <PasswordInput label="Password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} required autoComplete="current-password" />
          <ProblemAlert error={login.error} title="Sign-in failed" />
          <Button type="submit" loading={login.isPending}>
            Sign in
          </Button>
        </Stack>
      </form>
    </AuthFrame>
  );
}
