import { describe, expect, it } from 'vitest';
import { fillPath, queryString } from './client.ts';
import { staleKeys } from './events.ts';

describe('typed client helpers', () => {
  it('fills path parameters, escaping them', () => {
    expect(fillPath('/api/stacks/:id/versions/:versionId', { id: 3, versionId: 9 })).toBe('/api/stacks/3/versions/9');
    expect(fillPath('/api/templates/:id', { id: 'a/b c' })).toBe('/api/templates/a%2Fb%20c');
    expect(() => fillPath('/api/stacks/:id', {})).toThrow(/missing path parameter id/);
  });

  it('builds query strings without empty values', () => {
    expect(queryString({ search: 'web', page: 2, empty: '', none: undefined, tags: [1, 2] })).toBe('?search=web&page=2&tags=1&tags=2');
    expect(queryString(undefined)).toBe('');
    expect(queryString({})).toBe('');
  });
});

describe('live events', () => {
  it('mark exactly the reads that show what changed as stale', () => {
    expect(staleKeys({ type: 'snapshot', environmentId: 4 })).toContainEqual(['GET /api/environments/:id/snapshot', { params: { id: 4 } }]);
    expect(staleKeys({ type: 'stack', environmentId: 4, stackId: 9 })).toContainEqual(['GET /api/stacks/:id/versions', { params: { id: 9 } }]);
    expect(staleKeys({ type: 'environment', environmentId: 4 })).toContainEqual(['GET /api/environments']);
    expect(staleKeys({ type: 'command', environmentId: 4, commandId: 'c', status: 'succeeded' })).toContainEqual(['GET /api/environments/:id/commands', { params: { id: 4 } }]);
  });
});
