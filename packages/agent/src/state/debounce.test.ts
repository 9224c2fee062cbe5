import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Debouncer } from './debounce.ts';

describe('Debouncer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires once after a quiet period', () => {
    let fired = 0;
    const d = new Debouncer(() => fired++, 300, 2_000);
    d.trigger();
    vi.advanceTimersByTime(200);
    d.trigger();
    vi.advanceTimersByTime(299);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    expect(d.pending).toBe(false);
  });

  it('fires by the ceiling under a steady stream, then starts over', () => {
    let fired = 0;
    const d = new Debouncer(() => fired++, 300, 2_000);
    for (let t = 0; t < 2_000; t += 100) {
      d.trigger();
      vi.advanceTimersByTime(100);
    }
    expect(fired).toBe(1);
    d.trigger();
    vi.advanceTimersByTime(300);
    expect(fired).toBe(2);
  });

  it('forgets triggers on cancel', () => {
    let fired = 0;
    const d = new Debouncer(() => fired++, 300, 2_000);
    d.trigger();
    d.cancel();
    vi.advanceTimersByTime(5_000);
    expect(fired).toBe(0);
  });
});
