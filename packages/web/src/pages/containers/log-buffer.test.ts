import { describe, expect, it } from 'vitest';
import { LogAssembler, RingBuffer, logFileName, logFileText } from './log-buffer.ts';

describe('RingBuffer', () => {
  it('keeps the newest items, oldest first, and counts the dropped ones', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.toArray()).toEqual([]);
    for (let i = 1; i <= 7; i++) ring.push(i);
    expect(ring.toArray()).toEqual([5, 6, 7]);
    expect(ring.length).toBe(3);
    expect(ring.dropped).toBe(4);
    ring.clear();
    expect(ring.toArray()).toEqual([]);
    ring.push(9);
    expect(ring.toArray()).toEqual([9]);
    expect(ring.dropped).toBe(0);
  });

  it('holds 5,000 lines of a long stream without growing', () => {
    const ring = new RingBuffer<number>(5000);
    for (let i = 0; i < 123_456; i++) ring.push(i);
    const items = ring.toArray();
    expect(items).toHaveLength(5000);
    expect(items[0]).toBe(123_456 - 5000);
    expect(items.at(-1)).toBe(123_455);
  });

  it('refuses a useless capacity', () => {
    expect(() => new RingBuffer(0)).toThrow();
  });
});

describe('LogAssembler', () => {
  it('joins chunks split mid-line, per stream, and strips CR', () => {
    const a = new LogAssembler(false);
    expect(a.push('stdout', 'hel')).toEqual([]);
    expect(a.push('stderr', 'oops\r\nmore')).toEqual([{ seq: 0, stream: 'stderr', text: 'oops', time: null }]);
    expect(a.push('stdout', 'lo\nworld\n')).toEqual([
      { seq: 1, stream: 'stdout', text: 'hello', time: null },
      { seq: 2, stream: 'stdout', text: 'world', time: null },
    ]);
    expect(a.pending).toBe(true);
    expect(a.flush()).toEqual([{ seq: 3, stream: 'stderr', text: 'more', time: null }]);
    expect(a.pending).toBe(false);
  });

  it('reads the engine timestamps when asked for', () => {
    const a = new LogAssembler(true);
    expect(a.push('stdout', '2026-01-31T10:00:00.123456789Z started\n2026-01-31T10:00:01Z \nno stamp\n')).toEqual([
      { seq: 0, stream: 'stdout', text: 'started', time: '2026-01-31T10:00:00.123456789Z' },
      { seq: 1, stream: 'stdout', text: '', time: '2026-01-31T10:00:01Z' },
      { seq: 2, stream: 'stdout', text: 'no stamp', time: null },
    ]);
  });
});

describe('log files', () => {
  it('writes one line per entry with timestamps when known', () => {
    expect(
      logFileText([
        { seq: 0, stream: 'stdout', text: 'a', time: '2026-01-31T10:00:00Z' },
        { seq: 1, stream: 'stderr', text: 'b', time: null },
      ]),
    ).toBe('2026-01-31T10:00:00Z a\nb\n');
    expect(logFileText([])).toBe('');
  });

  it('names the file after the container and the time', () => {
    expect(logFileName('my app/1', new Date('2026-01-31T10:20:30.000Z'))).toBe('my_app_1-2026-01-31T10-20-30.log');
  });
});
