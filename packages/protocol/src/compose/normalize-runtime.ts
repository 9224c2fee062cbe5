// Runtime settings of a service: healthcheck, restart, ulimits, logging and sysctls.
import type { HealthcheckSpec, ServiceSpec } from './model.ts';
import {
  asInt,
  asListOrDict,
  asMap,
  asString,
  asStringMap,
  describe,
  eachKey,
  entry,
  fail,
  sortRecord,
  sub,
  warn,
  type Ctx,
  type KeyRule,
} from './reader.ts';
import { readDuration } from './units.ts';
import type { YNode } from './yaml-positions.ts';

const HEALTH_RULES: Record<string, KeyRule> = {
  start_interval: {
    level: 'error',
    message: 'start_interval is not supported (it needs Docker Engine 25): remove it',
  },
};

/** Reads `healthcheck:` (durations in ms; a string test runs in a shell; disable: true → ["NONE"]). */
export function readHealthcheck(ctx: Ctx, node: YNode, path: string): HealthcheckSpec | null {
  const map = asMap(ctx, node, path);
  if (map === undefined) return null;
  const hc: HealthcheckSpec = {
    test: [],
    intervalMs: null,
    timeoutMs: null,
    startPeriodMs: null,
    retries: null,
  };
  let disabled = false;
  eachKey(
    ctx,
    map,
    path,
    ['test', 'interval', 'timeout', 'start_period', 'retries', 'disable'],
    HEALTH_RULES,
    (key, value) => {
      const p = sub(path, key);
      if (key === 'test') hc.test = readTest(ctx, value, p) ?? [];
      else if (key === 'interval') hc.intervalMs = readDuration(ctx, value, p) ?? null;
      else if (key === 'timeout') hc.timeoutMs = readDuration(ctx, value, p) ?? null;
      else if (key === 'start_period') hc.startPeriodMs = readDuration(ctx, value, p) ?? null;
      else if (key === 'retries') hc.retries = asInt(ctx, value, p, 0, 1_000_000) ?? null;
      else if (value.kind === 'scalar' && (value.value === true || value.value === 'true')) disabled = true;
      else if (!(value.kind === 'scalar' && (value.value === false || value.value === 'false')))
        fail(ctx, value.pos, p, `${p} must be true or false, not ${describe(value)}`);
    },
  );
  // As docker-compose 1.29: a disabled check carries no other options.
  const others = map.entries.filter(
    (e) =>
      e.key !== 'disable' &&
      !e.key.startsWith('x-') &&
      !(hc.test[0] === 'NONE' && !disabled && e.key === 'test'),
  );
  const first = others[0];
  if ((disabled || hc.test[0] === 'NONE') && first !== undefined) {
    fail(
      ctx,
      first.keyPos,
      sub(path, first.key),
      `${path}: a disabled healthcheck (disable: true or test: ["NONE"]) cannot have other options: remove ${first.key}`,
    );
  }
  if (disabled) hc.test = ['NONE'];
  return hc;
}

function readTest(ctx: Ctx, node: YNode, path: string): string[] | undefined {
  if (node.kind === 'scalar') {
    const s = asString(ctx, node, path);
    if (s === undefined) return undefined;
    if (s.trim() === '') {
      fail(
        ctx,
        node.pos,
        path,
        `${path} is empty: write the check command, e.g. "curl -f http://localhost/ || exit 1"`,
      );
      return undefined;
    }
    // A string is run by the container's shell (compose and Docker: CMD-SHELL).
    return ['CMD-SHELL', s];
  }
  if (node.kind !== 'seq') {
    fail(
      ctx,
      node.pos,
      path,
      `${path} must be a command string or a list starting with CMD, CMD-SHELL or NONE, not ${describe(node)}`,
    );
    return undefined;
  }
  const words: string[] = [];
  node.items.forEach((item, i) => {
    const s = asString(ctx, item, sub(path, i));
    if (s !== undefined) words.push(s);
  });
  const head = words[0];
  if (head === undefined) {
    fail(
      ctx,
      node.pos,
      path,
      `${path} is an empty list: write ["CMD", "program", "arg"], ["CMD-SHELL", "command"] or ["NONE"]`,
    );
    return undefined;
  }
  if (head !== 'CMD' && head !== 'CMD-SHELL' && head !== 'NONE') {
    fail(
      ctx,
      node.items[0]?.pos ?? node.pos,
      sub(path, 0),
      `${path}: a test list must start with CMD, CMD-SHELL or NONE, not "${head}"`,
    );
    return undefined;
  }
  if (
    (head === 'CMD' && words.length < 2) ||
    (head === 'CMD-SHELL' && words.length !== 2) ||
    (head === 'NONE' && words.length !== 1)
  ) {
    fail(
      ctx,
      node.pos,
      path,
      `${path}: write ["CMD", "program", "arg", …], ["CMD-SHELL", "one command string"] or ["NONE"] alone`,
    );
    return undefined;
  }
  return words;
}

/** Checks `restart:` (no, always, unless-stopped, on-failure[:max]). */
export function readRestart(ctx: Ctx, node: YNode, path: string): string | undefined {
  if (node.kind === 'scalar' && node.value === false) {
    warn(
      ctx,
      node.pos,
      path,
      `${path}: unquoted ${node.source || 'no'} is the boolean false in YAML 1.1 (docker-compose 1.29 rejects it); write restart: "no"`,
    );
    return 'no';
  }
  const s = asString(ctx, node, path);
  if (s === undefined) return undefined;
  if (s === '' || s === 'no' || s === 'always' || s === 'unless-stopped' || /^on-failure(:\d{1,6})?$/.test(s))
    return s === '' ? 'no' : s;
  fail(
    ctx,
    node.pos,
    path,
    `${path} must be "no", always, unless-stopped or on-failure[:max-retries], not ${describe(node)}`,
  );
  return undefined;
}

const ULIMITS = [
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
];

/** Reads `ulimits:` (name: n, or name: {soft, hard} with soft ≤ hard). */
export function readUlimits(ctx: Ctx, node: YNode, path: string): ServiceSpec['ulimits'] {
  const out: ServiceSpec['ulimits'] = {};
  const map = asMap(ctx, node, path);
  if (map === undefined) return out;
  for (const e of map.entries) {
    const p = sub(path, e.key);
    if (!ULIMITS.includes(e.key)) {
      fail(ctx, e.keyPos, p, `unknown ulimit "${e.key}": use one of ${ULIMITS.join(', ')}`);
      continue;
    }
    if (e.value.kind !== 'map') {
      const n = asInt(ctx, e.value, p, -1, Number.MAX_SAFE_INTEGER);
      if (n !== undefined) out[e.key] = { soft: n, hard: n };
      continue;
    }
    let soft: number | undefined;
    let hard: number | undefined;
    eachKey(ctx, e.value, p, ['soft', 'hard'], {}, (k, v) => {
      const n = asInt(ctx, v, sub(p, k), -1, Number.MAX_SAFE_INTEGER);
      if (k === 'soft') soft = n;
      else hard = n;
    });
    if (entry(e.value, 'soft') === undefined || entry(e.value, 'hard') === undefined) {
      fail(ctx, e.value.pos, p, `${p} needs both soft and hard (or a single number for both)`);
    } else if (soft !== undefined && hard !== undefined) {
      if (soft > hard && hard !== -1)
        fail(ctx, e.value.pos, p, `${p}: soft (${soft}) cannot be greater than hard (${hard})`);
      else out[e.key] = { soft, hard };
    }
  }
  return sortRecord(out);
}

/** Reads `logging:` (driver "" means the engine's default driver). */
export function readLogging(ctx: Ctx, node: YNode, path: string): ServiceSpec['logging'] {
  const map = asMap(ctx, node, path);
  if (map === undefined) return null;
  const out: NonNullable<ServiceSpec['logging']> = { driver: '', options: {} };
  eachKey(ctx, map, path, ['driver', 'options'], {}, (key, value) => {
    const p = sub(path, key);
    if (key === 'driver') out.driver = asString(ctx, value, p) ?? '';
    else out.options = asStringMap(ctx, value, p) ?? {};
  });
  return out;
}

/** Reads `sysctls:` (list "key=value" or map) into strings. */
export function readSysctls(ctx: Ctx, node: YNode, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of asListOrDict(ctx, node, path, '=') ?? []) {
    if (kv.value === null) {
      fail(ctx, kv.pos, kv.path, `sysctl "${kv.key}" has no value: write ${kv.key}=<value>`);
      continue;
    }
    if (!/^[a-z0-9_.\-/]+$/i.test(kv.key)) {
      fail(ctx, kv.pos, kv.path, `"${kv.key}" is not a sysctl name such as net.core.somaxconn`);
      continue;
    }
    out[kv.key] = kv.value;
  }
  return sortRecord(out);
}
