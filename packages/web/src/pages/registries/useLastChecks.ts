// Last checks per registry: the audit log's registries.test records (when the principal may read
// the log; no event announces new ones, so they are read when the page opens and after a test)
// plus the checks run on this page.
import { useMemo } from 'react';
import { useApi } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { lastChecks, type LastCheck } from './lastChecks.ts';

const RECENT_TESTS = { query: { action: 'registries.test', limit: 500 } };

/** registry id → its newest known check. */
export function useLastChecks(local: ReadonlyMap<number, LastCheck>): Map<number, LastCheck> {
  const session = useSession();
  const audit = useApi('GET /api/audit', RECENT_TESTS, { enabled: session.can('audit.read') });
  return useMemo(() => lastChecks(audit.data?.items ?? [], local), [audit.data, local]);
}
