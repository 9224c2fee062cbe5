import { describe, expect, it } from 'vitest';
import { interpolateString } from './interpolate.ts';

const vars = { NAME: 'web', EMPTY: '', PORT: '8080' };
const ok = (text: string): string => {
  const r = interpolateString(text, vars);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('interpolateString', () => {
  it.each([
    ['plain text', 'plain text'],
    ['$NAME-$PORT', 'web-8080'],
    ['${NAME}x', 'webx'],
    ['${MISSING:-dflt}', 'dflt'],
    ['${EMPTY:-dflt}', 'dflt'],
    ['${EMPTY-dflt}', ''],
    ['${MISSING-dflt}', 'dflt'],
    ['${NAME:-dflt}', 'web'],
    ['${EMPTY?must}', ''],
    ['$$NAME costs $$5', '$NAME costs $5'],
    ['${MISSING:-a ${b}', 'a ${b'],
    ['$MISSING.', '.'],
  ])('%s → %s', (text, want) => {
    expect(ok(text)).toBe(want);
  });

  it('lists unset variables with their offsets', () => {
    const r = interpolateString('a $X b ${Y}', {});
    expect(r).toEqual({
      ok: true,
      value: 'a  b ',
      unset: [
        { name: 'X', offset: 2 },
        { name: 'Y', offset: 7 },
      ],
    });
  });

  it('fails on required variables with the given message', () => {
    expect(interpolateString('x ${DB:?set the password}', {})).toMatchObject({
      ok: false,
      offset: 2,
      message: expect.stringContaining('set the password'),
    });
    expect(interpolateString('${EMPTY:?}', vars)).toMatchObject({
      ok: false,
      message: expect.stringContaining('variable EMPTY is required'),
    });
    expect(interpolateString('${MISSING?no}', vars)).toMatchObject({
      ok: false,
      message: expect.stringContaining('no'),
    });
  });

  it.each(['${NAME', '${}', '${1X}', '${NAME:x}', '$', 'a $ b', '$-', '${NAME BAD}'])(
    'rejects %s',
    (text) => {
      const r = interpolateString(text, vars);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toContain('invalid interpolation');
    },
  );
});
