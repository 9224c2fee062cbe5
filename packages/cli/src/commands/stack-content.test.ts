import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StackVersionSummary } from '@capstan/protocol';
import { ApiError, CliError, UsageError } from '../errors.ts';
import {
  localizeComposeProblem,
  mergeWithStored,
  parseAssignment,
  readContent,
  stackFileName,
  variablesFromFlags,
} from './stack-content.ts';
import { resolveVersion } from './stack-deploy.ts';

describe('variables from the command line', () => {
  it('splits at the first =, and reads a bare secret from the environment', () => {
    expect(parseAssignment('A=b=c', false, {}, 'u')).toEqual({ name: 'A', value: 'b=c', secret: false });
    expect(parseAssignment('E=', false, {}, 'u')).toEqual({ name: 'E', value: '', secret: false });
    expect(parseAssignment('TOKEN', true, { TOKEN: 's3' }, 'u')).toEqual({ name: 'TOKEN', value: 's3', secret: true });
    expect(() => parseAssignment('A', false, { A: 'x' }, 'u')).toThrow(UsageError);
    expect(() => parseAssignment('TOKEN', true, {}, 'u')).toThrow(/\$TOKEN is not set/);
    expect(() => parseAssignment('=x', false, {}, 'u')).toThrow(/name before = is empty/);
  });

  it('keeps the last value of a name given twice', () => {
    expect(variablesFromFlags({ var: ['A=1', 'B=2', 'A=3'], secret: ['B=s'] }, {}, 'u')).toEqual([
      { name: 'A', value: '3', secret: false },
      { name: 'B', value: 's', secret: true },
    ]);
  });

  it('sends stored variables again on deploy in their order, secrets without value, named ones replaced, new ones last', () => {
    expect(
      mergeWithStored(
        [
          { name: 'KEEP', value: 'k', secret: false },
          { name: 'PW', value: null, secret: true },
          { name: 'A', value: 'old', secret: false },
        ],
        [
          { name: 'NEW', value: 'n', secret: false },
          { name: 'KEEP', value: 'k2', secret: true },
        ],
      ),
    ).toEqual([
      { name: 'KEEP', value: 'k2', secret: true },
      { name: 'PW', secret: true },
      { name: 'A', value: 'old', secret: false },
      { name: 'NEW', value: 'n', secret: false },
    ]);
  });
});

describe('files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-stack-content-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names extra files relative to the compose file, and refuses files outside its folder', () => {
    expect(stackFileName('/p/app/conf/nginx.conf', '/p/app', 'u')).toBe('conf/nginx.conf');
    expect(() => stackFileName('/p/other.conf', '/p/app', 'u')).toThrow(/is not inside \/p\/app/);
    expect(() => stackFileName('/p/app', '/p/app', 'u')).toThrow(UsageError);
  });

  it('reads the compose file, the env file as .env and extra files, remembering the names given', () => {
    mkdirSync(path.join(dir, 'app', 'conf'), { recursive: true });
    writeFileSync(path.join(dir, 'app', 'shop.yml'), 'services: {}\n');
    writeFileSync(path.join(dir, 'prod.env'), 'A=1\n');
    writeFileSync(path.join(dir, 'app', 'conf', 'x.conf'), 'x\n');
    const c = readContent(
      { file: 'app/shop.yml', 'env-file': 'prod.env', 'extra-file': ['app/conf/x.conf'], var: ['A=2'] },
      dir,
      {},
      'u',
    );
    expect(c.compose).toBe('services: {}\n');
    expect(c.files).toEqual([
      { name: '.env', content: 'A=1\n' },
      { name: 'conf/x.conf', content: 'x\n' },
    ]);
    expect(c.variables).toEqual([{ name: 'A', value: '2', secret: false }]);
    expect([...c.localNames]).toEqual([
      ['compose.yaml', 'app/shop.yml'],
      ['.env', 'prod.env'],
      ['conf/x.conf', 'app/conf/x.conf'],
    ]);
    expect(readContent({}, dir, {}, 'u')).toMatchObject({ compose: undefined, files: undefined, variables: [] });
    expect(() => readContent({ file: 'missing.yml' }, dir, {}, 'u')).toThrow(CliError);
  });
});

describe('localizeComposeProblem', () => {
  it("points the server's compose problem at the user's file", () => {
    const err = new ApiError({
      type: 't',
      title: 'Bad Request',
      status: 400,
      code: 'compose_invalid',
      detail: 'the compose file is not valid: compose.yaml:3:5 (services.web): bad',
      issues: [
        { location: 'body', path: 'compose: services.web', message: 'bad', file: 'compose.yaml', line: 3, column: 5 },
        { location: 'body', path: 'files[.env]', message: 'odd', file: '.env', line: 1, column: 1 },
      ],
    });
    const out = localizeComposeProblem(err, new Map([['compose.yaml', 'shop.yml'], ['.env', 'prod.env']]));
    expect(out).toBeInstanceOf(ApiError);
    const p = (out as ApiError).problem;
    expect(p.detail).toBe('the compose file is not valid: shop.yml:3:5 (services.web): bad');
    expect(p.issues).toEqual([
      { location: 'body', path: 'services.web', message: 'bad', file: 'shop.yml', line: 3, column: 5 },
      { location: 'body', path: '', message: 'odd', file: 'prod.env', line: 1, column: 1 },
    ]);
    const other = new CliError('x');
    expect(localizeComposeProblem(other, new Map([['compose.yaml', 'a']]))).toBe(other);
  });
});

describe('resolveVersion', () => {
  const v = (id: number, number: number) => ({ id, number }) as StackVersionSummary;
  const list = [v(12, 3), v(3, 2), v(10, 1)];

  it('takes a version number first, then an id; vN is always a number', () => {
    expect(resolveVersion('3', list, 'u').id).toBe(12);
    expect(resolveVersion('v1', list, 'u').id).toBe(10);
    expect(resolveVersion('10', list, 'u').id).toBe(10);
    expect(() => resolveVersion('v10', list, 'u')).toThrow(/no version v10/);
    expect(() => resolveVersion('latest', list, 'u')).toThrow(UsageError);
  });
});
