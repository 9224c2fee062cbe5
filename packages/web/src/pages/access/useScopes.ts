// The environments and groups a principal can see, for pickers and for naming scopes by id.
import type { Environment, EnvironmentGroup } from '@capstan/protocol';
import { useMemo } from 'react';
import { useApi } from '../../api/query.ts';

export interface Scopes {
  environments: Environment[];
  groups: EnvironmentGroup[];
  envName: (id: number) => string;
  groupName: (id: number) => string;
  loading: boolean;
  error: unknown;
}

/** Up to 1000 environments (the API's page limit) and every group. */
export function useScopes(): Scopes {
  const envs = useApi('GET /api/environments', { query: { limit: 1000 } }, { staleTime: 30_000 });
  const groups = useApi('GET /api/environments/groups', undefined, { staleTime: 30_000 });
  return useMemo(() => {
    const environments = envs.data?.items ?? [];
    const groupList = groups.data?.items ?? [];
    const envNames = new Map(environments.map((e) => [e.id, e.name]));
    const groupNames = new Map(groupList.map((g) => [g.id, g.name]));
    return {
      environments,
      groups: groupList,
      envName: (id) => envNames.get(id) ?? `environment #${id}`,
      groupName: (id) => groupNames.get(id) ?? `group #${id}`,
      loading: envs.isPending || groups.isPending,
      error: envs.error ?? groups.error,
    };
  }, [envs.data, envs.isPending, envs.error, groups.data, groups.isPending, groups.error]);
}
