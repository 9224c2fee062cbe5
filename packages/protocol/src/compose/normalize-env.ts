// A service's final environment: `env_file:` entries first (in order), then `environment:` (list
// `KEY=VAL` / `KEY`, or map). A key without a value takes the stack variable of the same name,
// else stays unset (null), as docker-compose 1.29 resolves it.
import { parseDotenv } from './dotenv.ts';
import { findStackFile } from './paths.ts';
import {
  asBool,
  asListOrDict,
  asNonEmpty,
  describe,
  eachKey,
  entry,
  fail,
  sortRecord,
  sub,
  type Ctx,
} from './reader.ts';
import type { YNode } from './yaml-positions.ts';

export interface EnvInput {
  files: Readonly<Record<string, string>>;
  mainFile: string;
  variables: Readonly<Record<string, string>>;
}

/** Reads env_file and environment into one sorted map (null: unset in the container). */
export function readServiceEnvironment(
  ctx: Ctx,
  envFile: YNode | undefined,
  environment: YNode | undefined,
  path: string,
  input: EnvInput,
): Record<string, string | null> {
  const env: Record<string, string | null> = {};
  if (envFile !== undefined) {
    for (const [key, value] of readEnvFiles(ctx, envFile, sub(path, 'env_file'), input)) env[key] = value;
  }
  if (environment !== undefined) {
    const p = sub(path, 'environment');
    for (const kv of asListOrDict(ctx, environment, p, '=') ?? []) {
      if (kv.key === '' || /\s/.test(kv.key)) {
        fail(
          ctx,
          kv.pos,
          kv.path,
          `environment variable name "${kv.key}" is empty or contains whitespace: write KEY=value`,
        );
        continue;
      }
      env[kv.key] = kv.value;
    }
  }
  for (const key of Object.keys(env)) {
    if (env[key] === null && Object.hasOwn(input.variables, key)) env[key] = input.variables[key] ?? null;
  }
  return sortRecord(env);
}

function readEnvFiles(ctx: Ctx, node: YNode, path: string, input: EnvInput): [string, string | null][] {
  const refs: { ref: string; required: boolean; node: YNode; path: string }[] = [];
  const items = node.kind === 'seq' ? node.items : [node];
  items.forEach((item, i) => {
    const p = node.kind === 'seq' ? sub(path, i) : path;
    if (item.kind === 'map') {
      // Newer compose-spec long form: { path, required }.
      let ref: string | undefined;
      let required = true;
      eachKey(ctx, item, p, ['path', 'required'], {}, (key, value) => {
        if (key === 'path') ref = asNonEmpty(ctx, value, sub(p, key));
        else required = asBool(ctx, value, sub(p, key)) ?? true;
      });
      if (entry(item, 'path') === undefined)
        fail(ctx, item.pos, p, `${p} needs a path: the env file to read`);
      if (ref !== undefined) refs.push({ ref, required, node: item, path: p });
      return;
    }
    if (item.kind === 'seq') {
      fail(ctx, item.pos, p, `${p} must be a file name, not ${describe(item)}`);
      return;
    }
    const ref = asNonEmpty(ctx, item, p);
    if (ref !== undefined) refs.push({ ref, required: true, node: item, path: p });
  });
  const out: [string, string | null][] = [];
  for (const r of refs) {
    const found = findStackFile(input.files, input.mainFile, r.ref);
    if (found === null) {
      if (r.required) {
        fail(
          ctx,
          r.node.pos,
          r.path,
          `env file "${r.ref}" is not among the stack's files: add it to the stack (next to the compose file) or remove it from env_file`,
        );
      }
      continue;
    }
    const fileCtx: Ctx = { file: found.key, issues: ctx.issues };
    for (const e of parseDotenv(fileCtx, found.text, input.variables)) out.push([e.key, e.value]);
  }
  return out;
}
