// `.env` and `env_file:` files, read the way docker-compose 1.29 reads them (python-dotenv):
// `KEY=value` lines, optional `export `, `#` comments, single quotes literal, double quotes with
// backslash escapes (and possibly several lines), unquoted values trimmed and cut at " #".
// `${NAME}` and `${NAME:-default}` in unquoted and double-quoted values are expanded from keys
// earlier in the same file, then from `outer`. A `KEY` line without `=` has no value (null).
import { report, type Ctx } from './reader.ts';

export interface DotenvEntry {
  key: string;
  value: string | null;
  line: number;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '"': '"',
  '\\': '\\',
  "'": "'",
  $: '$',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

/** Parses dotenv text; lines it cannot read become warnings (compose skips them too). */
export function parseDotenv(ctx: Ctx, text: string, outer: Readonly<Record<string, string>>): DotenvEntry[] {
  const src = text.startsWith('\ufeff') ? text.slice(1) : text;
  const out: DotenvEntry[] = [];
  const known = new Map<string, string>();
  const expand = (value: string): string =>
    value.replace(/\$\{([^}:]*)(?::-([^}]*))?\}/g, (_m, name: string, def: string | undefined) => {
      const v = known.get(name) ?? (Object.hasOwn(outer, name) ? outer[name] : undefined);
      return v === undefined || v === '' ? (def ?? '') : v;
    });
  let i = 0;
  let line = 1;
  const lineAt = (index: number): number => {
    while (i < index) {
      if (src[i] === '\n') line++;
      i++;
    }
    return line;
  };
  const re =
    /[ \t]*(?:export[ \t]+)?([^\s=#'"]+)[ \t]*(?:=[ \t]*('(?:\\'|[^'])*'|"(?:\\.|[^"\\])*"|[^\n]*))?[ \t]*(?=\n|$)/y;
  let at = 0;
  while (at < src.length) {
    const eol = src.indexOf('\n', at);
    const end = eol < 0 ? src.length : eol;
    const lineText = src.slice(at, end).trim();
    if (lineText === '' || lineText.startsWith('#')) {
      at = end + 1;
      continue;
    }
    re.lastIndex = at;
    const m = re.exec(src);
    const ln = lineAt(at);
    if (m === null || m.index !== at) {
      report(
        ctx,
        'warning',
        { line: ln, column: 1 },
        '',
        `line ${ln} is not KEY=value and is ignored: fix or remove it (quote values with spaces or #)`,
      );
      at = end + 1;
      continue;
    }
    const key = m[1] ?? '';
    const raw = m[2];
    let value: string | null;
    if (raw === undefined) value = null;
    else if (raw.startsWith("'")) value = raw.slice(1, -1).replace(/\\(['\\])/g, '$1');
    else if (raw.startsWith('"'))
      value = expand(raw.slice(1, -1).replace(/\\(.)/gs, (all, c: string) => ESCAPES[c] ?? all));
    else value = expand(raw.replace(/[ \t]+#.*$/, '').trim());
    out.push({ key, value, line: ln });
    if (value !== null) known.set(key, value);
    at = m.index + m[0].length + 1;
  }
  return out;
}
