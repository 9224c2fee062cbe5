// A stack's content from the command line: the compose file, extra files, variables; and the
// server's compose problems pointed back at the user's own file names.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { StackFile, StackVariable, StackVariableInput } from '@capstan/protocol';
import { str, strs, type OptionTable, type OptionValues } from '../args.ts';
import { ApiError, CliError, UsageError } from '../errors.ts';

/** What the server calls the compose file in issues (its stacks module stores it under this name). */
export const SERVER_COMPOSE_FILE = 'compose.yaml';

/** The flags that give content, shared by create, plan and deploy. */
export const CONTENT_OPTIONS = {
  file: { type: 'string', short: 'f' },
  'env-file': { type: 'string' },
  'extra-file': { type: 'string', multiple: true },
  var: { type: 'string', multiple: true },
  secret: { type: 'string', multiple: true },
} as const satisfies OptionTable;

/** Synopsis of CONTENT_OPTIONS, with the compose file required or not. */
export function contentSynopsis(fileRequired: boolean): string {
  const file = fileRequired ? '--file compose.yml' : '[--file compose.yml]';
  return `${file} [--env-file .env] [--extra-file PATH ...] [--var KEY=VALUE ...] [--secret KEY[=VALUE] ...]`;
}

/** Content read from the command line; absent parts are left to the server (keep what is stored). */
export interface ContentInput {
  compose: string | undefined;
  files: StackFile[] | undefined;
  /** Only the variables named on the command line. */
  variables: StackVariableInput[];
  /** server file name → the path the user gave, for messages. */
  localNames: Map<string, string>;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

/**
 * The name an extra file gets in the stack: its path relative to `baseDir` (the compose file's
 * folder), with / separators, as the compose file refers to it. UsageError for files outside.
 */
export function stackFileName(file: string, baseDir: string, usage: string): string {
  const rel = path.relative(baseDir, file).split(path.sep).join('/');
  if (rel === '' || rel.startsWith('../') || rel === '..' || path.isAbsolute(rel)) {
    throw new UsageError(
      `--extra-file ${file} is not inside ${baseDir}: the compose file can only refer to files below its own folder`,
      usage,
    );
  }
  return rel;
}

/**
 * One `--var KEY=VALUE` / `--secret KEY=VALUE` assignment. A bare `--secret KEY` takes the value of
 * $KEY, so secrets need not appear in the process list or shell history.
 */
export function parseAssignment(
  raw: string,
  secret: boolean,
  env: Readonly<Record<string, string | undefined>>,
  usage: string,
): StackVariableInput {
  const flagName = secret ? '--secret' : '--var';
  const eq = raw.indexOf('=');
  if (eq < 0) {
    if (!secret) throw new UsageError(`${flagName} "${raw}": write KEY=VALUE`, usage);
    const value = env[raw];
    if (value === undefined) {
      throw new UsageError(`--secret ${raw}: $${raw} is not set (write KEY=VALUE, or export ${raw} first)`, usage);
    }
    return { name: raw, value, secret };
  }
  const name = raw.slice(0, eq);
  if (name === '') throw new UsageError(`${flagName} "${raw}": the name before = is empty`, usage);
  return { name, value: raw.slice(eq + 1), secret };
}

/** The variables given with --var and --secret; a name given twice keeps its last value. */
export function variablesFromFlags(
  values: OptionValues,
  env: Readonly<Record<string, string | undefined>>,
  usage: string,
): StackVariableInput[] {
  const byName = new Map<string, StackVariableInput>();
  for (const raw of strs(values, 'var')) {
    const v = parseAssignment(raw, false, env, usage);
    byName.set(v.name, v);
  }
  for (const raw of strs(values, 'secret')) {
    const v = parseAssignment(raw, true, env, usage);
    byName.set(v.name, v);
  }
  return [...byName.values()];
}

/**
 * The full variable list for a deploy that names some variables: the server replaces the list,
 * so stored ones not named are sent again in their order (stored secrets without a value: the
 * server keeps theirs); named ones replace them in place, new ones come last.
 */
export function mergeWithStored(
  stored: readonly StackVariable[],
  given: readonly StackVariableInput[],
): StackVariableInput[] {
  const byName = new Map(given.map((v) => [v.name, v]));
  const merged = stored.map(
    (v): StackVariableInput =>
      byName.get(v.name) ??
      (v.secret || v.value === null ? { name: v.name, secret: v.secret } : { name: v.name, value: v.value, secret: false }),
  );
  const storedNames = new Set(stored.map((v) => v.name));
  return [...merged, ...given.filter((v) => !storedNames.has(v.name))];
}

/** Reads --file, --env-file and --extra-file (relative to `cwd`) and the variables. */
export function readContent(
  values: OptionValues,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  usage: string,
): ContentInput {
  const composePath = str(values, 'file');
  const envFile = str(values, 'env-file');
  const extra = strs(values, 'extra-file');
  const localNames = new Map<string, string>();
  let compose: string | undefined;
  if (composePath !== undefined) {
    compose = readText(path.resolve(cwd, composePath), 'the compose file');
    localNames.set(SERVER_COMPOSE_FILE, composePath);
  }
  let files: StackFile[] | undefined;
  if (envFile !== undefined || extra.length > 0) {
    const baseDir = path.dirname(path.resolve(cwd, composePath ?? '.'));
    files = [];
    if (envFile !== undefined) {
      files.push({ name: '.env', content: readText(path.resolve(cwd, envFile), 'the env file') });
      localNames.set('.env', envFile);
    }
    for (const file of extra) {
      const name = stackFileName(path.resolve(cwd, file), baseDir, usage);
      files.push({ name, content: readText(path.resolve(cwd, file), 'the file') });
      localNames.set(name, file);
    }
  }
  return { compose, files, variables: variablesFromFlags(values, env, usage), localNames };
}

/**
 * A compose_invalid problem with its issues pointed at the user's files (`compose.yml:3:5`)
 * instead of the server's names; other errors unchanged.
 */
export function localizeComposeProblem(err: unknown, localNames: ReadonlyMap<string, string>): unknown {
  if (!(err instanceof ApiError) || err.problem.code !== 'compose_invalid' || localNames.size === 0) return err;
  const local = (file: string): string => localNames.get(file) ?? file;
  const main = localNames.get(SERVER_COMPOSE_FILE);
  const issues = err.problem.issues?.map((i) => ({
    ...i,
    ...(i.file === undefined ? {} : { file: local(i.file) }),
    // The server prefixes paths with where they are ("compose: …", "files[x]: …"); the file says it now.
    path: i.file === undefined ? i.path : i.path.replace(/^(compose|files\[[^\]]*\])(: )?/, ''),
  }));
  const detail =
    main === undefined ? err.problem.detail : err.problem.detail.replace(`not valid: ${SERVER_COMPOSE_FILE}`, `not valid: ${main}`);
  return new ApiError({ ...err.problem, detail, ...(issues === undefined ? {} : { issues }) });
}

/** Runs `call`, rethrowing compose problems with the user's file names. */
export async function withLocalNames<T>(localNames: ReadonlyMap<string, string>, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw localizeComposeProblem(err, localNames);
  }
}
