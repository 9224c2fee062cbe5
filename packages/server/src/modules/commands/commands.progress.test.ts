import type { CommandProgressEvent } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { CommandProgressBus, type ProgressEntry } from './commands.progress.ts';

const step = (n: number): CommandProgressEvent => ({ type: 'step', step: `step ${n}`, status: 'done' });
const AT = '2026-01-01T00:00:00.000Z';

function recorder() {
  const events: ProgressEntry[] = [];
  let ended = 0;
  return { events, ended: () => ended, sub: { event: (e: ProgressEntry) => events.push(e), end: () => void ended++ } };
}

describe('command progress bus', () => {
  it('hands history to late subscribers, then live events, then the end', () => {
    const bus = new CommandProgressBus();
    bus.publish(1, 'c', AT, step(1));
    const r = recorder();
    const sub = bus.subscribe(1, 'c', r.sub);
    expect(sub.history.map((e) => e.id)).toEqual([1]);
    expect(sub.finished).toBe(false);
    bus.publish(1, 'c', AT, step(2));
    bus.publish(2, 'c', AT, step(9)); // another environment's command of the same id
    bus.finish(1, 'c');
    bus.publish(1, 'c', AT, step(3)); // late: ignored
    expect(r.events.map((e) => e.id)).toEqual([2]);
    expect(r.ended()).toBe(1);
    const late = bus.subscribe(1, 'c', recorder().sub);
    expect(late).toMatchObject({ finished: true });
    expect(late.history.map((e) => e.event)).toEqual([step(1), step(2)]);
    bus.close();
  });

  it('keeps a bounded history per command and a bounded number of commands', () => {
    const bus = new CommandProgressBus({ maxEventsPerCommand: 3, maxCommands: 2 });
    for (let n = 1; n <= 5; n++) bus.publish(1, 'a', AT, step(n));
    expect(bus.subscribe(1, 'a', recorder().sub).history.map((e) => e.id)).toEqual([3, 4, 5]);
    const r = recorder();
    bus.subscribe(1, 'b', r.sub);
    bus.publish(1, 'c', AT, step(1)); // a third command evicts the least recently touched (a)
    expect(bus.subscribe(1, 'a', recorder().sub).history).toEqual([]);
    // Bringing a back evicted b, the least recently touched now: its subscriber was told the stream ended.
    expect(r.ended()).toBe(1);
    bus.close();
  });
});
