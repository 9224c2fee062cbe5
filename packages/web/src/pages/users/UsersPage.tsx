// Users: a searchable, paged list of local accounts; administrators create, promote, disable,
// unlock, reset passwords and delete. Search and page live in the URL so a view can be shared.
import { Button, Group, Pagination, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import type { User } from '@capstan/protocol';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { keepPreviousData } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useApi } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { CreateUserModal } from './CreateUserModal.tsx';
import { NoAccess } from '../../components/NoAccess.tsx';
import { ResetPasswordModal } from './ResetPasswordModal.tsx';
import { UserDialogs, type UserDialog } from './UserDialogs.tsx';
import { UserTable } from './UserTable.tsx';

const PAGE_SIZE = 50;

/** /users: the list for users.read, an explanation otherwise. */
export default function UsersPage() {
  const session = useSession();
  if (!session.can('users.read')) {
    return (
      <>
        <PageHeader title="Users" />
        <NoAccess>Only administrators can see the list of users.</NoAccess>
      </>
    );
  }
  return <UsersView />;
}

function UsersView() {
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [typed, setTyped] = useState(search);
  const [debounced] = useDebouncedValue(typed.trim(), 300);
  useEffect(() => {
    if (debounced === search) return;
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (debounced) next.set('q', debounced);
      else next.delete('q');
      next.delete('page');
      return next;
    }, { replace: true });
  }, [debounced, search, setParams]);
  const setPage = (n: number): void => setParams((p) => {
    const next = new URLSearchParams(p);
    next.set('page', String(n));
    return next;
  });
  const list = useApi('GET /api/users', { query: { search: search || undefined, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } }, { placeholderData: keepPreviousData });
  const [creating, setCreating] = useState(false);
  const [dialog, setDialog] = useState<UserDialog>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / PAGE_SIZE)) : 1;
  return (
    <Stack gap="md">
      <PageHeader
        title="Users"
        description="Local accounts. Access to environments comes from roles (see Roles & access); administrators hold everything."
        actions={
          <Guarded permission="users.manage">
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
              New user
            </Button>
          </Guarded>
        }
      />
      <TextInput label="Search users" placeholder="Part of a username" leftSection={<IconSearch size={16} />} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} maw={360} />
      <ProblemAlert error={list.error} title="Users could not be loaded" />
      {list.isPending && <Loading label="Loading users" />}
      {list.data && list.data.items.length === 0 && <Text c="dimmed">{search ? `No user matches “${search}”.` : 'No users yet.'}</Text>}
      {list.data && list.data.items.length > 0 && <UserTable users={list.data.items} onDialog={setDialog} onResetPassword={setResetting} />}
      {list.data && (
        <Group justify="space-between" wrap="wrap">
          <Text size="sm" c="dimmed">
            {list.data.total} {list.data.total === 1 ? 'user' : 'users'}
          </Text>
          {pages > 1 && <Pagination total={pages} value={Math.min(page, pages)} onChange={setPage} aria-label="Pages of users" />}
        </Group>
      )}
      <CreateUserModal opened={creating} onClose={() => setCreating(false)} />
      <UserDialogs dialog={dialog} onClose={() => setDialog(null)} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
    </Stack>
  );
}
