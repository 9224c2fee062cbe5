// YAML text → a small positioned tree (maps, sequences, scalars with 1-based line/column) that the
// normalizers walk. Aliases and `<<` merge keys are expanded here so later stages see plain data;
// every syntax problem becomes an issue with a position instead of an exception.
//
// YAML 1.1 rules, like PyYAML in docker-compose 1.29: `yes`/`no`/`on`/`off` are booleans, `0440`
// is octal (secret modes), `<<` merges. Scalars keep their source text so a string-typed key can
// recover what was written (`user: 1000:1000` is a base-60 number in YAML 1.1).
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { ComposeIssue } from './model.ts';

export interface Pos {
  line: number;
  column: number;
}

export type ScalarValue = string | number | boolean | null;

export interface YScalar {
  kind: 'scalar';
  value: ScalarValue;
  /** Source text of a plain or quoted scalar ('' when the value was left empty). */
  source: string;
  /** Written in quotes or as a block scalar: never a number or boolean. */
  quoted: boolean;
  /** Written on one line with no escapes, so a character offset in value is a column offset. */
  simple: boolean;
  pos: Pos;
}

export interface YEntry {
  key: string;
  keyPos: Pos;
  value: YNode;
}

export interface YMap {
  kind: 'map';
  entries: YEntry[];
  pos: Pos;
}

export interface YSeq {
  kind: 'seq';
  items: YNode[];
  pos: Pos;
}

export type YNode = YScalar | YMap | YSeq;

/** Caps alias expansion so a "billion laughs" file costs bounded time and memory. */
const MAX_NODES = 50_000;
const MAX_DEPTH = 64;

interface Converter {
  text: string;
  /** Alias → its anchored node; resolving walks the document, so each alias is resolved once. */
  aliases: Map<unknown, unknown>;
  doc: Document.Parsed;
  lines: LineCounter;
  file: string;
  issues: ComposeIssue[];
  nodes: number;
  overflow: boolean;
}

/** Parses one YAML document into a positioned tree; root is null when the text is empty or broken. */
export function parseYamlTree(text: string, file: string): { root: YNode | null; issues: ComposeIssue[] } {
  const lines = new LineCounter();
  const issues: ComposeIssue[] = [];
  const docs = parseAllDocuments(text, {
    version: '1.1',
    merge: true,
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
  });
  const at = (offset: number): Pos => {
    const p = lines.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: p.line, column: p.col };
  };
  const list = Array.isArray(docs) ? docs : [];
  if (list.length > 1) {
    const second = list[1];
    const pos = at(second?.range[0] ?? 0);
    issues.push(
      issue(
        file,
        pos,
        '',
        'only one YAML document is allowed: remove the "---" and what follows, or move it to its own stack',
      ),
    );
  }
  const doc = list[0];
  if (doc === undefined) return { root: null, issues };
  for (const e of [...doc.errors, ...doc.warnings]) {
    const pos = at(e.pos[0]);
    issues.push(issue(file, pos, '', `YAML ${yamlProblem(e.code, e.message)}`));
  }
  if (doc.errors.length > 0 || doc.warnings.length > 0) return { root: null, issues };
  const conv: Converter = { text, aliases: new Map(), doc, lines, file, issues, nodes: 0, overflow: false };
  const contents = doc.contents;
  if (contents === null) return { root: null, issues };
  const root = convert(conv, contents, at, 0, new Set());
  if (conv.overflow) return { root: null, issues };
  return { root, issues };
}

function yamlProblem(code: string, message: string): string {
  const first = message.split('\n')[0] ?? message;
  if (code === 'DUPLICATE_KEY') return `${first}: remove or rename one of them`;
  if (code === 'TAG_RESOLVE_FAILED')
    return `${first}: custom tags (such as !reset or !override) are not supported`;
  if (code === 'BAD_INDENT' || code === 'MISSING_CHAR')
    return `${first}: check the indentation and punctuation here`;
  return first;
}

function issue(file: string, pos: Pos | null, path: string, message: string): ComposeIssue {
  return { severity: 'error', file, line: pos?.line ?? null, column: pos?.column ?? null, path, message };
}

type At = (offset: number) => Pos;

function convert(c: Converter, node: unknown, at: At, depth: number, resolving: Set<unknown>): YNode {
  c.nodes++;
  const fallback: YScalar = {
    kind: 'scalar',
    value: null,
    source: '',
    quoted: false,
    simple: true,
    pos: { line: 1, column: 1 },
  };
  if (c.nodes > MAX_NODES || depth > MAX_DEPTH) {
    if (!c.overflow) {
      c.overflow = true;
      const pos = isNodeWithRange(node) ? at(node.range[0]) : null;
      c.issues.push(
        issue(
          c.file,
          pos,
          '',
          'the file is too large or nests too deeply once aliases are expanded: simplify the anchors',
        ),
      );
    }
    return fallback;
  }
  if (isAlias(node)) {
    const target = c.aliases.has(node) ? c.aliases.get(node) : node.resolve(c.doc);
    c.aliases.set(node, target);
    if (target === undefined || resolving.has(target)) {
      c.issues.push(
        issue(
          c.file,
          at(node.range?.[0] ?? 0),
          '',
          `YAML alias *${node.source} refers to itself or to no anchor: fix the anchor`,
        ),
      );
      c.overflow = true;
      return fallback;
    }
    resolving.add(target);
    const out = convert(c, target, at, depth + 1, resolving);
    resolving.delete(target);
    return out;
  }
  if (isMap(node)) {
    const pos = at(node.range?.[0] ?? 0);
    const entries: YEntry[] = [];
    const merged: YEntry[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key;
      if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
        mergeInto(c, pair.value, at, depth, resolving, merged);
        continue;
      }
      const keyPos = isNodeWithRange(keyNode) ? at(keyNode.range[0]) : pos;
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        c.issues.push(
          issue(c.file, keyPos, '', 'a mapping key must be a plain text key: write it as a string'),
        );
        continue;
      }
      const key = keyText(keyNode.value, keyNode.source);
      const value: YNode =
        pair.value === null || pair.value === undefined
          ? { kind: 'scalar', value: null, source: '', quoted: false, simple: true, pos: keyPos }
          : convert(c, pair.value, at, depth + 1, resolving);
      if (value.kind === 'scalar' && value.value === null && value.source === '') value.pos = keyPos;
      entries.push({ key, keyPos, value });
    }
    // Explicit keys win over merged ones; earlier merge sources win over later ones.
    const seen = new Set(entries.map((e) => e.key));
    for (const e of merged) {
      if (seen.has(e.key)) continue;
      seen.add(e.key);
      entries.push(e);
    }
    return { kind: 'map', entries, pos };
  }
  if (isSeq(node)) {
    const pos = at(node.range?.[0] ?? 0);
    const items: YNode[] = [];
    for (const item of node.items) {
      if (isPair(item)) {
        c.issues.push(
          issue(c.file, pos, '', 'unexpected key/value pair in a list: write it as "- key: value"'),
        );
        continue;
      }
      items.push(convert(c, item, at, depth + 1, resolving));
    }
    return { kind: 'seq', items, pos };
  }
  if (isScalar(node)) {
    const start = node.range?.[0] ?? 0;
    const end = node.range?.[1] ?? start;
    const pos = at(start);
    const rawText = c.text.slice(start, end);
    const quoted = node.type !== 'PLAIN' && node.type !== undefined;
    const source = quoted ? (typeof node.source === 'string' ? node.source : '') : rawText;
    const raw: unknown = node.value;
    let value: ScalarValue;
    if (raw === null || typeof raw === 'string' || typeof raw === 'boolean') value = raw;
    else if (typeof raw === 'number') value = Number.isFinite(raw) ? raw : source;
    // Timestamps, binary and other 1.1 types: keep what was written.
    else value = source;
    const quoteLen = node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE' ? 2 : 0;
    const simple =
      (node.type === 'PLAIN' || quoteLen === 2) &&
      typeof value === 'string' &&
      !/[\n\\]/.test(rawText) &&
      !(node.type === 'QUOTE_SINGLE' && rawText.includes("''")) &&
      rawText.length === value.length + quoteLen;
    return { kind: 'scalar', value, source, quoted, simple, pos };
  }
  return fallback;
}

function mergeInto(
  c: Converter,
  value: unknown,
  at: At,
  depth: number,
  resolving: Set<unknown>,
  out: YEntry[],
): void {
  const sources = isSeq(value) ? value.items : [value];
  for (const source of sources) {
    const node = convert(c, source, at, depth + 1, resolving);
    if (node.kind !== 'map') {
      c.issues.push(
        issue(
          c.file,
          node.pos,
          '',
          'a "<<" merge key needs an alias to a mapping (<<: *name) or a list of them',
        ),
      );
      continue;
    }
    for (const e of node.entries) {
      if (!out.some((o) => o.key === e.key)) out.push(e);
    }
  }
}

function keyText(value: unknown, source: string | undefined): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return source ?? String(value);
  return source ?? '';
}

function isNodeWithRange(node: unknown): node is YamlNode & { range: [number, number, number] } {
  return typeof node === 'object' && node !== null && 'range' in node && Array.isArray(node.range);
}
