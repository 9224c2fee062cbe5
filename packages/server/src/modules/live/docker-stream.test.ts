import { describe, expect, it } from 'vitest';
import { DockerDemuxer, LineSplitter, LineTooLong } from './docker-stream.ts';

function frame(stream: number, text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + payload.length);
  out[0] = stream;
  new DataView(out.buffer).setUint32(4, payload.length, false);
  out.set(payload, 8);
  return out;
}

function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const text = (pieces: { stream: number; payload: Uint8Array }[]) => pieces.map((p) => `${p.stream}:${new TextDecoder().decode(p.payload)}`);

describe('DockerDemuxer', () => {
  it('splits frames of both streams and joins adjacent ones of the same stream', () => {
    const d = new DockerDemuxer();
    expect(text(d.push(join(frame(1, 'a\n'), frame(1, 'b\n'), frame(2, 'err\n'), frame(1, 'c\n'))))).toEqual(['1:a\nb\n', '2:err\n', '1:c\n']);
  });

  it('gives the same bytes whatever the chunk boundaries (split headers and payloads)', () => {
    const whole = join(frame(1, 'hello world\n'), frame(2, 'oops\n'), frame(1, ''), frame(1, 'bye\n'));
    for (let size = 1; size <= whole.length; size++) {
      const d = new DockerDemuxer();
      const got: Record<number, string> = { 1: '', 2: '' };
      for (let at = 0; at < whole.length; at += size) {
        for (const p of d.push(whole.subarray(at, at + size))) got[p.stream] += new TextDecoder().decode(p.payload);
      }
      expect(got).toEqual({ 1: 'hello world\nbye\n', 2: 'oops\n' });
    }
  });

  it('passes payload on before the frame is complete (a huge announced length holds no memory)', () => {
    const d = new DockerDemuxer();
    const header = new Uint8Array([1, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff]);
    expect(d.push(header)).toEqual([]);
    expect(text(d.push(new TextEncoder().encode('partial')))).toEqual(['1:partial']);
  });

  it('maps stream 3 (daemon errors) through and unknown stream bytes to stdout', () => {
    const d = new DockerDemuxer();
    expect(text(d.push(join(frame(3, 'x'), frame(9, 'y'))))).toEqual(['3:x', '1:y']);
  });
});

describe('LineSplitter', () => {
  it('yields complete lines across chunks, keeps UTF-8 split across chunks intact', () => {
    const s = new LineSplitter(100);
    const bytes = new TextEncoder().encode('{"a":1}\r\n{"b":"é"}\n{"c"');
    expect(s.push(bytes.subarray(0, 14))).toEqual(['{"a":1}']);
    expect(s.push(bytes.subarray(14))).toEqual(['{"b":"é"}']);
    expect(s.push(new TextEncoder().encode(':3}\n'))).toEqual(['{"c":3}']);
  });

  it('refuses a line longer than its limit', () => {
    const s = new LineSplitter(8);
    expect(() => s.push(new TextEncoder().encode('0123456789'))).toThrow(LineTooLong);
  });
});
