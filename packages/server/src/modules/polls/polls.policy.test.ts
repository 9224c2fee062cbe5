import { describe, expect, it } from 'vitest';
import { asyncEnvironmentStatus, nextPollDue, nonceLifetimeMs, pollGraceMs, withPollState, type PollFields } from './polls.policy.ts';
import { pollIntervals } from '@capstan/protocol';

const at = (ms: number) => new Date(ms).toISOString();
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

describe('async environment status', () => {
  it('shows the status before the first poll until one arrives', () => {
    expect(asyncEnvironmentStatus({ lastPollAt: null, nextPollAt: null, pollIntervalSeconds: 60, beforeFirstPoll: 'pending' }, T0)).toBe('pending');
    expect(asyncEnvironmentStatus({ lastPollAt: null, nextPollAt: null, pollIntervalSeconds: 60, beforeFirstPoll: 'down' }, T0)).toBe('down');
  });

  it('is up until the next poll is overdue by more than max(10 s, one jitter), then down', () => {
    // 60 s: jitter 6 s, so the grace is 10 s.
    const s60 = { lastPollAt: at(T0), nextPollAt: at(T0 + 66_000), pollIntervalSeconds: 60, beforeFirstPoll: 'pending' as const };
    expect(asyncEnvironmentStatus(s60, T0 + 1)).toBe('up');
    expect(asyncEnvironmentStatus(s60, T0 + 76_000)).toBe('up');
    expect(asyncEnvironmentStatus(s60, T0 + 76_001)).toBe('down');
    // One hour: jitter 6 min is the grace.
    const h = { lastPollAt: at(T0), nextPollAt: at(T0 + 3_960_000), pollIntervalSeconds: 3600, beforeFirstPoll: 'pending' as const };
    expect(asyncEnvironmentStatus(h, T0 + 3_960_000 + 360_000)).toBe('up');
    expect(asyncEnvironmentStatus(h, T0 + 3_960_000 + 360_001)).toBe('down');
  });

  it('falls back to the last poll plus interval and jitter when nextPollAt is missing or unreadable', () => {
    const s = { lastPollAt: at(T0), nextPollAt: null, pollIntervalSeconds: 60, beforeFirstPoll: 'pending' as const };
    expect(asyncEnvironmentStatus(s, T0 + 76_000)).toBe('up');
    expect(asyncEnvironmentStatus(s, T0 + 76_001)).toBe('down');
    expect(asyncEnvironmentStatus({ ...s, nextPollAt: 'garbage' }, T0 + 76_001)).toBe('down');
  });

  it('derives grace, due time and nonce lifetime from the intervals', () => {
    expect(pollGraceMs(pollIntervals(1))).toBe(10_000);
    expect(pollGraceMs(pollIntervals(600))).toBe(60_000);
    expect(nextPollDue(T0, pollIntervals(60))).toBe(T0 + 66_000);
    expect(nonceLifetimeMs(pollIntervals(60))).toBe(120_000 + 300_000);
  });
});

describe('environment view with polls', () => {
  const view: PollFields & { id: number } = {
    id: 1,
    mode: 'async',
    status: 'pending',
    lastSeenAt: null,
    agentVersion: '0.1.0',
    engineVersion: '27.0',
    pollIntervalSeconds: 60,
    lastPollAt: null,
    nextPollAt: null,
  };
  const contact = { environmentId: 1, agentId: 7, at: at(T0), nextPollAt: at(T0 + 66_000), agentVersion: '0.2.0', engineVersion: undefined, async: true };

  it('lays a poll not yet written over the stored view and computes the async status', () => {
    expect(withPollState(view, undefined, T0)).toEqual(view);
    const v = withPollState(view, contact, T0 + 1_000);
    expect(v).toEqual({ ...view, status: 'up', lastSeenAt: at(T0), lastPollAt: at(T0), nextPollAt: at(T0 + 66_000), agentVersion: '0.2.0' });
    expect(withPollState(view, contact, T0 + 80_000).status).toBe('down');
    expect(withPollState(view, { ...contact, engineVersion: '28.0' }, T0).engineVersion).toBe('28.0');
  });

  it('keeps a standard environment\'s stored status', () => {
    const standard = { ...view, mode: 'standard' as const, status: 'down' as const };
    expect(withPollState(standard, { ...contact, async: false }, T0 + 1_000_000).status).toBe('down');
    expect(withPollState({ ...standard, lastPollAt: at(T0), nextPollAt: at(T0) }, undefined, T0 + 1_000_000).status).toBe('down');
  });
});
