// Teams: named sets of users that roles can be granted to. Administrators create, rename and
// delete them and change their members.
import { Button, Group, Pagination, Stack, Text } from '@mantine/core';
import type { Team } from '@capstan/protocol';
import { IconPlus } from '@tabler/icons-react';
import { keepPreviousData } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi, useApiMutation } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { ConfirmModal } from '../../components/ConfirmModal.tsx';
import { NoAccess } from '../../components/NoAccess.tsx';
import { notifyDone } from '../../components/notify.ts';
import { useUserNames } from '../users/useUserNames.ts';
import { TeamFormModal, type TeamForm } from './TeamFormModal.tsx';
import { TeamMembersModal } from './TeamMembersModal.tsx';
import { TeamTable } from './TeamTable.tsx';

const PAGE_SIZE = 100;

/** /teams: the list for teams.read, an explanation otherwise. */
export default function TeamsPage() {
  const session = useSession();
  if (!session.can('teams.read')) {
    return (
      <>
        <PageHeader title="Teams" />
        <NoAccess>Only administrators can see teams. Roles you hold through a team show in Settings.</NoAccess>
      </>
    );
  }
  return <TeamsView />;
}

function TeamsView() {
  const [page, setPage] = useState(1);
  const list = useApi('GET /api/teams', { query: { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } }, { placeholderData: keepPreviousData });
  const names = useUserNames();
  const [form, setForm] = useState<TeamForm>(null);
  const [membersOf, setMembersOf] = useState<number | null>(null);
  const [deleting, setDeleting] = useState<Team | null>(null);
  const remove = useApiMutation('DELETE /api/teams/:id', {
    invalidate: [['GET /api/teams'], ['GET /api/roles/assignments']],
    onSuccess: () => {
      notifyDone('Team deleted');
      setDeleting(null);
    },
  });
  const teams = list.data?.items ?? [];
  // The dialog follows the list, so it shows members as they are after each change.
  const membersTeam = teams.find((t) => t.id === membersOf) ?? null;
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / PAGE_SIZE)) : 1;
  return (
    <Stack gap="md">
      <PageHeader
        title="Teams"
        description="Grant a role to a team once instead of to each person; members hold the team's roles."
        actions={
          <Guarded permission="teams.manage">
            <Button leftSection={<IconPlus size={16} />} onClick={() => setForm({ mode: 'create' })}>
              New team
            </Button>
          </Guarded>
        }
      />
      <ProblemAlert error={list.error} title="Teams could not be loaded" />
      {list.isPending && <Loading label="Loading teams" />}
      {list.data && teams.length === 0 && <Text c="dimmed">No teams yet.</Text>}
      {teams.length > 0 && <TeamTable teams={teams} names={names} onMembers={(t) => setMembersOf(t.id)} onRename={(t) => setForm({ mode: 'rename', team: t })} onDelete={setDeleting} />}
      {pages > 1 && (
        <Group justify="flex-end">
          <Pagination total={pages} value={page} onChange={setPage} aria-label="Pages of teams" />
        </Group>
      )}
      <TeamFormModal form={form} onClose={() => setForm(null)} />
      <TeamMembersModal team={membersTeam} onClose={() => setMembersOf(null)} />
      <ConfirmModal
        opened={deleting !== null}
        title={`Delete team ${deleting?.name ?? ''}?`}
        confirmLabel="Delete team"
        loading={remove.isPending}
        error={remove.error}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() => deleting && remove.mutate({ params: { id: deleting.id } })}
      >
        Its members lose the roles granted to the team (their own roles stay). The users themselves are not deleted.
      </ConfirmModal>
    </Stack>
  );
}
