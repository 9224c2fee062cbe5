import { describe, expect, it } from 'vitest';
import { assignmentQuery, parseScopeKey, scopeKey } from './assignments.ts';

describe('scope keys', () => {
  it('round-trip', () => {
    expect(parseScopeKey(scopeKey('group', 12))).toEqual({ type: 'group', id: 12 });
    expect(parseScopeKey(scopeKey('environment', 3))).toEqual({ type: 'environment', id: 3 });
  });
  it('read "all" and garbage as no scope', () => {
    expect(parseScopeKey(null)).toBeNull();
    expect(parseScopeKey('all')).toBeNull();
    expect(parseScopeKey('user:3')).toBeNull();
    expect(parseScopeKey('group:3x')).toBeNull();
  });
  it('make the list query', () => {
    expect(assignmentQuery(null)).toEqual({});
    expect(assignmentQuery({ type: 'environment', id: 4 })).toEqual({ scopeType: 'environment', scopeId: 4 });
  });
});
