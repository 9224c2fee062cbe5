import { describe, expect, it } from 'vitest';
import { nextPoll } from './timing.ts';

const intervals = { pollIntervalMs: 60_000, jitterMs: 6_000 };
const answered = (commands: number, more = false, reportsLeft = false) => ({ kind: 'answered' as const, commands, more, reportsLeft });

describe('nextPoll', () => {
  it('waits for the runner (at most one interval) after a batch of commands, with or without more', () => {
    expect(nextPoll(answered(3), intervals, 0.5, 0)).toEqual({ kind: 'after-idle', capMs: 60_000 });
    expect(nextPoll(answered(50, true), intervals, 0.5, 0)).toEqual({ kind: 'after-idle', capMs: 60_000 });
  });

  it('polls at once when reports were left over', () => {
    expect(nextPoll(answered(0, false, true), intervals, 0.5, 0)).toEqual({ kind: 'now' });
  });

  it('waits the jittered interval when there is nothing to do, after a failure, and after `more` with no commands', () => {
    expect(nextPoll(answered(0), intervals, 0.5, 0)).toEqual({ kind: 'wait', ms: 60_000 });
    expect(nextPoll(answered(0), intervals, 0, 0)).toEqual({ kind: 'wait', ms: 54_000 });
    expect(nextPoll({ kind: 'failed' }, intervals, 0.99, 0)).toEqual({ kind: 'wait', ms: 65_880 });
    expect(nextPoll(answered(0, true), intervals, 0.5, 0)).toEqual({ kind: 'wait', ms: 60_000 });
  });

  it('stays away for the refusal delay when the server refuses the agent', () => {
    expect(nextPoll({ kind: 'refused' }, intervals, 0.5, 75_000)).toEqual({ kind: 'wait', ms: 75_000 });
  });
});
