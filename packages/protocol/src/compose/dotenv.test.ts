import { describe, expect, it } from 'vitest';
import { parseDotenv } from './dotenv.ts';
import type { Ctx } from './reader.ts';

const read = (
  text: string,
  outer: Record<string, string> = {},
): { entries: [string, string | null][]; ctx: Ctx } => {
  const ctx: Ctx = { file: '.env', issues: [] };
  return { entries: parseDotenv(ctx, text, outer).map((e) => [e.key, e.value]), ctx };
};

describe('parseDotenv', () => {
  it('reads KEY=value lines the way python-dotenv does', () => {
    const { entries, ctx } = read(
      [
        '# comment',
        '',
        'PLAIN=value',
        'SPACED = padded value  ',
        'export EXPORTED=yes',
        "SINGLE='no ${PLAIN} here'",
        'DOUBLE="tab\\tnew\\nline ${PLAIN}"',
        'COMMENTED=abc # trailing',
        'HASH=abc#def',
        'NOVALUE',
        'EMPTY=',
        'REF=${PLAIN}-${OUTER}-${MISSING:-dflt}',
        'MULTI="one',
        'two"',
      ].join('\n'),
      { OUTER: 'out' },
    );
    expect(ctx.issues).toEqual([]);
    expect(entries).toEqual([
      ['PLAIN', 'value'],
      ['SPACED', 'padded value'],
      ['EXPORTED', 'yes'],
      ['SINGLE', 'no ${PLAIN} here'],
      ['DOUBLE', 'tab\tnew\nline value'],
      ['COMMENTED', 'abc'],
      ['HASH', 'abc#def'],
      ['NOVALUE', null],
      ['EMPTY', ''],
      ['REF', 'value-out-dflt'],
      ['MULTI', 'one\ntwo'],
    ]);
  });

  it('warns about lines it cannot read, with their line number', () => {
    const { entries, ctx } = read('A=1\n=oops\nB=2\n');
    expect(entries).toEqual([
      ['A', '1'],
      ['B', '2'],
    ]);
    expect(ctx.issues).toMatchObject([{ severity: 'warning', file: '.env', line: 2, column: 1 }]);
  });
});
