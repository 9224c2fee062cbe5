import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FRAME_KIND_CONTROL, FRAME_KIND_DATA, type Frame } from './codec.ts';
import { MAX_CONTROL_PAYLOAD, MAX_DATA_PAYLOAD } from './limits.ts';

const text = new TextEncoder();
const control = (json: string) => Uint8Array.of(FRAME_KIND_CONTROL, ...text.encode(json));
const data = (id: number, flags: number, payload: number[]) =>
  Uint8Array.of(FRAME_KIND_DATA, id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255, flags, ...payload);

function roundTrip(frame: Frame): Frame {
  const result = decodeFrame(encodeFrame(frame));
  if (!result.ok) throw new Error(result.error.message);
  return result.frame;
}

const samples: Frame[] = [
  {
    type: 'challenge',
    nonce: 'NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN',
    serverTime: '2026-11-21T00:00:00.000Z',
  },
  {
    type: 'hello',
    agentId: 7,
    signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    protocolVersion: 1,
    agentVersion: '0.1.0',
    capabilities: ['docker-hijack'],
    engine: { version: '20.10.24', apiVersion: '1.41' },
  },
  { type: 'welcome', protocolVersion: 1, heartbeatIntervalMs: 5000, capabilities: [] },
  { type: 'heartbeat', seq: 7, sentAtMs: 1_700_000_000_000 },
  { type: 'heartbeat-ack', seq: 7 },
  { type: 'error', code: 'flow_control', message: 'data beyond window on stream 3' },
  {
    type: 'open',
    streamId: 1,
    kind: 'docker-http',
    header: {
      method: 'GET',
      path: '/v1.41/containers/json?all=1',
      headers: { Accept: 'application/json', 'X-Multi': ['a', 'b'] },
    },
  },
  {
    type: 'open-ack',
    streamId: 1,
    kind: 'docker-hijack',
    header: { status: 101, headers: { Upgrade: 'tcp' } },
  },
  { type: 'open-reject', streamId: 2, code: 'upstream_unavailable', message: 'no docker socket' },
  { type: 'window', streamId: 3, bytes: 65536 },
  { type: 'end', streamId: 0xffff_ffff },
  { type: 'reset', streamId: 5, code: 'cancelled', message: '' },
  { type: 'data', streamId: 9, payload: Uint8Array.of(1, 2, 3) },
];

describe('tunnel codec', () => {
  it.each(samples.map((f) => [f.type, f] as const))('round-trips a %s frame', (_type, frame) => {
    expect(roundTrip(frame)).toEqual(frame);
  });

  it('lays out data frames as kind, big-endian stream id, flags, payload', () => {
    expect([...encodeFrame({ type: 'data', streamId: 0x01020304, payload: Uint8Array.of(9) })]).toEqual([
      2, 1, 2, 3, 4, 0, 9,
    ]);
  });

  it('accepts a data frame of exactly the maximum payload and rejects one byte more', () => {
    const max = new Uint8Array(6 + MAX_DATA_PAYLOAD);
    max.set([FRAME_KIND_DATA, 0, 0, 0, 1, 0]);
    expect(decodeFrame(max).ok).toBe(true);
    const over = new Uint8Array(max.length + 1);
    over.set(max);
    expect(decodeFrame(over)).toMatchObject({
      ok: false,
      error: { code: 'malformed_frame', reason: 'too_long' },
    });
  });

  const malformed: [string, Uint8Array, string][] = [
    ['empty message', new Uint8Array(0), 'empty'],
    ['unknown kind', Uint8Array.of(0x7f, 1, 2), 'unknown_kind'],
    ['data header cut short', Uint8Array.of(FRAME_KIND_DATA, 0, 0, 1), 'too_short'],
    ['data without payload', data(1, 0, []), 'too_short'],
    ['data on stream 0', data(0, 0, [1]), 'invalid_stream_id'],
    ['reserved flags', data(1, 0x80, [1]), 'reserved_flags'],
    ['control without body', Uint8Array.of(FRAME_KIND_CONTROL), 'too_short'],
    ['control not UTF-8', Uint8Array.of(FRAME_KIND_CONTROL, 0xff, 0xfe), 'invalid_utf8'],
    ['control not JSON', control('{"type":'), 'invalid_json'],
    ['unknown control type', control('{"type":"teleport"}'), 'invalid_control'],
    ['control that is an array', control('[1,2]'), 'invalid_control'],
    ['window of zero bytes', control('{"type":"window","streamId":1,"bytes":0}'), 'invalid_control'],
    ['stream id above 32 bits', control('{"type":"end","streamId":4294967296}'), 'invalid_control'],
    [
      'unknown stream kind',
      control('{"type":"open","streamId":1,"kind":"ssh","header":{}}'),
      'invalid_control',
    ],
    [
      'path with a space',
      control(
        '{"type":"open","streamId":1,"kind":"docker-http","header":{"method":"GET","path":"/a b","headers":{}}}',
      ),
      'invalid_control',
    ],
    [
      'header value with CRLF',
      control(
        '{"type":"open","streamId":1,"kind":"docker-http","header":{"method":"GET","path":"/x","headers":{"A":"b\\r\\nC: d"}}}',
      ),
      'invalid_control',
    ],
    ['unknown error code', control('{"type":"error","code":"oops","message":""}'), 'invalid_control'],
  ];
  it.each(malformed)('rejects %s', (_name, bytes, reason) => {
    expect(decodeFrame(bytes)).toMatchObject({ ok: false, error: { code: 'malformed_frame', reason } });
  });

  it('rejects a control frame over the size limit without parsing it', () => {
    const big = new Uint8Array(1 + MAX_CONTROL_PAYLOAD + 1).fill(0x20);
    big[0] = FRAME_KIND_CONTROL;
    expect(decodeFrame(big)).toMatchObject({ ok: false, error: { reason: 'too_long' } });
  });

  it('decodes a view into a larger buffer without reading outside it', () => {
    const backing = Uint8Array.of(0xaa, FRAME_KIND_DATA, 0, 0, 0, 3, 0, 42, 0xbb);
    const result = decodeFrame(backing.subarray(1, 8));
    expect(result).toEqual({ ok: true, frame: { type: 'data', streamId: 3, payload: Uint8Array.of(42) } });
  });

  it('refuses to encode frames this side built wrongly', () => {
    expect(() => encodeFrame({ type: 'data', streamId: 0, payload: Uint8Array.of(1) })).toThrow(RangeError);
    expect(() => encodeFrame({ type: 'data', streamId: 1, payload: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => encodeFrame({ type: 'window', streamId: 1, bytes: -1 })).toThrow(TypeError);
  });

  it('never throws on random bytes: a valid frame that re-encodes identically, or a typed error', () => {
    const kindFirst = fc
      .tuple(
        fc.constantFrom(FRAME_KIND_CONTROL, FRAME_KIND_DATA, 0, 3, 255),
        fc.uint8Array({ maxLength: 300 }),
      )
      .map(([k, rest]) => Uint8Array.of(k, ...rest));
    const jsonish = fc.json().map((j) => Uint8Array.of(FRAME_KIND_CONTROL, ...text.encode(j)));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), kindFirst, jsonish), (bytes) => {
        const result = decodeFrame(bytes);
        if (!result.ok) {
          expect(result.error.code).toBe('malformed_frame');
          expect(typeof result.error.message).toBe('string');
        } else if (result.frame.type === 'data') {
          expect(encodeFrame(result.frame)).toEqual(bytes);
        } else {
          expect(decodeFrame(encodeFrame(result.frame))).toEqual(result);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips random valid frames', () => {
    const streamId = fc.integer({ min: 1, max: 0xffff_ffff });
    const token = fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/);
    const frame: fc.Arbitrary<Frame> = fc.oneof(
      fc.record({
        type: fc.constant('data' as const),
        streamId,
        payload: fc.uint8Array({ minLength: 1, maxLength: 2048 }),
      }),
      fc.record({
        type: fc.constant('window' as const),
        streamId,
        bytes: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      }),
      fc.record({ type: fc.constant('end' as const), streamId }),
      fc.record({
        type: fc.constant('reset' as const),
        streamId,
        code: fc.constantFrom('cancelled' as const, 'timeout' as const),
        message: fc.string({ maxLength: 100 }),
      }),
      fc.record({ type: fc.constant('heartbeat' as const), seq: fc.nat(), sentAtMs: fc.nat() }),
      fc.record({
        type: fc.constant('open' as const),
        streamId,
        kind: fc.constantFrom('docker-http' as const, 'docker-hijack' as const),
        header: fc.record({
          method: fc.constantFrom('GET', 'POST', 'DELETE', 'HEAD'),
          path: fc.stringMatching(/^\/[\x21-\x7e]{0,100}$/),
          headers: fc.dictionary(
            token,
            fc.oneof(
              fc.stringMatching(/^[^\r\n\0]{0,40}$/),
              fc.array(fc.stringMatching(/^[ -~]{0,10}$/), { maxLength: 3 }),
            ),
            { maxKeys: 8 },
          ),
        }),
      }),
    );
    fc.assert(
      fc.property(frame, (f) => {
        expect(roundTrip(f)).toEqual(f);
      }),
      { numRuns: 1000 },
    );
  });
});
