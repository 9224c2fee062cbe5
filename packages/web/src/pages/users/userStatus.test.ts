import { describe, expect, it } from 'vitest';
import { isLocked, userStatus } from './userStatus.ts';

const now = Date.parse('2026-03-01T12:00:00Z');

describe('userStatus', () => {
  it('is active without lockout', () => {
    expect(userStatus({ disabled: false, lockedUntil: null }, now).kind).toBe('active');
  });
  it('is locked while the lockout runs, active after it', () => {
    expect(userStatus({ disabled: false, lockedUntil: '2026-03-01T12:05:00Z' }, now).kind).toBe('locked');
    expect(userStatus({ disabled: false, lockedUntil: '2026-03-01T11:55:00Z' }, now).kind).toBe('active');
    expect(isLocked({ lockedUntil: '2026-03-01T11:55:00Z' }, now)).toBe(false);
  });
  it('reports disabled over locked', () => {
    expect(userStatus({ disabled: true, lockedUntil: '2026-03-01T12:05:00Z' }, now).kind).toBe('disabled');
  });
});
