import { describe, expect, it } from 'vitest';
import { isoToLocalInput, localInputToIso } from './localTime.ts';

describe('datetime-local conversion', () => {
  it('round-trips a local minute through ISO', () => {
    const iso = localInputToIso('2026-03-01T14:30');
    expect(iso).toMatch(/^2026-03-0[12]T\d{2}:\d{2}:00\.000Z$/);
    expect(isoToLocalInput(iso ?? '')).toBe('2026-03-01T14:30');
  });
  it('accepts seconds', () => {
    expect(localInputToIso('2026-03-01T14:30:15')).toMatch(/:15\.000Z$/);
  });
  it('rejects empty and malformed values', () => {
    expect(localInputToIso('')).toBeNull();
    expect(localInputToIso('yesterday')).toBeNull();
    expect(localInputToIso('2026-13-45T99:99')).toBeNull();
    expect(isoToLocalInput('nope')).toBe('');
  });
});
