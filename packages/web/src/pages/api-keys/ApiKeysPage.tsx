// API keys: the signed-in person's keys for scripts and the CLI (create, see use, delete).
// Administrators may look at another user's keys (?userId=) and delete them, not create them.
import { Button, Select, Stack, Text } from '@mantine/core';
import type { ApiKey } from '@capstan/protocol';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useApi, useApiMutation } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { ConfirmModal } from '../../components/ConfirmModal.tsx';
import { notifyDone } from '../../components/notify.ts';
import { useAllUsers } from '../users/useUserNames.ts';
import { ApiKeyTable } from './ApiKeyTable.tsx';
import { CreateApiKeyModal } from './CreateApiKeyModal.tsx';

function OwnerSelect({ value, onChange }: { value: number; onChange: (id: number) => void }) {
  const { users } = useAllUsers();
  return (
    <Select
      label="Keys of"
      data={users.map((u) => ({ value: String(u.id), label: u.username }))}
      value={String(value)}
      onChange={(v) => v && onChange(Number(v))}
      allowDeselect={false}
      searchable
      w={280}
    />
  );
}

/** /api-keys: the caller's keys, or another user's (?userId=) for administrators. */
export default function ApiKeysPage() {
  const session = useSession();
  const { me } = session;
  const [params, setParams] = useSearchParams();
  const asked = Number(params.get('userId'));
  const seeOthers = session.can('users.read');
  const owner = seeOthers && Number.isInteger(asked) && asked > 0 ? asked : me.user.id;
  const own = owner === me.user.id;
  const list = useApi('GET /api/api-keys', { query: own ? {} : { userId: owner } });
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<ApiKey | null>(null);
  const remove = useApiMutation('DELETE /api/api-keys/:id', {
    invalidate: [['GET /api/api-keys']],
    onSuccess: () => {
      notifyDone('API key deleted');
      setDeleting(null);
    },
  });
  const canDelete = own ? session.can('self.manage') : session.can('users.manage');
  const setOwner = (id: number): void => setParams(id === me.user.id ? {} : { userId: String(id) });
  return (
    <Stack gap="md">
      <PageHeader
        title="API keys"
        description="Keys let scripts and the CLI act as you, without your password. A read-only key cannot change anything."
        actions={
          own &&
          session.can('self.manage') && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
              New API key
            </Button>
          )
        }
      />
      {seeOthers && <OwnerSelect value={owner} onChange={setOwner} />}
      {me.authMethod === 'api_key' && me.readOnly && (
        <Text size="sm" c="dimmed">
          You are signed in with a read-only API key: keys can be seen but not created or deleted.
        </Text>
      )}
      <ProblemAlert error={list.error} title="API keys could not be loaded" />
      {list.isPending && <Loading label="Loading API keys" />}
      {list.data && list.data.items.length === 0 && <Text c="dimmed">{own ? 'You have no API keys yet.' : 'This user has no API keys.'}</Text>}
      {list.data && list.data.items.length > 0 && <ApiKeyTable keys={list.data.items} canDelete={canDelete} onDelete={setDeleting} />}
      <CreateApiKeyModal opened={creating} onClose={() => setCreating(false)} />
      <ConfirmModal
        opened={deleting !== null}
        title={`Delete key ${deleting?.name ?? ''}?`}
        confirmLabel="Delete key"
        loading={remove.isPending}
        error={remove.error}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() => deleting && remove.mutate({ params: { id: deleting.id } })}
      >
        Anything using this key is refused from now on. This cannot be undone.
      </ConfirmModal>
    </Stack>
  );
}
