import { useApi } from '../../api/query.ts';

/** The environment's stacks (one page of up to 500; an environment rarely has more). */
export function useEnvStacks(environmentId: number, enabled = true) {
  return useApi('GET /api/stacks', { query: { environmentId, limit: 500 } }, { enabled });
}
