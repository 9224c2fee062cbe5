// Registries: credentials for private image registries, lent to agents when they pull. Listing
// needs registries.read; adding, editing, testing and deleting need registries.manage.
import { Button, Stack, Text } from '@mantine/core';
import type { Registry } from '@capstan/protocol';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useApi, useApiMutation } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useScopes } from '../access/useScopes.ts';
import { ConfirmModal } from '../../components/ConfirmModal.tsx';
import { NoAccess } from '../../components/NoAccess.tsx';
import { notifyDone } from '../../components/notify.ts';
import type { LastCheck } from './lastChecks.ts';
import { RegistryFormModal, type RegistryForm } from './RegistryFormModal.tsx';
import { RegistryTable } from './RegistryTable.tsx';
import { RegistryTestModal, type RegistryTestState } from './RegistryTestModal.tsx';
import { useLastChecks } from './useLastChecks.ts';

/** /registries: the list for registries.read, an explanation otherwise. */
export default function RegistriesPage() {
  const session = useSession();
  if (!session.can('registries.read')) {
    return (
      <>
        <PageHeader title="Registries" />
        <NoAccess>Registry definitions hold credentials, so only administrators can see them.</NoAccess>
      </>
    );
  }
  return <RegistriesView />;
}

function RegistriesView() {
  const session = useSession();
  const manage = session.can('registries.manage');
  const list = useApi('GET /api/registries');
  const scopes = useScopes();
  const [local, setLocal] = useState<ReadonlyMap<number, LastCheck>>(new Map());
  const checks = useLastChecks(local);
  const [form, setForm] = useState<RegistryForm>(null);
  const [deleting, setDeleting] = useState<Registry | null>(null);
  const [testState, setTestState] = useState<RegistryTestState | null>(null);
  const remember = (id: number, c: LastCheck): void => setLocal((m) => new Map(m).set(id, c));
  const test = useApiMutation('POST /api/registries/:id/test', { invalidate: [['GET /api/audit']] });
  const runTest = (r: Registry): void => {
    setTestState({ registry: r, pending: true });
    test.mutate(
      { params: { id: r.id } },
      {
        onSuccess: (result) => {
          remember(r.id, { at: result.checkedAt, ok: true, detail: `${result.auth} auth` });
          setTestState({ registry: r, pending: false, result });
        },
        onError: (error) => {
          remember(r.id, { at: new Date().toISOString(), ok: false, detail: error.code });
          setTestState({ registry: r, pending: false, error });
        },
      },
    );
  };
  const remove = useApiMutation('DELETE /api/registries/:id', {
    invalidate: [['GET /api/registries']],
    onSuccess: () => {
      notifyDone('Registry deleted');
      setDeleting(null);
    },
  });
  return (
    <Stack gap="md">
      <PageHeader
        title="Registries"
        description="Credentials for private image registries. Agents receive them only for pulls on environments the registry is open to; passwords are never shown."
        actions={
          <Guarded permission="registries.manage">
            <Button leftSection={<IconPlus size={16} />} onClick={() => setForm({ registry: null })}>
              Add registry
            </Button>
          </Guarded>
        }
      />
      <ProblemAlert error={list.error ?? scopes.error} title="Registries could not be loaded" />
      {list.isPending && <Loading label="Loading registries" />}
      {list.data && list.data.items.length === 0 && <Text c="dimmed">No registries yet. Public images need none.</Text>}
      {list.data && list.data.items.length > 0 && (
        <RegistryTable
          registries={list.data.items}
          scopes={scopes}
          checks={checks}
          manage={manage}
          testing={test.isPending ? (test.variables.params.id as number) : null}
          onTest={runTest}
          onEdit={(r) => setForm({ registry: r })}
          onDelete={setDeleting}
        />
      )}
      <RegistryFormModal form={form} onClose={() => setForm(null)} />
      <RegistryTestModal state={testState} onClose={() => setTestState(null)} />
      <ConfirmModal
        opened={deleting !== null}
        title={`Delete registry ${deleting?.name ?? ''}?`}
        confirmLabel="Delete registry"
        loading={remove.isPending}
        error={remove.error}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() => deleting && remove.mutate({ params: { id: deleting.id } })}
      >
        Its credentials are deleted. Pulls of private images from {deleting?.host ?? 'it'} will fail until credentials are added again; running containers are not affected.
      </ConfirmModal>
    </Stack>
  );
}
