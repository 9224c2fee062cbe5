import { describe, expect, it } from 'vitest';
import { filterLogLines } from './log-filter.ts';

const lines = [{ text: 'GET /health 200' }, { text: 'ERROR database unreachable' }, { text: 'error: retrying' }, { text: '' }];

describe('filterLogLines', () => {
  it('keeps every line for a blank query', () => {
    expect(filterLogLines(lines, '  ')).toEqual(lines);
  });

  it('matches substrings ignoring case', () => {
    expect(filterLogLines(lines, 'error').map((l) => l.text)).toEqual(['ERROR database unreachable', 'error: retrying']);
    expect(filterLogLines(lines, ' /HEALTH ').map((l) => l.text)).toEqual(['GET /health 200']);
    expect(filterLogLines(lines, 'nothing')).toEqual([]);
  });

  it('treats regular expression characters literally', () => {
    expect(filterLogLines([{ text: 'a.b' }, { text: 'axb' }], 'a.b')).toEqual([{ text: 'a.b' }]);
  });
});
