import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';

describe('backoff', () => {
  it('doubles from 0.5 s to 30 s without jitter at r = 0.5', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffDelay(a, 0.5))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });
  it('jitters by ±50 %', () => {
    expect(backoffDelay(1, 0)).toBe(500);
    expect(backoffDelay(1, 0.999999)).toBe(1500);
    expect(backoffDelay(100, 0)).toBe(15000);
  });
  it('counts attempts, resets, and jumps to the maximum when refused', () => {
    const b = new Backoff(DEFAULT_BACKOFF, () => 0.5);
    expect([b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000]);
    b.reset();
    expect(b.next()).toBe(500);
    expect(b.max()).toBe(30000);
    expect(b.next()).toBe(30000);
  });
});
