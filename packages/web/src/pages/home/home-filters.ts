// The environment list's filters, kept in the URL's query so a reload or a shared link keeps them.
import type { Environment } from '@capstan/protocol';

/** Environments per page. */
export const PAGE_SIZE = 50;

/** What the list is narrowed to. */
export interface HomeFilters {
  search: string;
  groupId: number | null;
  tagIds: number[];
  /** 1-based. */
  page: number;
}

const positiveInt = (v: string | null): number | null => {
  const n = Number(v);
  return v !== null && Number.isInteger(n) && n > 0 ? n : null;
};

/** The filters a URL query describes; anything malformed reads as "no filter". */
export function readHomeFilters(params: URLSearchParams): HomeFilters {
  return {
    search: params.get('q') ?? '',
    groupId: positiveInt(params.get('group')),
    tagIds: [...new Set(params.getAll('tag').map(positiveInt).filter((n): n is number => n !== null))],
    page: positiveInt(params.get('page')) ?? 1,
  };
}

/** The URL query for the filters (defaults left out). */
export function writeHomeFilters(f: HomeFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (f.search.trim() !== '') params.set('q', f.search);
  if (f.groupId !== null) params.set('group', String(f.groupId));
  for (const tag of f.tagIds) params.append('tag', String(tag));
  if (f.page > 1) params.set('page', String(f.page));
  return params;
}

/** Whether any filter narrows the list. */
export function isFiltered(f: HomeFilters): boolean {
  return f.search.trim() !== '' || f.groupId !== null || f.tagIds.length > 0;
}

/**
 * The list query for the server. It filters by one tag; with more selected the first goes to the
 * server and the page is narrowed further by `hasAllTags`.
 */
export function listQuery(f: HomeFilters): { search?: string; groupId?: number; tagId?: number; limit: number; offset: number } {
  return {
    ...(f.search.trim() !== '' ? { search: f.search.trim() } : {}),
    ...(f.groupId !== null ? { groupId: f.groupId } : {}),
    ...(f.tagIds[0] !== undefined ? { tagId: f.tagIds[0] } : {}),
    limit: PAGE_SIZE,
    offset: (f.page - 1) * PAGE_SIZE,
  };
}

/** Whether the environment carries every one of the tags. */
export function hasAllTags(env: Pick<Environment, 'tags'>, tagIds: readonly number[]): boolean {
  return tagIds.every((id) => env.tags.some((t) => t.id === id));
}
