import { describe, expect, it } from 'vitest';
import type { Frame } from './codec.ts';
import { Mux, type MuxEvent } from './mux.ts';

const open = (streamId: number): Frame => ({
  type: 'open',
  streamId,
  kind: 'docker-http',
  header: { method: 'GET', path: '/x', headers: {} },
});
const data = (streamId: number, length: number): Frame => ({
  type: 'data',
  streamId,
  payload: new Uint8Array(length),
});

function feed(mux: Mux, frames: Frame[]): MuxEvent[] {
  return frames.flatMap((f) => mux.receive(f));
}

/** Asserts the last frame failed the connection with `code`, and that exactly one error frame follows. */
function expectViolation(mux: Mux, frames: Frame[], code: string): void {
  const events = feed(mux, frames);
  expect(events.at(-1)).toMatchObject({ type: 'failed', by: 'local', error: { code } });
  expect(mux.pull()).toEqual([{ type: 'error', code, message: expect.any(String) }]);
  expect(mux.pull()).toEqual([]);
  expect(mux.receive(data(1, 1))).toEqual([]);
}

describe('Mux protocol violations close the connection', () => {
  it('data on a stream never opened', () =>
    expectViolation(new Mux({ side: 'agent' }), [data(1, 1)], 'unknown_stream'));
  it('control on a stream never opened', () =>
    expectViolation(
      new Mux({ side: 'agent' }),
      [{ type: 'window', streamId: 7, bytes: 1 }],
      'unknown_stream',
    ));
  it('data beyond the window', () =>
    expectViolation(
      new Mux({ side: 'agent', initialWindow: 100 }),
      [open(1), data(1, 60), data(1, 41)],
      'flow_control',
    ));
  it('a grant overflowing the window', () =>
    expectViolation(
      new Mux({ side: 'agent' }),
      [open(1), { type: 'window', streamId: 1, bytes: 2 ** 31 - 1 }],
      'flow_control',
    ));
  it('data after end', () =>
    expectViolation(
      new Mux({ side: 'agent' }),
      [open(1), { type: 'end', streamId: 1 }, data(1, 1)],
      'stream_state',
    ));
  it('a second end', () =>
    expectViolation(
      new Mux({ side: 'agent' }),
      [open(1), { type: 'end', streamId: 1 }, { type: 'end', streamId: 1 }],
      'stream_state',
    ));
  it('duplicate open', () => expectViolation(new Mux({ side: 'agent' }), [open(1), open(1)], 'stream_state'));
  it('reused (lower) stream id', () =>
    expectViolation(new Mux({ side: 'agent' }), [open(3), open(1)], 'stream_state'));
  it('open with the receiving side’s parity', () =>
    expectViolation(new Mux({ side: 'agent' }), [open(2)], 'stream_state'));
  it('open-ack for a stream the peer opened', () =>
    expectViolation(
      new Mux({ side: 'agent' }),
      [open(1), { type: 'open-ack', streamId: 1, kind: 'docker-http', header: { status: 200, headers: {} } }],
      'stream_state',
    ));
  it('more streams than allowed', () =>
    expectViolation(
      new Mux({ side: 'agent', maxStreams: 2 }),
      [open(1), open(3), open(5)],
      'too_many_streams',
    ));

  it('data after end on a stream already closed gracefully', () => {
    const mux = new Mux({ side: 'agent' });
    const [opened] = feed(mux, [open(1)]);
    if (opened?.type !== 'open') throw new Error('expected open');
    opened.stream.accept({ status: 200, headers: {} });
    opened.stream.end();
    mux.pull();
    feed(mux, [{ type: 'end', streamId: 1 }]);
    expect(opened.stream.phase).toBe('closed');
    expectViolation(mux, [data(1, 1)], 'stream_state');
  });

  it('data before the open-ack on a stream this side opened', () => {
    const mux = new Mux({ side: 'server' });
    const result = mux.open({ kind: 'docker-http', header: { method: 'GET', path: '/', headers: {} } });
    expect(result.ok).toBe(true);
    expectViolation(mux, [data(1, 1)], 'stream_state');
  });

  it('an open-ack of another kind', () => {
    const mux = new Mux({ side: 'server' });
    mux.open({ kind: 'docker-http', header: { method: 'GET', path: '/', headers: {} } });
    expectViolation(
      mux,
      [{ type: 'open-ack', streamId: 1, kind: 'docker-hijack', header: { status: 101, headers: {} } }],
      'stream_state',
    );
  });
});

describe('Mux failure handling', () => {
  it('tolerates frames in flight for streams it reset', () => {
    const mux = new Mux({ side: 'agent' });
    const [opened] = feed(mux, [open(1)]);
    if (opened?.type !== 'open') throw new Error('expected open');
    opened.stream.accept({ status: 200, headers: {} });
    opened.stream.reset('cancelled');
    expect(
      feed(mux, [
        data(1, 10),
        { type: 'window', streamId: 1, bytes: 10 },
        { type: 'end', streamId: 1 },
        { type: 'reset', streamId: 1, code: 'cancelled', message: '' },
      ]),
    ).toEqual([]);
    expect(mux.failure).toBeUndefined();
  });

  it('an error frame from the peer fails the connection without answering', () => {
    const mux = new Mux({ side: 'agent' });
    const [opened] = feed(mux, [open(1)]);
    expect(feed(mux, [{ type: 'error', code: 'going_away', message: 'shutting down' }])).toEqual([
      { type: 'failed', by: 'peer', error: { code: 'going_away', message: 'shutting down' } },
    ]);
    expect(mux.pull()).toEqual([]);
    if (opened?.type === 'open') expect(opened.stream.write(Uint8Array.of(1))).toBe(false);
  });

  it('fail() from the caller closes every stream and yields one error frame', () => {
    const mux = new Mux({ side: 'server' });
    const result = mux.open({ kind: 'docker-http', header: { method: 'GET', path: '/', headers: {} } });
    if (!result.ok) throw new Error(result.message);
    result.stream.write(Uint8Array.of(1, 2, 3));
    expect(mux.fail('heartbeat_timeout', 'no heartbeat-ack for 15 s')).toEqual({
      code: 'heartbeat_timeout',
      message: 'no heartbeat-ack for 15 s',
    });
    expect(result.stream.phase).toBe('closed');
    expect(mux.hasPending()).toBe(true);
    expect(mux.pull()).toEqual([
      { type: 'error', code: 'heartbeat_timeout', message: 'no heartbeat-ack for 15 s' },
    ]);
    expect(mux.hasPending()).toBe(false);
    expect(
      mux.open({ kind: 'docker-http', header: { method: 'GET', path: '/', headers: {} } }),
    ).toMatchObject({ ok: false, reason: 'failed' });
  });

  it('rejects consuming more than was delivered (a caller bug)', () => {
    const mux = new Mux({ side: 'agent' });
    const events = feed(mux, [open(1), data(1, 5)]);
    const stream = events[0]?.type === 'open' ? events[0].stream : undefined;
    expect(() => stream?.consumed(6)).toThrow(RangeError);
    stream?.consumed(5);
    expect(stream?.unconsumedBytes).toBe(0);
  });
});
