// A fresh join command for an environment (POST …/join-tokens): shown once, so it lives in state.
import type { JoinToken } from '@capstan/protocol';
import { useState } from 'react';
import { useApiMutation } from '../../api/query.ts';

/** The latest join command made on this page, and `generate()` for a new one. */
export function useJoinToken(environmentId: number, initial: JoinToken | null = null) {
  const [token, setToken] = useState<JoinToken | null>(initial);
  const mutation = useApiMutation('POST /api/environments/:id/join-tokens', { onSuccess: (t) => setToken(t) });
  return {
    token,
    setToken,
    generate: () => mutation.mutate({ params: { id: environmentId }, body: {} }),
    pending: mutation.isPending,
    error: mutation.error,
  };
}
