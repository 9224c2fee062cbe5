// TanStack Query over the typed client. Query keys are `[operation, input]`, so invalidating
// `[operation]` refreshes every view of that operation and `[operation, {params}]` just one.
import type { ApiOperation } from '@capstan/protocol';
import { useMutation, useQuery, useQueryClient, type QueryKey, type UseQueryOptions } from '@tanstack/react-query';
import { call, type ApiError, type CallInput, type CallResult } from './client.ts';

type ReadOperation = Extract<ApiOperation, `GET ${string}`>;
type WriteOperation = Exclude<ApiOperation, ReadOperation>;

/** The query key of one read. */
export function keyOf<K extends ReadOperation>(operation: K, input?: CallInput<K>): QueryKey {
  return input ? [operation, input] : [operation];
}

/** Reads an operation and keeps it fresh (live events invalidate it; see events.ts). */
export function useApi<K extends ReadOperation>(
  operation: K,
  input?: CallInput<K>,
  options?: Omit<UseQueryOptions<CallResult<K>, ApiError>, 'queryKey' | 'queryFn'>,
) {
  return useQuery<CallResult<K>, ApiError>({
    queryKey: keyOf(operation, input),
    queryFn: ({ signal }) => call(operation, input, signal),
    ...options,
  });
}

/** A write; on success the named reads (whole operations or exact keys) are refetched. */
export function useApiMutation<K extends WriteOperation>(operation: K, opts: { invalidate?: QueryKey[]; onSuccess?: (result: CallResult<K>, input: CallInput<K>) => void } = {}) {
  const client = useQueryClient();
  return useMutation<CallResult<K>, ApiError, CallInput<K>>({
    mutationFn: (input) => call(operation, input),
    onSuccess: async (result, input) => {
      opts.onSuccess?.(result, input);
      await Promise.all((opts.invalidate ?? []).map((queryKey) => client.invalidateQueries({ queryKey })));
    },
  });
}
