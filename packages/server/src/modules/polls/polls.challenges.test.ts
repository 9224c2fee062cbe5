import { describe, expect, it } from 'vitest';
import { NONCES_PER_AGENT, PollChallenges } from './polls.challenges.ts';

describe('poll nonces', () => {
  it('accepts a nonce once, for its own agent, within its lifetime', () => {
    let now = 1_000;
    const c = new PollChallenges({ now: () => now });
    const a = c.issue(1, 500);
    expect(a.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(c.consume(2, a.nonce)).toBe(false);
    expect(c.consume(1, a.nonce)).toBe(true);
    expect(c.consume(1, a.nonce)).toBe(false);
    const late = c.issue(1, 500);
    now += 500;
    expect(c.consume(1, late.nonce)).toBe(false);
  });

  it(`keeps at most ${NONCES_PER_AGENT} per agent (the oldest go) and caps the agents tracked`, () => {
    const c = new PollChallenges({ maxAgents: 2 });
    const issued = Array.from({ length: NONCES_PER_AGENT + 1 }, () => c.issue(1, 60_000).nonce);
    expect(c.consume(1, issued[0]!)).toBe(false);
    for (const n of issued.slice(1)) expect(c.consume(1, n)).toBe(true);
    const first = c.issue(10, 60_000).nonce;
    c.issue(11, 60_000);
    c.issue(12, 60_000);
    expect(c.agents).toBe(2);
    expect(c.consume(10, first)).toBe(false);
  });
});
