import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';

describe('backoff', () => {
  it('doubles from 0.5 s to 4 s without jitter at r = 0.5', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, 0.5))).toEqual([500, 1000, 2000, 4000, 4000, 4000, 4000]);
  });
  it('jitters by ±50 %', () => {
    expect(backoffDelay(1, 0)).toBe(500);
    expect(backoffDelay(1, 0.999999)).toBe(1500);
    expect(backoffDelay(100, 0)).toBe(2000);
    expect(backoffDelay(100, 0.999999)).toBe(6000);
  });
  it('counts attempts, resets, and waits long when refused', () => {
    const b = new Backoff(DEFAULT_BACKOFF, () => 0.5);
    expect([b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000]);
    b.reset();
    expect(b.next()).toBe(500);
    expect(b.refused()).toBe(60000);
    expect(b.next()).toBe(4000);
  });
});
