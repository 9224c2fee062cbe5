import { describe, expect, it } from 'vitest';
import type { Problem } from '@capstan/protocol';
import { formatColumns, formatProblem, formatTable, listCell, pageFooter, printable } from './output.ts';

describe('formatTable', () => {
  it('aligns every column to its widest cell, two spaces apart, without trailing blanks', () => {
    const text = formatTable(
      ['ID', 'NAME', 'STATUS'],
      [
        ['1', 'production', 'up'],
        ['12', 'qa', 'pending'],
      ],
    );
    expect(text).toBe('ID  NAME        STATUS\n1   production  up\n12  qa          pending\n');
  });

  it('prints the header alone for an empty list', () => {
    expect(formatTable(['ID', 'NAME'], [])).toBe('ID  NAME\n');
  });

  it('fills missing cells and trims an empty last column', () => {
    expect(formatTable(['A', 'B', 'C'], [['x']])).toBe('A  B  C\nx\n');
  });

  it('measures characters, not UTF-16 units', () => {
    // U+1D49C is two UTF-16 units but one character wide.
    expect(
      formatTable(
        ['N', 'X'],
        [
          ['\u{1D49C}', '1'],
          ['ab', '2'],
        ],
      ),
    ).toBe('N   X\n\u{1D49C}   1\nab  2\n');
  });

  it('neutralises control characters coming from the server', () => {
    expect(formatTable(['NAME'], [['evil\u001b[2J']])).toBe('NAME\nevil?[2J\n');
  });
});

describe('formatColumns', () => {
  it('aligns rows without a header and prints nothing for no rows', () => {
    expect(
      formatColumns([
        ['user', 'admin'],
        ['permissions', 'all'],
      ]),
    ).toBe('user         admin\npermissions  all\n');
    expect(formatColumns([])).toBe('');
  });
});

describe('formatProblem', () => {
  const base: Problem = {
    type: 'https://capstan.dev/problems/conflict',
    title: 'Conflict',
    status: 409,
    code: 'conflict',
    detail: 'an environment named "prod" exists: choose another name',
  };

  it('puts the detail and the code on one line', () => {
    expect(formatProblem(base)).toBe(
      'error: an environment named "prod" exists: choose another name (conflict)\n',
    );
  });

  it('lists each field issue on its own indented line', () => {
    const problem: Problem = {
      ...base,
      status: 400,
      code: 'validation_failed',
      detail: 'body.name: must not be empty (and 1 more)',
      issues: [
        { location: 'body', path: 'name', message: 'must not be empty' },
        { location: 'body', path: '(root)', message: 'unknown field "x": remove it' },
      ],
    };
    expect(formatProblem(problem)).toBe(
      'error: body.name: must not be empty (and 1 more) (validation_failed)\n' +
        '  body.name: must not be empty\n' +
        '  body: unknown field "x": remove it\n',
    );
  });

  it('points issues inside a submitted file at file:line:column', () => {
    const problem: Problem = {
      ...base,
      status: 400,
      code: 'compose_invalid',
      detail: 'the compose file is not valid',
      issues: [
        { location: 'body', path: 'services.web', message: 'bad', file: 'compose.yml', line: 3, column: 5 },
        { location: 'body', path: 'services.db.restart', message: 'services.db.restart must be "no", always, …', file: 'compose.yml', line: 9, column: 14 },
        { location: 'body', path: '', message: 'unreadable', file: '.env', line: null, column: null },
      ],
    };
    expect(formatProblem(problem)).toBe(
      'error: the compose file is not valid (compose_invalid)\n' +
        '  compose.yml:3:5: services.web: bad\n' +
        '  compose.yml:9:14: services.db.restart must be "no", always, …\n' +
        '  .env: unreadable\n',
    );
  });

  it('says when to retry after rate limiting', () => {
    const problem: Problem = {
      ...base,
      status: 429,
      code: 'rate_limited',
      detail: 'slow down',
      retryAfterSeconds: 30,
    };
    expect(formatProblem(problem)).toBe('error: slow down (rate_limited)\n  retry after 30s\n');
  });
});

describe('small cells', () => {
  it('joins lists or shows a dash', () => {
    expect(listCell(['a', 'b'])).toBe('a,b');
    expect(listCell([])).toBe('-');
  });

  it('replaces control characters', () => {
    expect(printable('a\nb\tc')).toBe('a?b?c');
  });
});

describe('pageFooter', () => {
  it('is empty when the page holds everything', () => {
    expect(pageFooter({ items: [1, 2], total: 2, offset: 0 })).toBe('');
  });

  it('tells which slice is shown', () => {
    expect(pageFooter({ items: [1, 2], total: 5, offset: 2 })).toBe(
      '(3-4 of 5; page with --limit and --offset)\n',
    );
  });

  it('explains an offset past the end', () => {
    expect(pageFooter({ items: [], total: 5, offset: 10 })).toBe('(nothing at offset 10; 5 in total)\n');
  });
});
