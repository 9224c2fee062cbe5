import { describe, expect, it } from 'vitest';
import { hasAllTags, isFiltered, listQuery, readHomeFilters, writeHomeFilters } from './home-filters.ts';

describe('home filters', () => {
  it('round-trips through the URL query', () => {
    const f = { search: 'prod', groupId: 3, tagIds: [1, 4], page: 2 };
    const params = writeHomeFilters(f);
    expect(params.toString()).toBe('q=prod&group=3&tag=1&tag=4&page=2');
    expect(readHomeFilters(params)).toEqual(f);
  });

  it('reads malformed values as no filter', () => {
    expect(readHomeFilters(new URLSearchParams('group=x&tag=0&tag=2&tag=2&page=-1'))).toEqual({ search: '', groupId: null, tagIds: [2], page: 1 });
    expect(writeHomeFilters({ search: ' ', groupId: null, tagIds: [], page: 1 }).toString()).toBe('');
  });

  it('builds the server query: one tag, trimmed search, paging', () => {
    expect(listQuery({ search: ' db ', groupId: null, tagIds: [7, 8], page: 3 })).toEqual({ search: 'db', tagId: 7, limit: 50, offset: 100 });
    expect(listQuery({ search: '', groupId: 2, tagIds: [], page: 1 })).toEqual({ groupId: 2, limit: 50, offset: 0 });
  });

  it('knows when the list is narrowed and which environments carry all tags', () => {
    expect(isFiltered({ search: '', groupId: null, tagIds: [], page: 4 })).toBe(false);
    expect(isFiltered({ search: '', groupId: null, tagIds: [1], page: 1 })).toBe(true);
    const env = { tags: [{ id: 1, name: 'prod' }, { id: 2, name: 'eu' }] };
    expect(hasAllTags(env, [1, 2])).toBe(true);
    expect(hasAllTags(env, [1, 3])).toBe(false);
    expect(hasAllTags(env, [])).toBe(true);
  });
});
