// Secrets and configs without a swarm: the top-level definitions take their content from a stack
// file (`file:`), a stack variable (`environment:`) or, for configs, inline `content:`; services
// mount them read-only (secrets at /run/secrets/<name>, configs at /<name> unless a target is given).
import type { ServiceSpec } from './model.ts';
import { findStackFile } from './paths.ts';
import {
  asInt,
  asMap,
  asNonEmpty,
  asString,
  describe,
  eachKey,
  entry,
  fail,
  sub,
  type Ctx,
  type KeyRule,
} from './reader.ts';
import type { Pos, YNode } from './yaml-positions.ts';

export type FileKind = 'secret' | 'config';

export interface FileRef {
  name: string;
  pos: Pos;
  path: string;
}

export interface FileInput {
  files: Readonly<Record<string, string>>;
  mainFile: string;
  variables: Readonly<Record<string, string>>;
}

const MAX_BASE64 = 4 * 1024 * 1024;

/** Base64 of a string's UTF-8 bytes (works in Node and browsers). */
export function toBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(out);
}

const SWARM_ONLY =
  'is a swarm setting; without a swarm the content is mounted as a read-only file, so this is ignored';

/**
 * Reads one top-level secret or config into its base64 content. A definition with errors (already
 * reported) reads as empty content, so services using it are not also told it is undeclared.
 */
export function readTopFile(
  ctx: Ctx,
  kind: FileKind,
  key: string,
  node: YNode,
  path: string,
  input: FileInput,
): { contentBase64: string } {
  const empty = { contentBase64: '' };
  const map = asMap(ctx, node, path, `a mapping with file: <path in the stack>`);
  if (map === undefined) return empty;
  const rules: Record<string, KeyRule> = {
    external: {
      level: 'error',
      message: `external ${kind}s need a swarm: add the ${kind} as a file of the stack and use file: instead`,
    },
    name: { level: 'warning', message: `${SWARM_ONLY}` },
    labels: { level: 'warning', message: `${SWARM_ONLY}` },
    driver: { level: 'warning', message: `${SWARM_ONLY}` },
    driver_opts: { level: 'warning', message: `${SWARM_ONLY}` },
    template_driver: {
      level: 'error',
      message: 'templated secrets and configs are not supported: write the final content in the file',
    },
  };
  const sources = kind === 'config' ? ['file', 'environment', 'content'] : ['file', 'environment'];
  let content: string | undefined;
  eachKey(ctx, map, path, sources, rules, (k, v) => {
    const p = sub(path, k);
    if (k === 'file') {
      const ref = asNonEmpty(ctx, v, p);
      if (ref === undefined) return;
      const found = findStackFile(input.files, input.mainFile, ref);
      if (found === null)
        fail(
          ctx,
          v.pos,
          p,
          `${kind} file "${ref}" is not among the stack's files: add it to the stack or fix the path`,
        );
      else content = found.text;
    } else if (k === 'environment') {
      const name = asNonEmpty(ctx, v, p);
      if (name === undefined) return;
      if (!Object.hasOwn(input.variables, name))
        fail(ctx, v.pos, p, `variable ${name} is not set: add it to the stack's variables or .env`);
      else content = input.variables[name] ?? '';
    } else content = asString(ctx, v, p);
  });
  const given = map.entries.filter((e) => sources.includes(e.key));
  if (given.length !== 1) {
    const at = given[1]?.keyPos ?? map.pos;
    fail(ctx, at, path, `${kind} "${key}" needs exactly one of ${sources.join(', ')}`);
    return empty;
  }
  if (content === undefined) return empty;
  const contentBase64 = toBase64(content);
  if (contentBase64.length > MAX_BASE64) {
    fail(ctx, map.pos, path, `${kind} "${key}" is larger than 3 MiB: keep secrets and configs small`);
    return empty;
  }
  return { contentBase64 };
}

/** Reads a service's `secrets:` or `configs:` (short names or long form). */
export function readServiceFiles(
  ctx: Ctx,
  kind: FileKind,
  node: YNode,
  path: string,
  refs: FileRef[],
): ServiceSpec['secrets'] {
  const out: ServiceSpec['secrets'] = [];
  if (node.kind !== 'seq') {
    fail(ctx, node.pos, path, `${path} must be a list of ${kind} names, not ${describe(node)}`);
    return out;
  }
  const defaultTarget = (name: string): string => (kind === 'secret' ? `/run/secrets/${name}` : `/${name}`);
  node.items.forEach((item, i) => {
    const p = sub(path, i);
    if (item.kind !== 'map') {
      const source = asNonEmpty(ctx, item, p);
      if (source === undefined) return;
      refs.push({ name: source, pos: item.pos, path: p });
      out.push({ source, target: defaultTarget(source), mode: null });
      return;
    }
    const sourceEntry = entry(item, 'source');
    if (sourceEntry === undefined) {
      fail(ctx, item.pos, p, `${p} needs source: the name of a top-level ${kind}`);
      return;
    }
    let source: string | undefined;
    let target: string | undefined;
    let mode: number | null = null;
    const rules: Record<string, KeyRule> = {
      uid: {
        level: 'warning',
        message: 'is ignored: without a swarm the file is bind-mounted with its owner on the host',
      },
      gid: {
        level: 'warning',
        message: 'is ignored: without a swarm the file is bind-mounted with its owner on the host',
      },
    };
    eachKey(ctx, item, p, ['source', 'target', 'mode'], rules, (k, v) => {
      const kp = sub(p, k);
      if (k === 'source') source = asNonEmpty(ctx, v, kp);
      else if (k === 'target') target = asNonEmpty(ctx, v, kp);
      else mode = asInt(ctx, v, kp, 0, 0o7777) ?? null;
    });
    if (source === undefined) return;
    refs.push({ name: source, pos: sourceEntry.value.pos, path: sub(p, 'source') });
    const t =
      target === undefined
        ? defaultTarget(source)
        : target.startsWith('/')
          ? target
          : kind === 'secret'
            ? `/run/secrets/${target}`
            : `/${target}`;
    out.push({ source, target: t, mode });
  });
  return out;
}
