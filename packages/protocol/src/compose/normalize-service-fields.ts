// Field readers for one service (see normalize-service.ts): command words, labels, hosts, pull
// policy and resources (defaults of an empty spec: defaults.ts).
import type { ServiceSpec } from './model.ts';
import { readCpus, type DeployResult } from './normalize-deploy.ts';
import { offsetPos } from './interpolate.ts';
import {
  asInt,
  asListOrDict,
  asString,
  clip,
  describe,
  entry,
  fail,
  sortRecord,
  sub,
  warn,
  type Ctx,
} from './reader.ts';
import { splitShellWords } from './shell-words.ts';
import { readBytes } from './units.ts';
import type { Pos, YMap, YNode } from './yaml-positions.ts';

/** Reads command/entrypoint: a list as given, a string split into shell words; null: the image's. */
export function readCommand(ctx: Ctx, node: YNode, path: string): string[] | null {
  if (node.kind === 'scalar' && node.value === null) return null;
  if (node.kind === 'seq') {
    const out: string[] = [];
    node.items.forEach((item, i) => {
      const s = asString(ctx, item, sub(path, i));
      if (s !== undefined) out.push(s);
    });
    return out;
  }
  if (node.kind === 'scalar') {
    const text = asString(ctx, node, path);
    if (text === undefined) return null;
    const words = splitShellWords(text);
    if (words.ok) return words.words;
    fail(ctx, offsetPos(node, words.offset), path, `${path}: ${words.message}`);
    return null;
  }
  fail(ctx, node.pos, path, `${path} must be a command string or a list of words, not ${describe(node)}`);
  return null;
}

/** Reads user, hostname, domainname or stop_signal into the spec. */
export function readOptionalString(
  ctx: Ctx,
  s: ServiceSpec,
  key: 'user' | 'hostname' | 'domainname' | 'stop_signal',
  node: YNode,
  path: string,
): void {
  const v = asString(ctx, node, path);
  if (v === undefined) return;
  if (key === 'user') s.user = v;
  else if (key === 'hostname') s.hostname = v;
  else if (key === 'domainname') s.domainname = v;
  else if (!/^(SIG)?[A-Z][A-Z0-9+-]*$|^\d{1,2}$/i.test(v))
    fail(
      ctx,
      node.pos,
      path,
      `${path} must be a signal such as SIGTERM, SIGINT or SIGQUIT, not "${clip(v)}"`,
    );
  else s.stopSignal = v;
}

/** Reads container labels (list or map); compose's own labels are refused. */
export function readLabels(ctx: Ctx, node: YNode, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of asListOrDict(ctx, node, path, '=') ?? []) {
    if (kv.key.startsWith('com.docker.compose.')) {
      fail(
        ctx,
        kv.pos,
        kv.path,
        `label "${clip(kv.key)}" is reserved: Capstan sets the com.docker.compose.* labels itself`,
      );
      continue;
    }
    out[kv.key] = kv.value ?? '';
  }
  return sortRecord(out);
}

/** Reads extra_hosts (list "host:ip" or map) into "host:ip" strings. */
export function readExtraHosts(ctx: Ctx, node: YNode, path: string): string[] {
  const out: string[] = [];
  for (const kv of asListOrDict(ctx, node, path, ':') ?? []) {
    const host = kv.key.trim();
    const ip = (kv.value ?? '').trim();
    if (host === '' || ip === '' || !/^[0-9a-fA-F:.[\]]+$|^host-gateway$/.test(ip)) {
      fail(
        ctx,
        kv.pos,
        kv.path,
        `${kv.path}: write "hostname:IP" (e.g. "db.local:10.0.0.5" or "host.docker.internal:host-gateway")`,
      );
      continue;
    }
    out.push(`${host}:${ip}`);
  }
  return out;
}

/** Reads pull_policy (always, missing, never; if_not_present = missing). */
export function readPullPolicy(ctx: Ctx, s: ServiceSpec, node: YNode, path: string): void {
  const v = asString(ctx, node, path);
  if (v === 'always' || v === 'missing' || v === 'never') s.pullPolicy = v;
  else if (v === 'if_not_present') s.pullPolicy = 'missing';
  else if (v === 'build')
    fail(ctx, node.pos, path, `${path}: Capstan does not build images: use always, missing or never`);
  else if (v !== undefined)
    fail(ctx, node.pos, path, `${path} must be always, missing or never, not ${describe(node)}`);
}

/** Merges deploy.resources with the legacy mem_limit/mem_reservation/cpus/pids_limit keys (deploy wins). */
export function applyResources(
  ctx: Ctx,
  map: YMap,
  path: string,
  s: ServiceSpec,
  deploy: DeployResult | null,
  legacy: { key: string; pos: Pos }[],
): void {
  if (deploy !== null) {
    s.limits = deploy.limits;
    s.reservations = deploy.reservations;
  }
  for (const { key, pos } of legacy) {
    const p = sub(path, key);
    const node = entry(map, key)?.value;
    if (node === undefined) continue;
    const target = key === 'mem_reservation' ? s.reservations : s.limits;
    const field = key === 'cpus' ? 'cpus' : key === 'pids_limit' ? 'pids' : 'memoryBytes';
    const value =
      key === 'cpus'
        ? readCpus(ctx, node, p)
        : key === 'pids_limit'
          ? (asInt(ctx, node, p, -1, Number.MAX_SAFE_INTEGER) ?? null)
          : (readBytes(ctx, node, p) ?? null);
    if (value === null) continue;
    if (target[field] !== null && target[field] !== value) {
      warn(ctx, pos, p, `${p} differs from deploy.resources, which is used: keep only one`);
      continue;
    }
    target[field] = key === 'pids_limit' && value < 0 ? null : value;
  }
}
