// Path helpers for the stack's files (keyed by relative path) and for bind sources.
//
// Bind sources relative to the project directory are kept relative, normalized and prefixed with
// "./" (or "../"): the agent resolves them against the stack's working directory on the host,
// since the reader has no file system. "~" paths are kept as written for the agent to expand.

/** POSIX-normalizes a path (collapses ".", "..", "//"; keeps leading ".." of relative paths). */
export function normalizePath(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined === '' ? '.' : joined;
}

/** The directory of a stack file ("" for a file at the root). */
export function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}

/** The key under which a file referenced from the compose file is found in the stack's files. */
export function stackFileKey(mainFile: string, ref: string): string {
  const dir = dirOf(normalizePath(mainFile));
  const joined = ref.startsWith('/') ? ref : dir === '' || dir === '.' ? ref : `${dir}/${ref}`;
  return normalizePath(joined);
}

/** Looks a referenced file up in the stack's files, accepting keys written with or without "./". */
export function findStackFile(
  files: Readonly<Record<string, string>>,
  mainFile: string,
  ref: string,
): { key: string; text: string } | null {
  const key = stackFileKey(mainFile, ref);
  for (const k of Object.keys(files)) {
    if (normalizePath(k) === key) return { key: k, text: files[k] ?? '' };
  }
  return null;
}

/** A bind source as the model keeps it: absolute and "~" paths normalized, relative ones as "./x" or "../x". */
export function bindSource(source: string): string {
  if (source.startsWith('/')) return normalizePath(source);
  if (source === '~' || source.startsWith('~/'))
    return source === '~' ? '~' : `~/${normalizePath(source.slice(2))}`.replace(/\/\.$/, '');
  const n = normalizePath(source);
  if (n === '.' || n === '..' || n.startsWith('../')) return n;
  return `./${n}`;
}
