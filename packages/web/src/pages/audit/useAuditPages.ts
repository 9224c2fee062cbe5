// The audit log page by page ("Load more"), newest first. Offsets shift when new records arrive
// while reading, so records are de-duplicated by id when the pages are joined.
import type { AuditQuery } from '@capstan/protocol';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { call, type ApiError } from '../../api/client.ts';
import { joinPages } from './joinPages.ts';

const AUDIT_PAGE_SIZE = 100;

/** Records matching `query`, a page at a time; the key starts with the operation so invalidation reaches it. */
export function useAuditPages(query: Omit<AuditQuery, 'limit' | 'offset'>) {
  const q = useInfiniteQuery({
    queryKey: ['GET /api/audit', { query }, 'pages'],
    queryFn: ({ pageParam, signal }) => call('GET /api/audit', { query: { ...query, limit: AUDIT_PAGE_SIZE, offset: pageParam } }, signal),
    initialPageParam: 0,
    getNextPageParam: (last) => (last.offset + last.items.length < last.total && last.items.length > 0 ? last.offset + last.items.length : undefined),
  });
  const records = useMemo(() => joinPages(q.data?.pages ?? []), [q.data]);
  const total = q.data?.pages.at(-1)?.total ?? 0;
  return { ...q, error: q.error as ApiError | null, records, total };
}
