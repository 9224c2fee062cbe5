// First run: create the administrator; the server signs it in at once.
import { Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { useApi, useApiMutation } from '../../api/query.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { AuthFrame } from './AuthFrame.tsx';

export default function SetupPage() {
  const health = useApi('GET /api/health');
  const navigate = useNavigate();
  const client = useQueryClient();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const setup = useApiMutation('POST /api/setup/admin', {
    onSuccess: () => {
      client.clear();
      void navigate('/', { replace: true });
    },
  });
  if (health.data && !health.data.setupRequired) return <Navigate to="/" replace />;
  const mismatch = confirm.length > 0 && confirm !== password;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!mismatch) setup.mutate({ body: { username, password } });
  };
  return (
    <AuthFrame title="Create the administrator" subtitle="This account manages everything: environments, users and access. Choose a long password.">
      <form onSubmit={submit}>
        <Stack>
          <TextInput label="Username" value={username} onChange={(e) => setUsername(e.currentTarget.value)} required autoComplete="username" />
          <PasswordInput label="Password" description="At least 12 characters" value={password} onChange={(e) => setPassword(e.currentTarget.value)} required autoComplete="new-password" />
          <PasswordInput label="Repeat password" value={confirm} onChange={(e) => setConfirm(e.currentTarget.value)} required autoComplete="new-password" error={mismatch ? 'The passwords differ' : null} />
          <ProblemAlert error={setup.error} title="Setup failed" />
          <Button type="submit" loading={setup.isPending} disabled={mismatch || password.length === 0}>
            Create administrator
          </Button>
        </Stack>
      </form>
    </AuthFrame>
  );
}
