import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ComposeIssueSchema, ComposeProjectSchema } from './model.ts';
import { parseCompose } from './parse.ts';
import { SERVICE_KEYS } from './service-keys.ts';

// parseCompose must answer every input with a result (issues, or a schema-valid project), never an exception.
function check(text: string, files: Record<string, string> = {}): void {
  const r = parseCompose({
    files: { ...files, 'compose.yml': text },
    mainFile: 'compose.yml',
    projectName: 'prop',
    variables: { SET: 'v' },
  });
  for (const issue of r.issues) {
    expect(ComposeIssueSchema.safeParse(issue).success).toBe(true);
    expect(issue.message).not.toMatch(/^internal error/);
  }
  if (r.project !== null) {
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(ComposeProjectSchema.safeParse(r.project).success).toBe(true);
  }
}

const tokens = fc.constantFrom(
  'services:',
  'networks:',
  'volumes:',
  'secrets:',
  'configs:',
  'app:',
  'db:',
  'image: capstan-test/busybox:latest',
  'image:',
  'ports:',
  'volumes:',
  '- "8080:80"',
  '- 80',
  '- data:/data',
  '- ./x:/x:ro',
  'depends_on:',
  '- db',
  'condition: service_healthy',
  'healthcheck:',
  'test: true',
  'interval: 10s',
  'environment:',
  '- A=${SET}',
  '- B=${UNSET:?no}',
  'K: $$',
  '&a',
  '*a',
  '<<: *a',
  'x-a: &a',
  'restart: no',
  'deploy:',
  'resources:',
  'limits:',
  'cpus: "0.5"',
  'memory: 1g',
  'tmpfs: /tmp',
  'command: "a \'b"',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '- ',
  '"',
  "'",
  '#',
  '---',
  '!tag',
  '? ',
  '|',
  '>',
  '\t',
  '%YAML 1.1',
  '~',
  'null',
  'yes',
  '0755',
  '1:30',
);
const yamlish = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 8 }), fc.array(tokens, { minLength: 1, maxLength: 4 })), {
    maxLength: 30,
  })
  .map((lines) => lines.map(([indent, parts]) => ' '.repeat(indent) + parts.join(' ')).join('\n'));

const scalar = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('8080:80', '10s', '512m', '/data', 'a:/b', '${SET}', 'always'),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('node'), { maxKeys: 4 }),
  ),
})).node;
const serviceKey = fc.constantFrom(...SERVICE_KEYS, 'devices', 'extends', 'unknown_key', 'x-ext');
const structured = fc
  .record({
    services: fc.dictionary(
      fc.constantFrom('app', 'db', 'web', 'Bad Name'),
      fc.dictionary(serviceKey, value, { maxKeys: 6 }),
      { maxKeys: 3 },
    ),
    networks: fc.option(fc.dictionary(fc.constantFrom('front', 'back', 'default'), value, { maxKeys: 2 }), {
      nil: undefined,
    }),
    volumes: fc.option(fc.dictionary(fc.constantFrom('data', 'db'), value, { maxKeys: 2 }), {
      nil: undefined,
    }),
  })
  .map((doc) => stringify(doc));

describe('parseCompose never throws', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => check(text)),
      { numRuns: 300 },
    );
  });

  it('on YAML-ish token soup', () => {
    fc.assert(
      fc.property(yamlish, (text) => check(text)),
      { numRuns: 500 },
    );
  });

  it('on well-formed YAML of random compose-shaped values', () => {
    fc.assert(
      fc.property(structured, fc.string({ maxLength: 100 }), (text, envText) =>
        check(text, { '.env': envText }),
      ),
      { numRuns: 500 },
    );
  });
});
