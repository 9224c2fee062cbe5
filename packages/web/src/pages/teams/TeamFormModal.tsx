// Create a team (name and first members) or rename one.
import { Button, Group, Modal, MultiSelect, Stack, TextInput } from '@mantine/core';
import type { Team } from '@capstan/protocol';
import { useState, type FormEvent } from 'react';
import { useApiMutation } from '../../api/query.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { notifyDone } from '../../components/notify.ts';
import { useAllUsers } from '../users/useUserNames.ts';

/** What the dialog does: create a team, or rename `team`. */
export type TeamForm = { mode: 'create' } | { mode: 'rename'; team: Team } | null;

/** The "New team" / "Rename team" dialog. */
export function TeamFormModal({ form, onClose }: { form: TeamForm; onClose: () => void }) {
  const title = form?.mode === 'rename' ? `Rename ${form.team.name}` : 'New team';
  return (
    <Modal opened={form !== null} onClose={onClose} title={title} centered>
      {form?.mode === 'create' && <CreateTeamForm onClose={onClose} />}
      {form?.mode === 'rename' && <RenameTeamForm team={form.team} onClose={onClose} />}
    </Modal>
  );
}

function Actions({ label, loading, onClose }: { label: string; loading: boolean; onClose: () => void }) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onClose}>
        Cancel
      </Button>
      <Button type="submit" loading={loading}>
        {label}
      </Button>
    </Group>
  );
}

function CreateTeamForm({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  const { users } = useAllUsers();
  const create = useApiMutation('POST /api/teams', {
    invalidate: [['GET /api/teams']],
    onSuccess: (t) => {
      notifyDone(`Team ${t.name} created`);
      onClose();
    },
  });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    create.mutate({ body: { name, memberIds: members.map(Number) } });
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus />
        <MultiSelect label="Members" placeholder="Pick users" data={users.map((u) => ({ value: String(u.id), label: u.username }))} value={members} onChange={setMembers} searchable clearable />
        <ProblemAlert error={create.error} title="The team was not created" />
        <Actions label="Create team" loading={create.isPending} onClose={onClose} />
      </Stack>
    </form>
  );
}

function RenameTeamForm({ team, onClose }: { team: Team; onClose: () => void }) {
  const [name, setName] = useState(team.name);
  const rename = useApiMutation('PATCH /api/teams/:id', {
    invalidate: [['GET /api/teams']],
    onSuccess: (t) => {
      notifyDone(`Team renamed to ${t.name}`);
      onClose();
    },
  });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    rename.mutate({ params: { id: team.id }, body: { name } });
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus />
        <ProblemAlert error={rename.error} title="The team was not renamed" />
        <Actions label="Rename" loading={rename.isPending} onClose={onClose} />
      </Stack>
    </form>
  );
}
