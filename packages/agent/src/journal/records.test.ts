import { describe, expect, it } from 'vitest';
import { parseJournal } from './records.ts';

const accepted = '{"t":"accepted","id":"a","seq":1,"kind":"k","at":"2026-01-01T00:00:00.000Z"}';

describe('parseJournal', () => {
  it('reads whole lines and reports the bytes they span', () => {
    const text = `${accepted}\n`;
    expect(parseJournal(text)).toEqual({ records: [JSON.parse(accepted)], validBytes: Buffer.byteLength(text), corruptLine: null });
  });

  it('treats an unterminated last line as a torn write', () => {
    const r = parseJournal(`${accepted}\n{"t":"res`);
    expect(r.records).toHaveLength(1);
    expect(r.validBytes).toBe(accepted.length + 1);
    expect(r.corruptLine).toBeNull();
  });

  it('reports the first damaged line', () => {
    expect(parseJournal(`${accepted}\n{"t":"bogus"}\n${accepted}\n`).corruptLine).toBe(2);
    expect(parseJournal('not json\n').corruptLine).toBe(1);
  });

  it('reads checkpoint records, whatever data they hold', () => {
    const checkpoint = '{"t":"checkpoint","id":"a","data":{"execId":"e1"},"at":"2026-01-01T00:00:01.000Z"}';
    expect(parseJournal(`${accepted}\n${checkpoint}\n`).records).toEqual([JSON.parse(accepted), JSON.parse(checkpoint)]);
    expect(parseJournal('{"t":"checkpoint","data":1,"at":"x"}\n').corruptLine).toBe(1); // no id
  });

  it('counts bytes, not characters', () => {
    const wide = accepted.replace('"k"', '"ключ"');
    expect(parseJournal(`${wide}\n`).validBytes).toBe(Buffer.byteLength(`${wide}\n`));
  });
});
