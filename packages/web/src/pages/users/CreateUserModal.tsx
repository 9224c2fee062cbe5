// New local account: username, an initial password (told to the person out of band), admin flag.
import { Button, Checkbox, Group, Modal, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useApiMutation } from '../../api/query.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { notifyDone } from '../../components/notify.ts';

/** The "New user" dialog. */
export function CreateUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="New user" centered>
      {opened && <CreateUserForm onClose={onClose} />}
    </Modal>
  );
}

function CreateUserForm({ onClose }: { onClose: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [isAdmin, setIsAdmin] = useState(false);
  const create = useApiMutation('POST /api/users', {
    invalidate: [['GET /api/users']],
    onSuccess: (user) => {
      notifyDone(`User ${user.username} created`);
      onClose();
    },
  });
  const mismatch = repeat.length > 0 && repeat !== password;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!mismatch) create.mutate({ body: { username, password, isAdmin } });
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput label="Username" description="Letters, digits and . _ @ -" value={username} onChange={(e) => setUsername(e.currentTarget.value)} required autoComplete="off" data-autofocus />
        <PasswordInput label="Password" description="At least 12 characters; give it to the person privately" value={password} onChange={(e) => setPassword(e.currentTarget.value)} required autoComplete="new-password" />
        <PasswordInput label="Repeat password" value={repeat} onChange={(e) => setRepeat(e.currentTarget.value)} required autoComplete="new-password" error={mismatch ? 'The passwords differ' : null} />
        <Checkbox label="Administrator" description="Administrators can do everything, on every environment" checked={isAdmin} onChange={(e) => setIsAdmin(e.currentTarget.checked)} />
        <ProblemAlert error={create.error} title="The user was not created" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} disabled={mismatch}>
            Create user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
