import { describe, expect, it } from 'vitest';
import { globalOptions, intOption, locateWords, parseCommandLine, parseId, strs } from './args.ts';
import { UsageError } from './errors.ts';

describe('locateWords', () => {
  it('finds command words around global options, skipping their values', () => {
    const { words, values } = locateWords(['--config', '/c.json', 'env', '--json', 'list', '--limit', '5']);
    expect(words.slice(0, 2)).toEqual([
      { index: 2, value: 'env' },
      { index: 4, value: 'list' },
    ]);
    expect(globalOptions(values)).toMatchObject({ config: '/c.json', json: true });
  });
});

describe('parseCommandLine', () => {
  const options = { mode: { type: 'string' }, 'tag-id': { type: 'string', multiple: true } } as const;

  it('accepts the command options plus the global ones', () => {
    const { positionals, values } = parseCommandLine(
      ['prod', '--tag-id', '1', '--tag-id=2', '--json', '--mode', 'async'],
      options,
      'u',
    );
    expect(positionals).toEqual(['prod']);
    expect(strs(values, 'tag-id')).toEqual(['1', '2']);
    expect(globalOptions(values).json).toBe(true);
  });

  it('turns an unknown flag into a short UsageError carrying the usage', () => {
    try {
      parseCommandLine(['--bogus'], options, 'capstan x');
      expect.fail('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toBe("unknown option '--bogus'");
      expect((err as UsageError).usage).toBe('capstan x');
    }
  });

  it('reports a missing option value', () => {
    expect(() => parseCommandLine(['--mode'], options, 'u')).toThrow(UsageError);
  });
});

describe('parseId', () => {
  it('accepts positive whole numbers only', () => {
    expect(parseId('42', 'ID')).toBe(42);
    for (const bad of ['0', '-1', '1.5', 'abc', '', ' 3', '1e3', '99999999999']) {
      expect(() => parseId(bad, 'ID')).toThrow(UsageError);
    }
  });
});

describe('intOption', () => {
  it('is undefined when absent and checks bounds when given', () => {
    expect(intOption({}, 'limit', 1, 10, 'u')).toBeUndefined();
    expect(intOption({ limit: '10' }, 'limit', 1, 10, 'u')).toBe(10);
    expect(() => intOption({ limit: '11' }, 'limit', 1, 10, 'u')).toThrow(
      /--limit must be a whole number from 1 to 10/,
    );
    expect(() => intOption({ limit: 'x' }, 'limit', 1, 10, 'u')).toThrow(UsageError);
  });
});
