import { describe, expect, it } from 'vitest';
import { Demuxer, OutputCollector } from './output.ts';

function frame(stream: number, text: string | Buffer): Buffer {
  const body = typeof text === 'string' ? Buffer.from(text) : text;
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

describe('Demuxer', () => {
  it('splits frames whatever the chunking, byte by byte included', () => {
    const wire = Buffer.concat([frame(1, 'hello '), frame(2, 'oops'), frame(1, 'world'), frame(1, '')]);
    for (const size of [1, 3, 7, 8, 9, wire.length]) {
      const d = new Demuxer();
      const got: Array<[number, string]> = [];
      for (let i = 0; i < wire.length; i += size) for (const c of d.push(wire.subarray(i, i + size))) got.push([c.stream, c.data.toString()]);
      expect(got, `chunks of ${size}`).toEqual([[1, 'hello '], [2, 'oops'], [1, 'world'], [1, '']]);
      expect(d.leftover).toBe(0);
    }
  });

  it('keeps an incomplete tail as leftover', () => {
    const d = new Demuxer();
    expect(d.push(frame(1, 'abcdef').subarray(0, 10))).toEqual([]);
    expect(d.leftover).toBe(10);
  });
});

describe('OutputCollector', () => {
  it('separates stdout and stderr and decodes UTF-8 split across frames', () => {
    const c = new OutputCollector();
    const euro = Buffer.from('€');
    c.add({ stream: 1, data: euro.subarray(0, 1) });
    c.add({ stream: 2, data: Buffer.from('err') });
    c.add({ stream: 1, data: euro.subarray(1) });
    expect(c.finish()).toEqual({ stdout: '€', stderr: 'err', truncated: false });
  });

  it('caps the total and says so, never splitting a surrogate pair', () => {
    const c = new OutputCollector(5);
    c.add({ stream: 1, data: Buffer.from('abc') });
    c.add({ stream: 2, data: Buffer.from('d😀e') });
    c.add({ stream: 1, data: Buffer.from('more') });
    expect(c.finish()).toEqual({ stdout: 'abc', stderr: 'd', truncated: true });
    const exact = new OutputCollector(3);
    exact.add({ stream: 1, data: Buffer.from('abc') });
    expect(exact.finish()).toEqual({ stdout: 'abc', stderr: '', truncated: false });
  });
});
