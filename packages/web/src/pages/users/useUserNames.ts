// Usernames by id for pages that show user ids (teams, assignments, API keys). Only principals
// with users.read can list users; others get an empty map and fall back to "user #id".
import { useMemo } from 'react';
import type { User } from '@capstan/protocol';
import { useApi } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';

/** The server's page limit: enough for the pickers of a self-hosted instance. */
const ALL = { query: { limit: 1000 } } as const;

/** Every user (up to 1000) when the principal may list them; `available` says whether it may. */
export function useAllUsers(): { users: User[]; available: boolean; loading: boolean; error: unknown } {
  const session = useSession();
  const available = session.can('users.read');
  const q = useApi('GET /api/users', ALL, { enabled: available, staleTime: 30_000 });
  return { users: q.data?.items ?? [], available, loading: available && q.isPending, error: q.error };
}

/** id → username for the users the principal may list. */
export function useUserNames(): Map<number, string> {
  const { users } = useAllUsers();
  return useMemo(() => new Map(users.map((u) => [u.id, u.username])), [users]);
}

/** "alice", or "user #7" when the name is not known to this principal. */
export function userLabel(names: ReadonlyMap<number, string>, id: number): string {
  return names.get(id) ?? `user #${id}`;
}
