import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter.ts';

describe('LoginLimiter', () => {
  it('admits up to the per-minute bound, then says how long to wait', () => {
    let now = 1_000_000;
    const l = new LoginLimiter({ maxAttemptsPerMinute: 3, maxFailures: 100, failureWindowMs: 300_000, now: () => now });
    expect([l.admit('a'), l.admit('a'), l.admit('a')]).toEqual([0, 0, 0]);
    expect(l.admit('a')).toBe(60);
    expect(l.admit('b')).toBe(0);
    now += 30_000;
    expect(l.admit('a')).toBe(30);
    now += 30_001;
    expect(l.admit('a')).toBe(0);
  });

  it('blocks an address after too many failures for the failure window', () => {
    let now = 0;
    const l = new LoginLimiter({ maxAttemptsPerMinute: 1000, maxFailures: 2, failureWindowMs: 300_000, now: () => now });
    l.fail('x');
    l.fail('x');
    expect(l.admit('x')).toBe(300);
    now += 300_001;
    expect(l.admit('x')).toBe(0);
  });

  it('forgets addresses that stopped trying', () => {
    let now = 0;
    const l = new LoginLimiter({ maxAttemptsPerMinute: 10, maxFailures: 5, failureWindowMs: 120_000, now: () => now });
    for (let i = 0; i < 100; i++) l.admit(`10.0.0.${i}`);
    l.fail('10.0.0.1');
    expect(l.tracked()).toBe(100);
    now += 61_000;
    l.admit('10.9.9.9');
    expect(l.tracked()).toBe(2); // the new one, and the one still inside its failure window
    now += 120_000;
    l.admit('10.9.9.8');
    expect(l.tracked()).toBe(1);
  });
});
