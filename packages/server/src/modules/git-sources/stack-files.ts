// Which files of a repository belong to a stack: the compose file, the local files it references
// (env_file, the project's .env, file-based configs and secrets, included and extended compose
// files, recursively) and paths configured on the source. Pure but for the injected reader.
import path from 'node:path';
import { parse } from 'yaml';

/** A file a compose file points at; `required: false` files may be absent. */
export interface FileRef {
  path: string;
  required: boolean;
  /** Itself a compose file whose references count too (include, extends). */
  compose: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolves `ref` against the directory of `from` inside the repository; null when it leaves it, is absolute or interpolated. */
export function resolveRepoPath(from: string, ref: string): string | null {
  if (ref.includes('$') || path.posix.isAbsolute(ref) || ref.includes('\u0000') || ref.startsWith('~')) return null;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), ref));
  if (joined === '.' || joined.startsWith('../') || joined === '..') return null;
  return joined;
}

function strings(v: unknown): Array<{ path: string; required: boolean }> {
  if (typeof v === 'string') return [{ path: v, required: true }];
  if (!Array.isArray(v)) return [];
  const out: Array<{ path: string; required: boolean }> = [];
  for (const item of v) {
    if (typeof item === 'string') out.push({ path: item, required: true });
    else if (isObject(item) && typeof item.path === 'string') out.push({ path: item.path, required: item.required !== false });
  }
  return out;
}

/**
 * The local files a compose file references, resolved to repository paths. Unparseable YAML
 * yields none (the stack's own parser reports it on deploy). `mainProject`: also the project's
 * implicit `.env` beside it (optional).
 */
export function composeReferences(composePath: string, text: string, mainProject: boolean): FileRef[] {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch {
    return [];
  }
  const found: Array<{ path: string; required: boolean; compose: boolean }> = [];
  if (mainProject) found.push({ path: '.env', required: false, compose: false });
  if (isObject(doc)) {
    for (const entry of Array.isArray(doc.include) ? doc.include : []) {
      if (typeof entry === 'string') found.push({ path: entry, required: true, compose: true });
      else if (isObject(entry)) {
        for (const p of strings(entry.path)) found.push({ ...p, compose: true });
        for (const p of strings(entry.env_file)) found.push({ ...p, compose: false });
      }
    }
    for (const service of isObject(doc.services) ? Object.values(doc.services) : []) {
      if (!isObject(service)) continue;
      for (const p of strings(service.env_file)) found.push({ ...p, compose: false });
      if (isObject(service.extends) && typeof service.extends.file === 'string') found.push({ path: service.extends.file, required: true, compose: true });
    }
    for (const section of [doc.configs, doc.secrets]) {
      for (const item of isObject(section) ? Object.values(section) : []) {
        if (isObject(item) && typeof item.file === 'string') found.push({ path: item.file, required: true, compose: false });
      }
    }
  }
  const byPath = new Map<string, FileRef>();
  for (const f of found) {
    const resolved = resolveRepoPath(composePath, f.path);
    if (resolved === null || resolved === composePath) continue;
    const prev = byPath.get(resolved);
    byPath.set(resolved, { path: resolved, required: f.required || (prev?.required ?? false), compose: f.compose || (prev?.compose ?? false) });
  }
  return [...byPath.values()];
}

/** Reads files at one commit: contents of those present, and which are missing. */
export type FileReader = (paths: readonly string[]) => Promise<{ files: Record<string, string>; missing: string[] }>;

/** A stack's files at one commit. `paths` also lists optional files that are absent (changes to them matter). */
export interface StackFiles {
  mainFile: string;
  files: Record<string, string>;
  paths: string[];
  /** Required files that are absent: the commit cannot be deployed. */
  missing: string[];
}

const MAX_FILES = 64;

/** Collects the stack's files at one commit, following compose references breadth-first (at most 64 files). */
export async function collectStackFiles(read: FileReader, mainFile: string, extraPaths: readonly string[]): Promise<StackFiles> {
  const files: Record<string, string> = {};
  const paths = new Set<string>([mainFile, ...extraPaths]);
  const missing = new Set<string>();
  const required = new Set<string>([mainFile, ...extraPaths]);
  let wave: Array<{ path: string; compose: boolean }> = [{ path: mainFile, compose: true }, ...extraPaths.map((p) => ({ path: p, compose: false }))];
  while (wave.length > 0) {
    const got = await read(wave.map((w) => w.path));
    for (const p of got.missing) if (required.has(p)) missing.add(p);
    const next: Array<{ path: string; compose: boolean }> = [];
    for (const w of wave) {
      const text = got.files[w.path];
      if (text === undefined) continue;
      files[w.path] = text;
      if (!w.compose) continue;
      for (const ref of composeReferences(w.path, text, w.path === mainFile)) {
        if (ref.required) required.add(ref.path);
        if (paths.has(ref.path)) continue;
        if (paths.size >= MAX_FILES) throw new Error(`the stack references more than ${MAX_FILES} files`);
        paths.add(ref.path);
        next.push({ path: ref.path, compose: ref.compose });
      }
    }
    wave = next;
  }
  return { mainFile, files, paths: [...paths].sort(), missing: [...missing].sort() };
}
