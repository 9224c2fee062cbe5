// Typed reads of the positioned YAML tree. Each reader either returns a value or records an issue
// at the node's position (with the dotted path and what to write instead) and returns undefined,
// so a normalizer can keep going and report every problem in one pass.
import type { ComposeIssue } from './model.ts';
import type { Pos, YEntry, YMap, YNode, YScalar, YSeq } from './yaml-positions.ts';

export interface Ctx {
  file: string;
  issues: ComposeIssue[];
}

const MAX_ISSUES = 500;

/** Records an issue (paths and messages clipped to the model's limits; at most MAX_ISSUES kept). */
export function report(
  ctx: Ctx,
  severity: 'error' | 'warning',
  at: Pos | null,
  path: string,
  message: string,
): void {
  if (ctx.issues.length >= MAX_ISSUES) return;
  ctx.issues.push({
    severity,
    file: ctx.file.slice(0, 255),
    line: at?.line ?? null,
    column: at?.column ?? null,
    path: path.slice(0, 1024),
    message: message.length > 1024 ? `${message.slice(0, 1020)} …` : message,
  });
}

/** Records an error. */
export function fail(ctx: Ctx, at: Pos | null, path: string, message: string): void {
  report(ctx, 'error', at, path, message);
}

/** Records a warning. */
export function warn(ctx: Ctx, at: Pos | null, path: string, message: string): void {
  report(ctx, 'warning', at, path, message);
}

/** Appends a key to a dotted path (`a.b`), bracketing keys that are not plain words (`a["x.y"]`). */
export function sub(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z0-9_-]+$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** How a node reads in an error message ("a list", "true", "the number 12"). */
export function describe(node: YNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  if (node.value === null) return 'an empty value';
  if (typeof node.value === 'boolean') return `the boolean ${node.source || String(node.value)}`;
  if (typeof node.value === 'number') return `the number ${node.source || String(node.value)}`;
  return `"${clip(node.value)}"`;
}

/** Shortens user text quoted in messages. */
export function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The entry for a key in a map, if present. */
export function entry(map: YMap, key: string): YEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

/** A mapping, else an error saying what was found. */
export function asMap(
  ctx: Ctx,
  node: YNode,
  path: string,
  what = 'a mapping (key: value lines)',
): YMap | undefined {
  if (node.kind === 'map') return node;
  fail(ctx, node.pos, path, `${path} must be ${what}, not ${describe(node)}`);
  return undefined;
}

/** A list, else an error. */
export function asSeq(
  ctx: Ctx,
  node: YNode,
  path: string,
  what = 'a list ("- item" lines)',
): YSeq | undefined {
  if (node.kind === 'seq') return node;
  fail(ctx, node.pos, path, `${path} must be ${what}, not ${describe(node)}`);
  return undefined;
}

/** Python-like text of a number, as docker-compose 1.29 turns numbers into strings (1.0 stays "1.0"). */
export function numberText(node: YScalar): string {
  const v = node.value;
  if (typeof v !== 'number') return String(v);
  if (/^[-+]?\d[\d_]*(:[0-5]?\d)+(\.\d*)?$/.test(node.source)) return node.source;
  if (Number.isInteger(v) && /[.eE]/.test(node.source) && !/^[-+]?0x/i.test(node.source)) return `${v}.0`;
  return String(v);
}

function sexagesimal(ctx: Ctx, node: YScalar, path: string): void {
  if (typeof node.value === 'number' && /^[-+]?\d[\d_]*(:[0-5]?\d)+/.test(node.source)) {
    warn(
      ctx,
      node.pos,
      path,
      `quote ${node.source} ("${node.source}"): YAML 1.1 (docker-compose 1.29) reads it as the base-60 number ${node.value}; Capstan uses the text as written`,
    );
  }
}

/** A string; numbers become their text; booleans and collections are errors ("quote it"). */
export function asString(ctx: Ctx, node: YNode, path: string): string | undefined {
  if (node.kind === 'scalar') {
    if (typeof node.value === 'string') return node.value;
    if (typeof node.value === 'number') {
      sexagesimal(ctx, node, path);
      return numberText(node);
    }
    if (typeof node.value === 'boolean') {
      fail(
        ctx,
        node.pos,
        path,
        `${path} must be a string, not ${describe(node)}: quote it ("${node.source}")`,
      );
      return undefined;
    }
  }
  fail(ctx, node.pos, path, `${path} must be a string, not ${describe(node)}`);
  return undefined;
}

/** A non-empty string. */
export function asNonEmpty(ctx: Ctx, node: YNode, path: string): string | undefined {
  const s = asString(ctx, node, path);
  if (s === undefined) return undefined;
  if (s.trim() === '') {
    fail(ctx, node.pos, path, `${path} must not be empty`);
    return undefined;
  }
  return s;
}

const TRUE = new Set(['y', 'yes', 'true', 'on']);
const FALSE = new Set(['n', 'no', 'false', 'off']);

/** A boolean; strings yes/no/true/false/on/off (as after interpolation) are accepted too. */
export function asBool(ctx: Ctx, node: YNode, path: string): boolean | undefined {
  if (node.kind === 'scalar') {
    if (typeof node.value === 'boolean') return node.value;
    if (typeof node.value === 'string') {
      const s = node.value.trim().toLowerCase();
      if (TRUE.has(s)) return true;
      if (FALSE.has(s)) return false;
    }
  }
  fail(ctx, node.pos, path, `${path} must be true or false, not ${describe(node)}`);
  return undefined;
}

/** An integer in [min, max]; numeric strings are accepted ("0440" is octal, as compose reads modes). */
export function asInt(ctx: Ctx, node: YNode, path: string, min: number, max: number): number | undefined {
  let v: number | undefined;
  if (node.kind === 'scalar') {
    if (typeof node.value === 'number') v = node.value;
    else if (typeof node.value === 'string') {
      const s = node.value.trim();
      if (/^0[0-7]+$/.test(s)) v = parseInt(s.slice(1), 8);
      else if (/^[-+]?\d+$/.test(s)) v = Number(s);
      else if (/^0o[0-7]+$/i.test(s)) v = parseInt(s.slice(2), 8);
      else if (/^0x[0-9a-f]+$/i.test(s)) v = parseInt(s.slice(2), 16);
    }
  }
  if (v === undefined || !Number.isInteger(v)) {
    fail(ctx, node.pos, path, `${path} must be a whole number, not ${describe(node)}`);
    return undefined;
  }
  if (v < min || v > max) {
    fail(ctx, node.pos, path, `${path} must be between ${min} and ${max}, not ${v}`);
    return undefined;
  }
  return v;
}

/** A finite number ≥ 0 (numeric strings accepted). */
export function asNumber(ctx: Ctx, node: YNode, path: string): number | undefined {
  let v: number | undefined;
  if (node.kind === 'scalar') {
    if (typeof node.value === 'number') v = node.value;
    else if (typeof node.value === 'string' && /^\s*\d+(\.\d*)?\s*$|^\s*\.\d+\s*$/.test(node.value))
      v = Number(node.value);
  }
  if (v === undefined || !Number.isFinite(v) || v < 0) {
    fail(ctx, node.pos, path, `${path} must be a number such as 0.5 or "1.5", not ${describe(node)}`);
    return undefined;
  }
  return v;
}

/** A list of strings, or (when `single`) one string that stands for a one-item list. */
export function asStringList(ctx: Ctx, node: YNode, path: string, single = false): string[] | undefined {
  if (single && node.kind === 'scalar' && node.value !== null) {
    const s = asString(ctx, node, path);
    return s === undefined ? undefined : [s];
  }
  const seq = asSeq(ctx, node, path, single ? 'a string or a list of strings' : 'a list of strings');
  if (seq === undefined) return undefined;
  const out: string[] = [];
  seq.items.forEach((item, i) => {
    const s = asString(ctx, item, sub(path, i));
    if (s !== undefined) out.push(s);
  });
  return out;
}

export interface KeyValue {
  key: string;
  /** null: a list entry without the separator, or a map entry with an empty value. */
  value: string | null;
  pos: Pos;
  path: string;
}

/**
 * compose's "list or dict": `- KEY=VAL` / `- KEY` lines or a `KEY: VAL` mapping. Map values may
 * be strings, numbers or empty; booleans are errors as in docker-compose 1.29 (quote them).
 */
export function asListOrDict(ctx: Ctx, node: YNode, path: string, sep: string): KeyValue[] | undefined {
  const out: KeyValue[] = [];
  if (node.kind === 'map') {
    for (const e of node.entries) {
      const p = sub(path, e.key);
      if (e.value.kind === 'scalar' && e.value.value === null) {
        out.push({ key: e.key, value: null, pos: e.keyPos, path: p });
        continue;
      }
      const v = asString(ctx, e.value, p);
      if (v !== undefined) out.push({ key: e.key, value: v, pos: e.keyPos, path: p });
    }
    return out;
  }
  if (node.kind === 'seq') {
    node.items.forEach((item, i) => {
      const p = sub(path, i);
      const s = asString(ctx, item, p);
      if (s === undefined) return;
      const at = s.indexOf(sep);
      out.push(
        at < 0
          ? { key: s, value: null, pos: item.pos, path: p }
          : { key: s.slice(0, at), value: s.slice(at + sep.length), pos: item.pos, path: p },
      );
    });
    return out;
  }
  if (node.value === null) return out;
  fail(
    ctx,
    node.pos,
    path,
    `${path} must be a list ("- KEY${sep}value") or a mapping (KEY: value), not ${describe(node)}`,
  );
  return undefined;
}

/** A mapping of string values (numbers become text; empty values are ""). */
export function asStringMap(ctx: Ctx, node: YNode, path: string): Record<string, string> | undefined {
  if (node.kind === 'scalar' && node.value === null) return {};
  const map = asMap(ctx, node, path);
  if (map === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const e of map.entries) {
    if (e.value.kind === 'scalar' && e.value.value === null) out[e.key] = '';
    else {
      const v = asString(ctx, e.value, sub(path, e.key));
      if (v !== undefined) out[e.key] = v;
    }
  }
  return sortRecord(out);
}

/** A copy with keys in code-point order (the model's records are sorted). */
export function sortRecord<T>(rec: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(rec).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = rec[k] as T;
  return out;
}

/** What to do with a key the reader does not implement: an error or a warning, and what to tell the user. */
export interface KeyRule {
  level: 'error' | 'warning';
  message: string;
}

/**
 * Walks a mapping's keys: `x-*` extensions pass, supported keys go to `handle`, keys with a rule are
 * reported with its message, anything else is an unknown-key error with a spelling suggestion.
 */
export function eachKey(
  ctx: Ctx,
  map: YMap,
  path: string,
  supported: readonly string[],
  rules: Readonly<Record<string, KeyRule>>,
  handle: (key: string, value: YNode, entry: YEntry) => void,
): void {
  for (const e of map.entries) {
    if (e.key.startsWith('x-')) continue;
    const p = sub(path, e.key);
    if (supported.includes(e.key)) {
      handle(e.key, e.value, e);
      continue;
    }
    const rule = Object.hasOwn(rules, e.key) ? rules[e.key] : undefined;
    if (rule !== undefined) {
      report(ctx, rule.level, e.keyPos, p, `${p}: ${rule.message}`);
      continue;
    }
    const hint = suggest(e.key, [...supported, ...Object.keys(rules)]);
    fail(
      ctx,
      e.keyPos,
      p,
      `unknown key "${clip(e.key, 60)}" in ${path || 'the top level'}${hint === null ? '' : ` (did you mean "${hint}"?)`}: remove it or fix its spelling`,
    );
  }
}

/** The closest known key by edit distance, when close enough to be a likely typo. */
export function suggest(word: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDist = Infinity;
  const w = word.toLowerCase().slice(0, 64);
  for (const k of known) {
    const d = distance(w, k);
    if (d < bestDist) {
      bestDist = d;
      best = k;
    }
  }
  return best !== null && bestDist <= Math.max(1, Math.floor(best.length / 3)) ? best : null;
}

/** Edit distance counting a swap of two neighbours as one edit ("imgae" → "image"). */
function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++)
    rows.push(Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1] === b[j - 1] || (a[i - 1] === '-' && b[j - 1] === '_');
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (same ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, at(i - 2, j - 2) + 1);
      row[j] = d;
    }
  }
  return at(a.length, b.length);
}
