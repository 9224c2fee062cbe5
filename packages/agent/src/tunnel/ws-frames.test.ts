import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMask, CLOSE_CODE, closePayload, encodeWsFrame, FrameReader, isValidCloseCode, OPCODE, type WsEvent } from './ws-frames.ts';

// The definition in RFC 6455 §5.3, one byte at a time.
function maskBytewise(data: Uint8Array, key: Uint8Array): Uint8Array {
  return data.map((b, i) => b ^ key[i % 4]!);
}

const client = (maxMessageBytes = 1 << 20) => new FrameReader({ maxMessageBytes, masked: false });
const server = (maxMessageBytes = 1 << 20) => new FrameReader({ maxMessageBytes, masked: true });
const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

function bytewise(reader: FrameReader, bytes: Buffer): WsEvent[] {
  const events: WsEvent[] = [];
  for (let i = 0; i < bytes.length; i++) events.push(...reader.push(bytes.subarray(i, i + 1)));
  return events;
}

describe('applyMask', () => {
  it('matches the byte-wise definition for every length and alignment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.nat(7), (data, k, shift) => {
        // Place the data at every offset within a word so the aligned middle and both tails are exercised.
        const backing = new Uint8Array(data.length + 8);
        const view = backing.subarray(shift, shift + data.length);
        view.set(data);
        applyMask(view, k);
        expect(Buffer.from(view)).toEqual(Buffer.from(maskBytewise(data, k)));
        expect(backing.subarray(0, shift).every((b) => b === 0)).toBe(true);
        expect(backing.subarray(shift + data.length).every((b) => b === 0)).toBe(true);
        applyMask(view, k);
        expect(Buffer.from(view)).toEqual(Buffer.from(data));
      }),
    );
  });

  it('handles the RFC example', () => {
    const hello = Buffer.from('Hello');
    applyMask(hello, key);
    expect([...hello]).toEqual([0x7f, 0x9f, 0x4d, 0x51, 0x58]);
  });
});

describe('encodeWsFrame', () => {
  it('writes the RFC 6455 examples', () => {
    expect([...encodeWsFrame(OPCODE.text, Buffer.from('Hello'))]).toEqual([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    expect([...encodeWsFrame(OPCODE.text, Buffer.from('Hello'), key)]).toEqual([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    expect([...encodeWsFrame(OPCODE.text, Buffer.from('Hel'), undefined, false)]).toEqual([0x01, 0x03, 0x48, 0x65, 0x6c]);
  });

  it.each([
    [0, 2, 0],
    [125, 2, 125],
    [126, 4, 126],
    [65535, 4, 126],
    [65536, 10, 127],
    [1 << 20, 10, 127],
  ])('uses the right length field for %i bytes and leaves the payload untouched', (len, head, len7) => {
    const payload = Buffer.alloc(len, 0xab);
    const frame = encodeWsFrame(OPCODE.binary, payload, key);
    expect(frame.length).toBe(head + 4 + len);
    expect(frame[0]).toBe(0x82);
    expect(frame[1]).toBe(0x80 | len7);
    if (len7 === 126) expect(frame.readUInt16BE(2)).toBe(len);
    if (len7 === 127) expect(Number(frame.readBigUInt64BE(2))).toBe(len);
    expect(payload.every((b) => b === 0xab)).toBe(true);
    const events = server(2 << 20).push(frame);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'message', binary: true });
    expect((events[0] as { data: Buffer }).data.equals(payload)).toBe(true);
  });

  it('round-trips any payload through a reader fed any chunking', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 70_000 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 20 }),
        (payload, k, cuts) => {
          const frame = encodeWsFrame(OPCODE.binary, payload, k);
          const reader = server();
          const events: WsEvent[] = [];
          let at = 0;
          for (let i = 0; at < frame.length; i++) {
            const n = cuts[i % cuts.length]!;
            events.push(...reader.push(frame.subarray(at, at + n)));
            at += n;
          }
          expect(events).toHaveLength(1);
          expect(Buffer.from((events[0] as { data: Buffer }).data)).toEqual(Buffer.from(payload));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('FrameReader', () => {
  it('reads frames delivered byte by byte, several frames per chunk, and control frames between fragments', () => {
    const bytes = Buffer.concat([
      encodeWsFrame(OPCODE.binary, Buffer.from([1, 2, 3])),
      encodeWsFrame(OPCODE.binary, Buffer.from('ab'), undefined, false),
      encodeWsFrame(OPCODE.ping, Buffer.from('p')),
      encodeWsFrame(OPCODE.continuation, Buffer.alloc(0), undefined, false),
      encodeWsFrame(OPCODE.continuation, Buffer.alloc(300, 0x63)),
      encodeWsFrame(OPCODE.pong, Buffer.alloc(0)),
      encodeWsFrame(OPCODE.text, Buffer.from('héllo')),
    ]);
    const expected = [
      { type: 'message', binary: true, data: Buffer.from([1, 2, 3]) },
      { type: 'ping', data: Buffer.from('p') },
      { type: 'message', binary: true, data: Buffer.concat([Buffer.from('ab'), Buffer.alloc(300, 0x63)]) },
      { type: 'pong', data: Buffer.alloc(0) },
      { type: 'message', binary: false, data: Buffer.from('héllo') },
    ];
    expect(bytewise(client(), bytes)).toEqual(expected);
    expect(client().push(bytes)).toEqual(expected);
  });

  it('reads close frames with and without a code, and nothing after them', () => {
    const withCode = Buffer.concat([encodeWsFrame(OPCODE.close, closePayload(4403, 'go away')), encodeWsFrame(OPCODE.binary, Buffer.from('x'))]);
    expect(bytewise(client(), withCode)).toEqual([{ type: 'close', code: 4403, reason: 'go away' }]);
    expect(client().push(encodeWsFrame(OPCODE.close, Buffer.alloc(0)))).toEqual([{ type: 'close', code: CLOSE_CODE.noStatus, reason: '' }]);
    expect(closePayload(1000, 'é'.repeat(100)).length).toBe(125);
  });

  it('refuses a message longer than the limit with 1009, before its payload arrives', () => {
    const reader = client(1000);
    const frame = encodeWsFrame(OPCODE.binary, Buffer.alloc(1001));
    expect(reader.push(frame.subarray(0, 4))).toEqual([{ type: 'error', code: CLOSE_CODE.messageTooBig, message: expect.any(String) }]);
    expect(reader.push(frame.subarray(4))).toEqual([]);
    expect(client(1000).push(encodeWsFrame(OPCODE.binary, Buffer.alloc(1000)))).toHaveLength(1);
    // Fragments count together.
    const parts = Buffer.concat([
      encodeWsFrame(OPCODE.binary, Buffer.alloc(600), undefined, false),
      encodeWsFrame(OPCODE.continuation, Buffer.alloc(600)),
    ]);
    expect(client(1000).push(parts)).toEqual([{ type: 'error', code: CLOSE_CODE.messageTooBig, message: expect.any(String) }]);
  });

  it.each([
    ['a masked frame from the server', encodeWsFrame(OPCODE.binary, Buffer.from('x'), key), CLOSE_CODE.protocolError],
    ['RSV bits', Buffer.from([0xc2, 0x00]), CLOSE_CODE.protocolError],
    ['an unknown opcode', Buffer.from([0x83, 0x00]), CLOSE_CODE.protocolError],
    ['a fragmented ping', encodeWsFrame(OPCODE.ping, Buffer.alloc(0), undefined, false), CLOSE_CODE.protocolError],
    ['a long ping', encodeWsFrame(OPCODE.ping, Buffer.alloc(126)), CLOSE_CODE.protocolError],
    ['a continuation out of nowhere', encodeWsFrame(OPCODE.continuation, Buffer.from('x')), CLOSE_CODE.protocolError],
    [
      'a new message inside a fragmented one',
      Buffer.concat([encodeWsFrame(OPCODE.binary, Buffer.from('x'), undefined, false), encodeWsFrame(OPCODE.binary, Buffer.from('y'))]),
      CLOSE_CODE.protocolError,
    ],
    ['a 1-byte close payload', encodeWsFrame(OPCODE.close, Buffer.from([3])), CLOSE_CODE.protocolError],
    ['a reserved close code', encodeWsFrame(OPCODE.close, closePayload(1006)), CLOSE_CODE.protocolError],
    ['a text message that is not UTF-8', encodeWsFrame(OPCODE.text, Buffer.from([0xff, 0xfe])), CLOSE_CODE.invalidPayload],
    ['a 64-bit length with the top bit set', Buffer.from([0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1]), CLOSE_CODE.protocolError],
  ])('refuses %s', (_what, bytes, code) => {
    const events = client().push(bytes);
    expect(events.at(-1)).toEqual({ type: 'error', code, message: expect.any(String) });
  });

  it('refuses an unmasked frame when reading as the server', () => {
    expect(server().push(encodeWsFrame(OPCODE.binary, Buffer.from('x')))).toEqual([
      { type: 'error', code: CLOSE_CODE.protocolError, message: 'an unmasked frame from the client' },
    ]);
  });
});

describe('isValidCloseCode', () => {
  it('accepts the codes a frame may carry', () => {
    expect([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4401, 4999].every(isValidCloseCode)).toBe(true);
    expect([0, 999, 1004, 1005, 1006, 1015, 2000, 2999, 5000].some(isValidCloseCode)).toBe(false);
  });
});
