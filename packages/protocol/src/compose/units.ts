// Durations and byte sizes as compose writes them, made explicit: milliseconds and bytes.
import { describe, fail, type Ctx } from './reader.ts';
import type { YNode } from './yaml-positions.ts';

const DURATION_UNITS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000001,
};

/** Milliseconds of a duration such as "1m30s", "10s", "1.5s", "500ms"; null when it is not one. */
export function parseDurationMs(text: string): number | null {
  const s = text.trim();
  if (s === '') return null;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ms|us|µs|ns|h|m|s)/giy;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (m === null) return null;
    const unit = DURATION_UNITS[(m[2] ?? '').toLowerCase()];
    if (unit === undefined) return null;
    total += Number(m[1]) * unit;
    at = re.lastIndex;
  }
  return Number.isFinite(total) && total <= Number.MAX_SAFE_INTEGER ? Math.round(total) : null;
}

const BYTE_UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes of a size such as 512, "512M", "1g", "1.5gb", "64k" (powers of 1024, as docker-py); null when invalid. */
export function parseBytes(text: string): number | null {
  let s = text.trim().toLowerCase();
  if (/^[0-9.]+[kmg]b$/.test(s)) s = s.slice(0, -1);
  const m = /^(\d+(?:\.\d*)?|\.\d+)([bkmg]?)$/.exec(s);
  if (m === null) return null;
  const n = Math.floor(Number(m[1]) * (BYTE_UNITS[m[2] || 'b'] ?? 1));
  return Number.isSafeInteger(n) ? n : null;
}

/** Reads a duration value (a string with a unit; plain numbers are refused as in compose). */
export function readDuration(ctx: Ctx, node: YNode, path: string): number | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'string') {
    const ms = parseDurationMs(node.value);
    if (ms !== null) return ms;
  }
  fail(
    ctx,
    node.pos,
    path,
    `${path} must be a duration such as "10s", "1m30s" or "500ms", not ${describe(node)}`,
  );
  return undefined;
}

/** Reads a byte size: a whole number of bytes or a string with a b/k/m/g unit. */
export function readBytes(ctx: Ctx, node: YNode, path: string): number | undefined {
  if (node.kind === 'scalar') {
    if (typeof node.value === 'number' && Number.isSafeInteger(node.value) && node.value >= 0)
      return node.value;
    if (typeof node.value === 'string') {
      const n = parseBytes(node.value);
      if (n !== null) return n;
    }
  }
  fail(
    ctx,
    node.pos,
    path,
    `${path} must be a size such as "512m", "1g" or a number of bytes, not ${describe(node)}`,
  );
  return undefined;
}
