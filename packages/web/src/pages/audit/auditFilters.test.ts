import { describe, expect, it } from 'vitest';
import { EMPTY_FILTERS, actionParam, auditQuery, filtersFromParams, filtersToParams, hasFilters } from './auditFilters.ts';

describe('filters ↔ URL', () => {
  it('round-trips every filter', () => {
    const f = { action: 'stack.deploy', user: 'alice', outcome: 'failure', targetType: 'stack', targetId: '4', requestId: 'r-1', from: '2026-03-01T10:00:00.000Z', to: '2026-03-02T10:00:00.000Z' } as const;
    expect(filtersFromParams(filtersToParams(f))).toEqual(f);
  });
  it('leaves empty filters out of the URL', () => {
    expect(filtersToParams({ ...EMPTY_FILTERS, user: 'bob' }).toString()).toBe('user=bob');
    expect(filtersToParams(EMPTY_FILTERS).toString()).toBe('');
    expect(hasFilters(EMPTY_FILTERS)).toBe(false);
  });
  it('ignores unknown outcomes and malformed times, trims text', () => {
    const f = filtersFromParams(new URLSearchParams('outcome=maybe&from=yesterday&to=2026-03-01T10:00:00Z&user=%20alice%20&page=3'));
    expect(f).toEqual({ ...EMPTY_FILTERS, user: 'alice', to: '2026-03-01T10:00:00.000Z' });
  });
});

describe('actionParam', () => {
  it('keeps exact actions and explicit prefixes', () => {
    expect(actionParam('stack.deploy')).toBe('stack.deploy');
    expect(actionParam('stack.*')).toBe('stack.*');
  });
  it('reads a bare word or a trailing dot as a prefix', () => {
    expect(actionParam('stack')).toBe('stack.*');
    expect(actionParam('stack.git.')).toBe('stack.git.*');
  });
  it('drops an empty action', () => {
    expect(actionParam('  ')).toBeUndefined();
  });
});

describe('auditQuery', () => {
  it('maps the filters to the API names', () => {
    expect(auditQuery({ ...EMPTY_FILTERS, action: 'users', user: 'alice', outcome: 'denied', from: '2026-03-01T10:00:00.000Z' })).toEqual({
      action: 'users.*',
      username: 'alice',
      outcome: 'denied',
      from: '2026-03-01T10:00:00.000Z',
    });
  });
  it('is empty without filters', () => {
    expect(auditQuery(EMPTY_FILTERS)).toEqual({});
  });
});
