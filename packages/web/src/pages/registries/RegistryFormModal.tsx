// Add or edit a registry. The password is write-only: it is never shown, and when editing an
// empty field keeps the stored one.
import { Button, Group, Modal, PasswordInput, Stack, Switch, TextInput } from '@mantine/core';
import type { Registry } from '@capstan/protocol';
import { useState, type FormEvent } from 'react';
import { useApiMutation } from '../../api/query.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { notifyDone } from '../../components/notify.ts';
import { createBody, draftOf, updateBody, type RegistryDraft } from './registryForm.ts';
import { RegistryScopeFields } from './RegistryScopeFields.tsx';

/** `{ registry: null }` adds one; `{ registry }` edits it; null: closed. */
export type RegistryForm = { registry: Registry | null } | null;

/** The "Add registry" / "Edit registry" dialog. */
export function RegistryFormModal({ form, onClose }: { form: RegistryForm; onClose: () => void }) {
  return (
    <Modal opened={form !== null} onClose={onClose} title={form?.registry ? `Edit ${form.registry.name}` : 'Add registry'} size="lg" centered>
      {form && <RegistryFormBody registry={form.registry} onClose={onClose} />}
    </Modal>
  );
}

const INVALIDATE = { invalidate: [['GET /api/registries']] };

function RegistryFormBody({ registry, onClose }: { registry: Registry | null; onClose: () => void }) {
  const [draft, setDraft] = useState<RegistryDraft>(() => draftOf(registry ?? undefined));
  const patch = (p: Partial<RegistryDraft>): void => setDraft((d) => ({ ...d, ...p }));
  const done = (message: string): void => {
    notifyDone(message);
    onClose();
  };
  const create = useApiMutation('POST /api/registries', { ...INVALIDATE, onSuccess: (r) => done(`Registry ${r.name} added`) });
  const update = useApiMutation('PATCH /api/registries/:id', { ...INVALIDATE, onSuccess: (r) => done(`Registry ${r.name} saved`) });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!registry) {
      create.mutate({ body: createBody(draft) });
      return;
    }
    const body = updateBody(draft, registry);
    if (body === null) onClose();
    else update.mutate({ params: { id: registry.id }, body });
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput label="Name" value={draft.name} onChange={(e) => patch({ name: e.currentTarget.value })} required data-autofocus />
        <TextInput
          label="Address"
          description="host[:port] as image names use it: docker.io, ghcr.io, registry.example.com:5000"
          value={draft.host}
          onChange={(e) => patch({ host: e.currentTarget.value })}
          required
          ff="monospace"
        />
        <TextInput label="Username" value={draft.username} onChange={(e) => patch({ username: e.currentTarget.value })} required autoComplete="off" />
        <PasswordInput
          label={registry ? 'New password or token' : 'Password or token'}
          description={registry ? 'Leave empty to keep the stored password. It is never shown again.' : 'Stored encrypted; it is never shown again.'}
          value={draft.password}
          onChange={(e) => patch({ password: e.currentTarget.value })}
          required={!registry}
          autoComplete="new-password"
        />
        <Switch
          label="Insecure registry"
          description="Plain HTTP or an unverified certificate. The Docker engines must list it in insecure-registries too."
          checked={draft.insecure}
          onChange={(e) => patch({ insecure: e.currentTarget.checked })}
        />
        <RegistryScopeFields draft={draft} onChange={patch} />
        <ProblemAlert error={create.error ?? update.error} title="The registry was not saved" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending}>
            {registry ? 'Save' : 'Add registry'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
