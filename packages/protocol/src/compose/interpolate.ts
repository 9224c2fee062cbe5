// Variable interpolation in compose values, with docker-compose 1.29's rules: `$$` is a literal `$`,
// `$NAME` and `${NAME}` (unset: empty string and a warning), `${NAME:-default}` (unset or empty),
// `${NAME-default}` (unset), `${NAME:?message}` (unset or empty: an error with that message) and
// `${NAME?message}` (unset). Defaults are not interpolated again. Any other `$` is an error.
// Only values are interpolated, never keys.
import { clip, fail, sub, warn, type Ctx } from './reader.ts';
import type { Pos, YNode, YScalar } from './yaml-positions.ts';

export type Interpolated =
  | { ok: true; value: string; unset: { name: string; offset: number }[] }
  | { ok: false; offset: number; message: string };

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

/** Interpolates one string; on failure says where (character offset) and why. */
export function interpolateString(text: string, vars: Readonly<Record<string, string>>): Interpolated {
  let out = '';
  const unset: { name: string; offset: number }[] = [];
  let i = 0;
  const lookup = (name: string): string | undefined => (Object.hasOwn(vars, name) ? vars[name] : undefined);
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
      continue;
    }
    if (next === '{') {
      const close = text.indexOf('}', dollar + 2);
      const body = close < 0 ? '' : text.slice(dollar + 2, close);
      const name = NAME.exec(body)?.[0];
      const rest = name === undefined ? '' : body.slice(name.length);
      const op = /^(:-|-|:\?|\?)?/.exec(rest)?.[0] ?? '';
      if (close < 0 || name === undefined || (op === '' && rest !== '')) {
        return { ok: false, offset: dollar, message: invalid(text, dollar, close) };
      }
      const arg = rest.slice(op.length);
      const value = lookup(name);
      if (op === ':-') out += value === undefined || value === '' ? arg : value;
      else if (op === '-') out += value ?? arg;
      else if (op === ':?' || op === '?') {
        if (value === undefined || (op === ':?' && value === '')) {
          const why = arg === '' ? `variable ${name} is required` : arg;
          return {
            ok: false,
            offset: dollar,
            message: `${why} (\${${name}${op}…} needs ${name} set${op === ':?' ? ' and not empty' : ''}: add it to the stack's variables or .env)`,
          };
        }
        out += value;
      } else if (value === undefined) unset.push({ name, offset: dollar });
      else out += value;
      i = close + 1;
      continue;
    }
    const name = NAME.exec(text.slice(dollar + 1))?.[0];
    if (name === undefined) return { ok: false, offset: dollar, message: invalid(text, dollar, -1) };
    const value = lookup(name);
    if (value === undefined) unset.push({ name, offset: dollar });
    else out += value;
    i = dollar + 1 + name.length;
  }
  return { ok: true, value: out, unset };
}

function invalid(text: string, dollar: number, close: number): string {
  const shown = close < 0 ? text.slice(dollar, dollar + 20) : text.slice(dollar, close + 1);
  return `invalid interpolation "${clip(shown, 40)}": write \${NAME}, \${NAME:-default} or \${NAME:?message}, and $$ for a literal $`;
}

/** Where in the file a character of a scalar's value sits (exact for one-line scalars without escapes). */
export function offsetPos(node: YScalar, offset: number): Pos {
  if (!node.simple) return node.pos;
  return { line: node.pos.line, column: node.pos.column + (node.quoted ? 1 : 0) + offset };
}

/**
 * Returns a copy of the tree with every string value interpolated. Errors are recorded at the
 * `$`'s position and the value left as written; each unset variable is warned about once.
 */
export function interpolateTree(
  ctx: Ctx,
  node: YNode,
  path: string,
  vars: Readonly<Record<string, string>>,
  warned: Set<string>,
): YNode {
  if (node.kind === 'map') {
    return {
      ...node,
      entries: node.entries.map((e) => ({
        ...e,
        value: interpolateTree(ctx, e.value, sub(path, e.key), vars, warned),
      })),
    };
  }
  if (node.kind === 'seq') {
    return {
      ...node,
      items: node.items.map((item, i) => interpolateTree(ctx, item, sub(path, i), vars, warned)),
    };
  }
  if (typeof node.value !== 'string' || !node.value.includes('$')) return node;
  const r = interpolateString(node.value, vars);
  if (!r.ok) {
    fail(ctx, offsetPos(node, r.offset), path, `${path}: ${r.message}`);
    return node;
  }
  for (const u of r.unset) {
    if (warned.has(u.name)) continue;
    warned.add(u.name);
    warn(
      ctx,
      offsetPos(node, u.offset),
      path,
      `variable ${u.name} is not set, so an empty string is used: set it in the stack's variables or .env, or write \${${u.name}:-default}`,
    );
  }
  // The interpolated text is a string value, as compose sees it; positions stay those of the scalar.
  return { ...node, value: r.value, simple: node.simple && r.value === node.value };
}
