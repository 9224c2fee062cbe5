// Tags label environments for search and filtering. Everyone sees them; tags.manage creates and
// deletes them (the API has no rename).
import { Badge, Button, CloseButton, Group, Stack, Text, TextInput } from '@mantine/core';
import type { Tag } from '@capstan/protocol';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useApi, useApiMutation } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { ConfirmModal } from '../../components/ConfirmModal.tsx';
import { notifyDone } from '../../components/notify.ts';

function NewTagForm() {
  const [name, setName] = useState('');
  const create = useApiMutation('POST /api/environments/tags', {
    invalidate: [['GET /api/environments/tags']],
    onSuccess: (t) => {
      notifyDone(`Tag ${t.name} created`);
      setName('');
    },
  });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    create.mutate({ body: { name } });
  };
  return (
    <form onSubmit={submit}>
      <Stack gap="xs">
        <Group align="flex-end" wrap="wrap">
          <TextInput label="New tag" description="Letters, digits and . _ : = / -, e.g. env=prod" value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={64} w={320} />
          <Button type="submit" leftSection={<IconPlus size={16} />} loading={create.isPending} disabled={name.trim() === ''}>
            Add tag
          </Button>
        </Group>
        <ProblemAlert error={create.error} title="The tag was not created" />
      </Stack>
    </form>
  );
}

/** The "Tags" tab. */
export function TagsPanel() {
  const session = useSession();
  const manage = session.can('tags.manage');
  const list = useApi('GET /api/environments/tags');
  const [deleting, setDeleting] = useState<Tag | null>(null);
  const remove = useApiMutation('DELETE /api/environments/tags/:id', {
    invalidate: [['GET /api/environments/tags'], ['GET /api/environments']],
    onSuccess: () => {
      notifyDone('Tag deleted');
      setDeleting(null);
    },
  });
  const tags = [...(list.data?.items ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <Stack>
      {manage && <NewTagForm />}
      <ProblemAlert error={list.error} title="Tags could not be loaded" />
      {list.isPending && <Loading label="Loading tags" />}
      {list.data && tags.length === 0 && <Text c="dimmed">No tags yet.</Text>}
      <Group gap="xs" wrap="wrap" role="list" aria-label="Tags">
        {tags.map((t) => (
          <Badge
            key={t.id}
            role="listitem"
            size="lg"
            variant="light"
            tt="none"
            rightSection={manage ? <CloseButton size="xs" aria-label={`Delete tag ${t.name}`} onClick={() => setDeleting(t)} /> : undefined}
          >
            {t.name}
          </Badge>
        ))}
      </Group>
      <ConfirmModal
        opened={deleting !== null}
        title={`Delete tag ${deleting?.name ?? ''}?`}
        confirmLabel="Delete tag"
        loading={remove.isPending}
        error={remove.error}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() => deleting && remove.mutate({ params: { id: deleting.id } })}
      >
        The tag is removed from every environment that carries it.
      </ConfirmModal>
    </Stack>
  );
}
