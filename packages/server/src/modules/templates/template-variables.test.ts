import { readFileSync } from 'node:fs';
import { CatalogueEntrySchema, TemplateVariableSchema, type TemplateVariable } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES_FILE } from '../../config/config.ts';
import { parseCatalogue } from './catalogue-parse.ts';
import { checkDefinition, checkTemplateVariables, checkValue, composeReferences, resolveValues } from './template-variables.ts';

/** A definition as the API would hand it over (schema defaults applied). */
const def = (v: Record<string, unknown>): TemplateVariable => TemplateVariableSchema.parse(v);

describe('composeReferences', () => {
  it('finds ${NAME}, $NAME and fallbacks, and skips $$ escapes', () => {
    const text = 'a: ${A}\nb: $B\nc: ${C:-x}\nd: ${D-x}\ne: $${NOT}\nf: $$G\nh: ${H:?must}\ni: ${A}\nj: ${C}';
    expect(composeReferences(text)).toEqual([
      { name: 'A', fallback: false },
      { name: 'B', fallback: false },
      // Used once with a fallback and once without: the bare use needs a value.
      { name: 'C', fallback: false },
      { name: 'D', fallback: true },
      { name: 'H', fallback: false },
    ]);
  });
});

describe('checkDefinition', () => {
  it('accepts consistent definitions of every type', () => {
    const good = [
      def({ name: 'S', type: 'string', default: 'abc', min: 1, max: 5, pattern: '[a-z]+' }),
      def({ name: 'N', type: 'number', default: 2.5, min: 0, max: 10 }),
      def({ name: 'B', type: 'boolean', default: false }),
      def({ name: 'O', type: 'select', default: 'b', options: [{ value: 'a' }, { value: 'b', label: 'Bee' }] }),
      def({ name: 'P', type: 'secret', required: true, min: 12 }),
      def({ name: 'Q', type: 'port', default: 8080, min: 1024 }),
    ];
    for (const d of good) expect(checkDefinition(d, 'v'), d.name).toEqual([]);
  });

  it.each([
    [{ name: 'X', type: 'select' }, 'v.options', /at least one option/],
    [{ name: 'X', type: 'select', options: [{ value: 'a' }, { value: 'a' }] }, 'v.options', /listed twice/],
    [{ name: 'X', type: 'string', options: [{ value: 'a' }] }, 'v.options', /select variables only/],
    [{ name: 'X', type: 'number', pattern: '\\d+' }, 'v.pattern', /string and secret variables only/],
    [{ name: 'X', type: 'string', pattern: '(' }, 'v.pattern', /not a valid regular expression/],
    [{ name: 'X', type: 'boolean', min: 1 }, 'v.min', /not boolean/],
    [{ name: 'X', type: 'string', min: -1 }, 'v.min', /whole number of at least 0/],
    [{ name: 'X', type: 'port', max: 70000 }, 'v.max', /port number/],
    [{ name: 'X', type: 'number', min: 5, max: 1 }, 'v.max', /not be less than min/],
    [{ name: 'X', type: 'secret', default: 'hunter2hunter2' }, 'v.default', /cannot have a default/],
    [{ name: 'X', type: 'number', default: 'ten' }, 'v.default', /the default must be a number/],
    [{ name: 'X', type: 'select', options: [{ value: 'a' }], default: 'b' }, 'v.default', /must be one of "a"/],
    [{ name: 'X', type: 'string', pattern: '[a-z]+', default: 'ABC' }, 'v.default', /must match the pattern/],
  ])('refuses %j at %s', (raw, path, message) => {
    const problems = checkDefinition(def(raw), 'v');
    expect(problems.length, JSON.stringify(problems)).toBeGreaterThan(0);
    expect(problems[0]?.path).toBe(path);
    expect(problems[0]?.message).toMatch(message);
  });
});

describe('checkTemplateVariables', () => {
  it('names duplicate variables and compose references to undeclared ones', () => {
    const problems = checkTemplateVariables([def({ name: 'A', type: 'string' }), def({ name: 'A', type: 'number' })], 'x: ${A} ${TYPO} ${OK:-1} $$ESCAPED');
    expect(problems).toEqual([
      { path: 'variables.1.name', message: 'variable A is declared twice' },
      { path: 'compose', message: expect.stringMatching(/^uses \$\{TYPO\} but the template declares no such variable/) },
    ]);
  });
});

describe('checkValue', () => {
  it.each([
    [{ type: 'string', max: 3 }, 'abcd', /at most 3 characters/],
    [{ type: 'string', min: 2 }, 'é', /at least 2 characters/],
    [{ type: 'string' }, 5, /must be a string/],
    [{ type: 'string', pattern: '[a-z]+' }, 'abc1', /must match the pattern/],
    [{ type: 'number', min: 1 }, 0, /at least 1/],
    [{ type: 'number' }, 'twelve', /must be a number/],
    [{ type: 'number' }, true, /must be a number/],
    [{ type: 'port' }, 0, /port number from 1 to 65535/],
    [{ type: 'port' }, 80.5, /port number/],
    [{ type: 'port', min: 1024 }, 80, /at least 1024/],
    [{ type: 'boolean' }, 'yes', /true or false/],
    [{ type: 'select', options: [{ value: 'a' }] }, 'b', /one of "a"/],
  ])('refuses %j = %j', (d, value, message) => {
    const r = checkValue(def({ name: 'V', ...d }), value);
    expect('error' in r ? r.error : 'accepted').toMatch(message);
  });

  it('answers the value as a stack variable holds it', () => {
    expect(checkValue(def({ name: 'V', type: 'number' }), ' 42 ')).toEqual({ value: '42' });
    expect(checkValue(def({ name: 'V', type: 'port' }), '8080')).toEqual({ value: '8080' });
    expect(checkValue(def({ name: 'V', type: 'boolean' }), 'false')).toEqual({ value: 'false' });
    expect(checkValue(def({ name: 'V', type: 'boolean' }), true)).toEqual({ value: 'true' });
    expect(checkValue(def({ name: 'V', type: 'select', options: [{ value: '3' }] }), 3)).toEqual({ value: '3' });
  });
});

describe('resolveValues', () => {
  const vars = [
    def({ name: 'PORT', type: 'port', default: 8080 }),
    def({ name: 'PASSWORD', type: 'secret', required: true, min: 12 }),
    def({ name: 'NOTE', type: 'string' }),
    def({ name: 'MODE', type: 'select', options: [{ value: 'fast' }, { value: 'safe' }], default: 'safe' }),
  ];

  it('fills defaults, marks secrets and gives optional variables an empty value', () => {
    expect(resolveValues(vars, { PASSWORD: 'correct horse battery', MODE: '' })).toEqual({
      values: [
        { name: 'PORT', value: '8080', secret: false },
        { name: 'PASSWORD', value: 'correct horse battery', secret: true },
        { name: 'NOTE', value: '', secret: false },
        { name: 'MODE', value: 'safe', secret: false },
      ],
    });
  });

  it('reports every bad value at once, each by variable', () => {
    const r = resolveValues(vars, { PORT: 99999, PASSWORD: 'short', TYPO: 'x' });
    expect(r).toEqual({
      problems: [
        { path: 'variables.TYPO', message: expect.stringMatching(/has no variable TYPO/) },
        { path: 'variables.PORT', message: expect.stringMatching(/port number/) },
        { path: 'variables.PASSWORD', message: 'must be at least 12 characters' },
      ],
    });
    expect(resolveValues(vars, {})).toEqual({ problems: [{ path: 'variables.PASSWORD', message: 'is required: give a value' }] });
  });

  it('does not treat inherited object keys as given values', () => {
    const given = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
    const r = resolveValues([def({ name: 'A', type: 'string', default: 'a' })], given);
    expect(r).toEqual({ problems: [{ path: 'variables.__proto__', message: expect.stringMatching(/has no variable __proto__/) }] });
  });
});

describe('parseCatalogue', () => {
  const entry = { id: 'one', title: 'One', compose: 'services: {}\n' };

  it('keeps good entries and skips bad ones with a reason', () => {
    const doc = {
      templates: [
        entry,
        { id: 'Bad Id', title: 'x', compose: 'y' },
        { id: 'two', title: 'Two', compose: 'image: ${MISSING}' },
        { ...entry, title: 'Duplicate' },
        'not an object',
      ],
    };
    const r = parseCatalogue(JSON.stringify(doc));
    if (!r.ok) throw new Error(r.error);
    expect(r.templates.map((t) => t.id)).toEqual(['one']);
    expect(r.skipped).toEqual([
      { index: 1, id: 'Bad Id', reason: expect.stringMatching(/^id: must be a slug/) },
      { index: 2, id: 'two', reason: expect.stringMatching(/^compose: uses \$\{MISSING\}/) },
      { index: 3, id: 'one', reason: 'id "one" is used by an earlier entry' },
      { index: 4, id: null, reason: expect.stringMatching(/must be object/) },
    ]);
  });

  it('accepts a bare array and refuses documents that are not catalogues', () => {
    expect(parseCatalogue(JSON.stringify([entry]))).toMatchObject({ ok: true, templates: [{ id: 'one' }] });
    expect(parseCatalogue('{"templates":')).toMatchObject({ ok: false, error: expect.stringMatching(/not valid JSON/) });
    expect(parseCatalogue('{"items":[]}')).toMatchObject({ ok: false, error: expect.stringMatching(/"templates" array/) });
  });

  it('loads the shipped catalogue without skipping anything', () => {
    const r = parseCatalogue(readFileSync(DEFAULT_TEMPLATES_FILE, 'utf8'));
    expect(r).toMatchObject({ ok: true, skipped: [] });
    if (!r.ok) return;
    expect(r.templates.length).toBeGreaterThanOrEqual(3);
    for (const t of r.templates) expect(CatalogueEntrySchema.parse(t).id).toBe(t.id);
  });
});
