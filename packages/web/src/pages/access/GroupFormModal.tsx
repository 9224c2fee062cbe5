// Create or edit an environment group (name and description).
import { Button, Group, Modal, Stack, TextInput, Textarea } from '@mantine/core';
import type { EnvironmentGroup } from '@capstan/protocol';
import { useState, type FormEvent } from 'react';
import { useApiMutation } from '../../api/query.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { notifyDone } from '../../components/notify.ts';

/** `{ group: null }` creates; `{ group }` edits; null: closed. */
export type GroupForm = { group: EnvironmentGroup | null } | null;

/** The "New group" / "Edit group" dialog. */
export function GroupFormModal({ form, onClose }: { form: GroupForm; onClose: () => void }) {
  return (
    <Modal opened={form !== null} onClose={onClose} title={form?.group ? `Edit ${form.group.name}` : 'New group'} centered>
      {form && <GroupFormBody group={form.group} onClose={onClose} />}
    </Modal>
  );
}

const INVALIDATE = { invalidate: [['GET /api/environments/groups'], ['GET /api/environments']] };

function GroupFormBody({ group, onClose }: { group: EnvironmentGroup | null; onClose: () => void }) {
  const [name, setName] = useState(group?.name ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  const done = (message: string): void => {
    notifyDone(message);
    onClose();
  };
  const create = useApiMutation('POST /api/environments/groups', { ...INVALIDATE, onSuccess: (g) => done(`Group ${g.name} created`) });
  const update = useApiMutation('PATCH /api/environments/groups/:id', { ...INVALIDATE, onSuccess: (g) => done(`Group ${g.name} saved`) });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (group) update.mutate({ params: { id: group.id }, body: { name, description } });
    else create.mutate({ body: { name, description } });
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus />
        <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={2} maxLength={1000} />
        <ProblemAlert error={create.error ?? update.error} title="The group was not saved" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending}>
            {group ? 'Save' : 'Create group'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
