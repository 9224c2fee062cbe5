import { describe, expect, it } from 'vitest';
import { BoundedCache } from './bounded-cache.ts';

describe('BoundedCache', () => {
  it('never holds more than its bound and keeps recently used entries', () => {
    const c = new BoundedCache<number, string>(4);
    for (let i = 0; i < 100; i++) {
      c.set(i, `v${i}`);
      c.get(0); // keep 0 hot
      expect(c.size).toBeLessThanOrEqual(4);
    }
    expect(c.get(0)).toBe('v0');
    expect(c.get(99)).toBe('v99');
    expect(c.get(50)).toBeUndefined();
  });

  it('stays fast for hot keys when full', () => {
    const c = new BoundedCache<number, number>(100_000);
    for (let i = 0; i < 100_000; i++) c.set(i, i);
    let sum = 0;
    for (let k = 0; k < 200_000; k++) sum += c.get(99_999) ?? 0;
    expect(sum).toBe(99_999 * 200_000);
  });
});
