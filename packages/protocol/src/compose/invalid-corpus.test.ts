import { describe, expect, it } from 'vitest';
import { parseCompose } from './parse.ts';
import { invalidCases } from './testdata/corpus.ts';

describe('invalid compose corpus', () => {
  const cases = invalidCases();

  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  for (const c of cases) {
    it(`${c.name}: error at ${c.line}:${c.column} saying "${c.contains}"`, () => {
      const { project, issues } = parseCompose({
        files: { 'compose.yml': c.text },
        mainFile: 'compose.yml',
        projectName: 'invalid',
        variables: {},
      });
      expect(project).toBeNull();
      const errors = issues.filter((i) => i.severity === 'error');
      const match = errors.find(
        (i) => i.line === c.line && i.column === c.column && i.message.includes(c.contains),
      );
      expect(
        match,
        `errors were:\n${errors.map((i) => `${i.line}:${i.column} ${i.message}`).join('\n')}`,
      ).toMatchObject({ severity: 'error', line: c.line, column: c.column });
      expect(match?.file).toBe('compose.yml');
      // Every error, not just the expected one, says where it is.
      for (const e of errors) expect(e.line).not.toBeNull();
    });
  }
});
