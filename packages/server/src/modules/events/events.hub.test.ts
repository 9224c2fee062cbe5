import type { LiveEvent } from '@capstan/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventHub } from './events.hub.ts';
import { freshVerdict, overBudget, sseFrame } from './events.policy.ts';

const env = (environmentId: number): LiveEvent => ({ type: 'environment', environmentId });

describe('EventHub', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes command and stack notices through as they come', () => {
    const hub = new EventHub();
    const got: LiveEvent[] = [];
    hub.subscribe((e) => got.push(e));
    const notices: LiveEvent[] = [
      { type: 'command', environmentId: 1, commandId: 'a', status: 'queued' },
      { type: 'command', environmentId: 1, commandId: 'a', status: 'sent' },
      { type: 'stack', environmentId: 1, stackId: 3 },
      { type: 'stack', environmentId: 1, stackId: 3 },
    ];
    for (const n of notices) hub.publish(n);
    expect(got).toEqual(notices);
    hub.close();
  });

  it('coalesces an environment to one notice per window, the last one at its end', () => {
    vi.useFakeTimers();
    const hub = new EventHub({ windowMs: 1_000 });
    const got: LiveEvent[] = [];
    hub.subscribe((e) => got.push(e));
    for (let i = 0; i < 10; i++) hub.publish(env(1));
    hub.publish(env(2));
    hub.publish({ type: 'snapshot', environmentId: 1 });
    expect(got).toEqual([env(1), env(2), { type: 'snapshot', environmentId: 1 }]);
    vi.advanceTimersByTime(1_000);
    expect(got).toEqual([env(1), env(2), { type: 'snapshot', environmentId: 1 }, env(1)]);
    // A quiet window closes: the next notice goes out at once again.
    vi.advanceTimersByTime(1_000);
    hub.publish(env(1));
    expect(got).toHaveLength(5);
    hub.close();
    hub.publish(env(3));
    expect(got).toHaveLength(5);
  });

  it('keeps delivering when one subscriber throws', () => {
    const errors: unknown[] = [];
    const hub = new EventHub({ onError: (err) => errors.push(err) });
    const got: LiveEvent[] = [];
    hub.subscribe(() => {
      throw new Error('boom');
    });
    const off = hub.subscribe((e) => got.push(e));
    hub.publish({ type: 'stack', environmentId: 1, stackId: 1 });
    expect(got).toHaveLength(1);
    expect(errors).toHaveLength(1);
    off();
    expect(hub.subscribers).toBe(1);
    hub.close();
  });
});

describe('events policy', () => {
  it('writes a notice as an SSE event named by its type', () => {
    expect(sseFrame({ type: 'snapshot', environmentId: 4 })).toBe('event: snapshot\ndata: {"type":"snapshot","environmentId":4}\n\n');
  });

  it('trusts a verdict for its time to live only', () => {
    expect(freshVerdict(undefined, 100, 10)).toBeNull();
    expect(freshVerdict({ allowed: false, at: 95 }, 100, 10)).toBe(false);
    expect(freshVerdict({ allowed: true, at: 90 }, 100, 10)).toBeNull();
  });

  it('says when a stream has fallen too far behind', () => {
    const limits = { maxBufferedBytes: 100, maxQueuedNotices: 5 };
    expect(overBudget(100, 5, limits)).toBe(false);
    expect(overBudget(101, 0, limits)).toBe(true);
    expect(overBudget(0, 6, limits)).toBe(true);
  });
});
