import { parseCompose, type Problem } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { fromComposeIssues, fromProblem, issueLabel, issueToDiagnostic, mergeIssues, offsetOf, type EditorIssue } from './composeDiagnostics.ts';

const text = 'services:\n  web:\n    image: nginx\n    restart: sometimes\n';

describe('compose issues as editor diagnostics', () => {
  it('turns 1-based line and column into offsets, clamped', () => {
    expect(offsetOf(text, 1, 1)).toBe(0);
    expect(offsetOf(text, 2, 3)).toBe(12);
    expect(offsetOf(text, 2, 99)).toBe(16);
    expect(offsetOf(text, 99, 1)).toBe(text.length);
  });

  it('underlines the word at the issue, in the main file only', () => {
    const issue: EditorIssue = { severity: 'error', file: 'compose.yaml', line: 4, column: 14, message: 'bad restart', origin: 'local' };
    const d = issueToDiagnostic(text, issue);
    expect(d).toMatchObject({ severity: 'error', message: 'bad restart', source: 'compose' });
    expect(text.slice(d!.from, d!.to)).toBe('sometimes');
    expect(issueToDiagnostic(text, { ...issue, file: '.env' })).toBeNull();
    expect(issueToDiagnostic(text, { ...issue, line: null, column: null })).toMatchObject({ from: 0, to: 8 });
    expect(issueToDiagnostic('', { ...issue, line: 1, column: 1 })).toMatchObject({ from: 0, to: 0 });
  });

  it('maps what the reader reports in the browser', () => {
    const parsed = parseCompose({ files: { 'compose.yaml': text }, mainFile: 'compose.yaml', projectName: 'demo', variables: {} });
    const issues = fromComposeIssues(parsed.issues);
    expect(issues.some((i) => i.severity === 'error' && i.line === 4)).toBe(true);
    const d = issueToDiagnostic(text, issues.find((i) => i.line === 4)!);
    expect(d?.from).toBeGreaterThan(0);
  });

  it('reads the issues of a compose_invalid problem', () => {
    const problem: Problem = {
      type: 'about:blank',
      title: 'compose_invalid',
      status: 400,
      code: 'compose_invalid',
      detail: 'the compose file is not valid',
      issues: [
        { location: 'body', path: 'compose: services.web.restart', message: 'bad restart', file: 'compose.yaml', line: 4, column: 14 },
        { location: 'body', path: 'compose: version', message: 'obsolete', file: 'compose.yaml', line: 1, column: 1 },
        { location: 'body', path: 'name', message: 'not a compose issue' },
      ],
    };
    const local: EditorIssue[] = [{ severity: 'warning', file: 'compose.yaml', line: 1, column: 1, message: 'obsolete', origin: 'local' }];
    const issues = fromProblem(problem, local);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({ severity: 'error', line: 4, origin: 'server' });
    expect(issues[1]?.severity).toBe('warning');
    expect(fromProblem(null)).toEqual([]);
  });

  it('labels problems and merges duplicates, errors first', () => {
    const a: EditorIssue = { severity: 'warning', file: 'compose.yaml', line: 1, column: 2, message: 'w', origin: 'local' };
    const b: EditorIssue = { severity: 'error', file: 'compose.yaml', line: 5, column: 1, message: 'e', origin: 'local' };
    expect(issueLabel(b)).toBe('line 5, column 1: e');
    expect(issueLabel({ ...b, file: '.env' })).toBe('.env, line 5, column 1: e');
    expect(issueLabel({ ...b, line: null, column: null })).toBe('e');
    expect(mergeIssues([a, b], [{ ...b, origin: 'server' }])).toEqual([{ ...b, origin: 'server' }, a]);
  });
});
