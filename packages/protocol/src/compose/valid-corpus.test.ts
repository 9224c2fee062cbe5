import { describe, expect, it } from 'vitest';
import { ComposeProjectSchema, type ComposeIssue, type ComposeProject } from './model.ts';
import { parseCompose } from './parse.ts';
import { loadValidCase, validCaseNames } from './testdata/corpus.ts';
import type { Expectation } from './testdata/expect-helpers.ts';
import { EXPECT_SETTINGS } from './testdata/expect-settings.ts';
import { EXPECT_STACKS } from './testdata/expect-stacks.ts';

const EXPECT: Record<string, Expectation> = { ...EXPECT_STACKS, ...EXPECT_SETTINGS };

const parseCase = (
  name: string,
  profiles?: string[],
): { project: ComposeProject | null; issues: ComposeIssue[] } =>
  parseCompose({
    files: loadValidCase(name),
    mainFile: 'compose.yml',
    projectName: name,
    variables: {},
    ...(profiles === undefined ? {} : { profiles }),
  });

describe('valid compose corpus', () => {
  const names = validCaseNames();

  it('has at least 20 cases, each with expectations', () => {
    expect(names.length).toBeGreaterThanOrEqual(20);
    expect(names.filter((n) => EXPECT[n] === undefined)).toEqual([]);
    expect(Object.keys(EXPECT).filter((n) => !names.includes(n))).toEqual([]);
  });

  for (const name of names) {
    it(`${name}: reads without errors into a schema-valid project`, () => {
      const exp = EXPECT[name];
      const { project, issues } = parseCase(name, exp?.profiles);
      expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
      const warnings = issues.filter((i) => i.severity === 'warning').map((i) => i.message);
      expect(warnings.length).toBe(exp?.warnings?.length ?? 0);
      for (const w of exp?.warnings ?? []) expect(warnings.some((m) => m.includes(w))).toBe(true);
      expect(project).not.toBeNull();
      expect(ComposeProjectSchema.safeParse(project).success).toBe(true);
      exp?.check(project as ComposeProject);
    });
  }

  it('profiles: enabling a profile adds its services', () => {
    const { project } = parseCase('profiles', ['debug']);
    expect(Object.keys(project?.services ?? {})).toEqual(['adminer', 'app', 'backup', 'db']);
  });
});
