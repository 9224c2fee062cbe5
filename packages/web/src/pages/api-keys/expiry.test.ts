import { describe, expect, it } from 'vitest';
import { isoToLocalInput } from '../audit/localTime.ts';
import { expiryIso, isExpired } from './expiry.ts';

const now = Date.parse('2026-03-01T12:00:00.000Z');

describe('expiryIso', () => {
  it('leaves "never" without expiry', () => {
    expect(expiryIso('never', '', now)).toEqual({});
  });
  it('adds whole days for presets', () => {
    expect(expiryIso('30', '', now)).toEqual({ expiresAt: '2026-03-31T12:00:00.000Z' });
  });
  it('takes a custom future moment', () => {
    const local = isoToLocalInput('2026-04-01T09:00:00.000Z');
    expect(expiryIso('custom', local, now)).toEqual({ expiresAt: '2026-04-01T09:00:00.000Z' });
  });
  it('refuses a missing or past custom moment', () => {
    expect(expiryIso('custom', '', now)).toEqual({ error: 'Choose a date and time' });
    expect(expiryIso('custom', isoToLocalInput('2026-02-01T09:00:00.000Z'), now)).toEqual({ error: 'Must be in the future' });
  });
});

describe('isExpired', () => {
  it('is false without expiry and before it, true after', () => {
    expect(isExpired({ expiresAt: null }, now)).toBe(false);
    expect(isExpired({ expiresAt: '2026-03-02T00:00:00Z' }, now)).toBe(false);
    expect(isExpired({ expiresAt: '2026-02-28T00:00:00Z' }, now)).toBe(true);
  });
});
