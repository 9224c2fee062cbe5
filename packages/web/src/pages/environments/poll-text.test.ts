import { describe, expect, it } from 'vitest';
import { nextPoll } from './poll-text.ts';

describe('nextPoll', () => {
  const now = Date.parse('2026-01-31T10:00:00Z');
  it('says when the next poll is due, or that it is overdue', () => {
    expect(nextPoll('2026-01-31T10:00:40Z', now)).toBe('next poll in 40 s');
    expect(nextPoll('2026-01-31T09:58:00Z', now)).toBe('the next poll is overdue (due 2 min ago)');
  });
});
