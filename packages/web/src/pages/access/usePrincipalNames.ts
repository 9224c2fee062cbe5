// Names of users and teams for the assignments list. Only administrators can list them; others
// see "user #id" except for themselves.
import type { Principal } from '@capstan/protocol';
import { useCallback, useMemo } from 'react';
import { useApi } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { useAllUsers } from '../users/useUserNames.ts';

/** Every team (up to 1000) when the principal may list them. */
export function useAllTeams() {
  const session = useSession();
  const available = session.can('teams.read');
  const q = useApi('GET /api/teams', { query: { limit: 1000 } }, { enabled: available, staleTime: 30_000 });
  return { teams: q.data?.items ?? [], available };
}

/** principal → "alice" / "team ops" (or "user #7" / "team #2" when unknown here). */
export function usePrincipalName(): (p: Principal) => string {
  const { me } = useSession();
  const { users } = useAllUsers();
  const { teams } = useAllTeams();
  const userNames = useMemo(() => new Map(users.map((u) => [u.id, u.username])), [users]);
  const teamNames = useMemo(() => new Map(teams.map((t) => [t.id, t.name])), [teams]);
  return useCallback(
    (p: Principal) => {
      if (p.type === 'team') return teamNames.get(p.id) ?? `team #${p.id}`;
      if (p.id === me.user.id) return me.user.username;
      return userNames.get(p.id) ?? `user #${p.id}`;
    },
    [me.user.id, me.user.username, userNames, teamNames],
  );
}
