import type { Environment } from '@capstan/protocol';
import { useMemo } from 'react';
import { useApi } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';

/** Every environment the principal sees (one page of up to 1000), and those it may deploy stacks to. */
export function useEnvironments() {
  const session = useSession();
  const query = useApi('GET /api/environments', { query: { limit: 1000 } }, { staleTime: 30_000 });
  const all = useMemo<Environment[]>(() => query.data?.items ?? [], [query.data]);
  const deployable = useMemo(() => all.filter((e) => session.can('stacks.deploy', e)), [all, session]);
  const byId = useMemo(() => new Map(all.map((e) => [e.id, e])), [all]);
  return { query, all, deployable, byId };
}
