// Environment groups and tags as select options (both lists are small: no paging).
import { useMemo } from 'react';
import { useApi } from '../../api/query.ts';

/** Options for group and tag pickers, plus id → name lookups. */
export function useGroupsAndTags() {
  const groups = useApi('GET /api/environments/groups', undefined, { staleTime: 60_000 });
  const tags = useApi('GET /api/environments/tags', undefined, { staleTime: 60_000 });
  return useMemo(() => {
    const groupItems = groups.data?.items ?? [];
    const tagItems = tags.data?.items ?? [];
    return {
      groupOptions: groupItems.map((g) => ({ value: String(g.id), label: g.name })),
      tagOptions: tagItems.map((t) => ({ value: String(t.id), label: t.name })),
      groupName: (id: number | null): string | null => (id === null ? null : (groupItems.find((g) => g.id === id)?.name ?? `group ${id}`)),
      error: groups.error ?? tags.error,
    };
  }, [groups.data, tags.data, groups.error, tags.error]);
}
