import type { AgentMode, PollIntervals } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger.ts';
import { initialModeState, type ModeState } from './mode-store.ts';
import { Transport } from './transport.ts';

const fast: PollIntervals = { pollIntervalMs: 5_000, jitterMs: 500 };
const slow: PollIntervals = { pollIntervalMs: 60_000, jitterMs: 6_000 };

/** A transport whose starts and stops are recorded; pollers hand out their onAnswer. */
function rig(initial: ModeState, saved?: ModeState) {
  const events: string[] = [];
  const saves: ModeState[] = [];
  let answer: ((mode: AgentMode, intervals: PollIntervals) => void) | undefined;
  const running = () => events.filter((e) => e.startsWith('start')).length - events.filter((e) => e.startsWith('stop')).length;
  const transport = new Transport(
    {
      log: silentLogger,
      save: (s) => saves.push(s),
      startTunnel: () => {
        events.push('start tunnel');
        return { stop: () => Promise.resolve(void events.push('stop tunnel')) };
      },
      startPoller: (intervals, onAnswer) => {
        events.push(`start poller ${intervals.pollIntervalMs}`);
        answer = onAnswer;
        return { stop: () => Promise.resolve(void events.push('stop poller')) };
      },
    },
    initial,
    saved,
  );
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { transport, events, saves, running, settle, answer: (mode: AgentMode, i: PollIntervals) => answer?.(mode, i) };
}

describe('Transport', () => {
  it('starts the initial mode and switches on the server word, one transport at a time', async () => {
    const r = rig({ mode: 'standard', intervals: slow });
    r.transport.start();
    await r.settle();
    expect(r.events).toEqual(['start tunnel']);
    r.transport.modeApp.frame({ type: 'agent-mode', mode: 'async', intervals: fast });
    expect(r.transport.mode).toBe('async');
    await r.settle();
    expect(r.events).toEqual(['start tunnel', 'stop tunnel', 'start poller 5000']);
    expect(r.saves).toEqual([{ mode: 'async', intervals: fast }]);
    r.answer('async', slow);
    r.answer('standard', slow);
    await r.settle();
    expect(r.events.slice(3)).toEqual(['stop poller', 'start tunnel']);
    expect(r.saves.map((s) => s.mode)).toEqual(['async', 'async', 'standard']);
    expect(r.running()).toBe(1);
    await r.transport.stop();
    expect(r.running()).toBe(0);
    r.transport.modeApp.frame({ type: 'agent-mode', mode: 'async', intervals: fast });
    await r.settle();
    expect(r.running()).toBe(0);
  });

  it('writes the mode only when it differs from what is saved, and follows a flag guess the server corrects', async () => {
    const saved = { mode: 'async' as const, intervals: slow };
    const r = rig(initialModeState({ flag: 'standard', stored: saved }), saved);
    r.transport.start();
    await r.settle();
    expect(r.events).toEqual(['start tunnel']);
    r.transport.modeApp.frame({ type: 'agent-mode', mode: 'async', intervals: slow });
    await r.settle();
    expect(r.saves).toEqual([]);
    expect(r.events).toEqual(['start tunnel', 'stop tunnel', 'start poller 60000']);
    await r.transport.stop();
  });

  it('ignores other frames and announces modes.v1', () => {
    const r = rig({ mode: 'standard', intervals: slow });
    expect(r.transport.modeApp.capabilities).toEqual(['modes.v1']);
    r.transport.modeApp.frame({ type: 'snapshot-request', reason: 'x' });
    expect(r.saves).toEqual([]);
  });
});

describe('initialModeState', () => {
  const stored = { mode: 'async' as const, intervals: fast };
  it('prefers the enrolment answer, then the flag, then the stored mode, then standard', () => {
    expect(initialModeState({ enrolled: 'standard', flag: 'async', stored })).toEqual({ mode: 'standard', intervals: fast });
    expect(initialModeState({ flag: 'standard', stored })).toEqual({ mode: 'standard', intervals: fast });
    expect(initialModeState({ stored })).toEqual(stored);
    expect(initialModeState({})).toEqual({ mode: 'standard', intervals: { pollIntervalMs: 60_000, jitterMs: 6_000 } });
  });
});
