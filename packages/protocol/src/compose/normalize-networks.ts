// Networks: a service's `networks:` (list or map with aliases/addresses) and `network_mode:`, and
// the top-level `networks:` and `volumes:` definitions (engine names, external ones, drivers).
import type { NetworkSpec, ServiceNetwork, VolumeSpec } from './model.ts';
import {
  asBool,
  asListOrDict,
  asMap,
  asSeq,
  asString,
  asStringList,
  asStringMap,
  describe,
  eachKey,
  fail,
  sortRecord,
  sub,
  type Ctx,
  type KeyRule,
} from './reader.ts';
import type { Pos, YMap, YNode } from './yaml-positions.ts';

export interface NetworkRef {
  name: string;
  pos: Pos;
  path: string;
}

const KEY_NAME = /^[a-zA-Z0-9._-]+$/;

const SERVICE_NETWORK_RULES: Record<string, KeyRule> = {
  link_local_ips: {
    level: 'error',
    message: 'link-local addresses are not supported: remove link_local_ips',
  },
  // Connection order only matters with several networks; the engine picks its own order.
  priority: { level: 'warning', message: 'priority is ignored: Capstan connects networks in name order' },
  mac_address: { level: 'error', message: 'per-network MAC addresses are not supported: remove mac_address' },
  driver_opts: {
    level: 'error',
    message: 'per-endpoint driver options are not supported: remove driver_opts',
  },
};

function emptyAttachment(): ServiceNetwork {
  return { aliases: [], ipv4Address: null, ipv6Address: null };
}

/** Reads a service's `networks:`; every network named is appended to `refs` for the declaration check. */
export function readServiceNetworks(
  ctx: Ctx,
  node: YNode,
  path: string,
  refs: NetworkRef[],
): Record<string, ServiceNetwork> {
  const out: Record<string, ServiceNetwork> = {};
  if (node.kind === 'seq') {
    node.items.forEach((item, i) => {
      const p = sub(path, i);
      const name = asString(ctx, item, p);
      if (name === undefined) return;
      if (Object.hasOwn(out, name)) fail(ctx, item.pos, p, `network "${name}" is listed twice: keep one`);
      out[name] = emptyAttachment();
      refs.push({ name, pos: item.pos, path: p });
    });
    return sortRecord(out);
  }
  const map = asMap(ctx, node, path, 'a list of network names or a mapping of network name to settings');
  if (map === undefined) return out;
  for (const e of map.entries) {
    const p = sub(path, e.key);
    refs.push({ name: e.key, pos: e.keyPos, path: p });
    const att = emptyAttachment();
    out[e.key] = att;
    if (e.value.kind === 'scalar' && e.value.value === null) continue;
    const settings = asMap(ctx, e.value, p);
    if (settings === undefined) continue;
    eachKey(
      ctx,
      settings,
      p,
      ['aliases', 'ipv4_address', 'ipv6_address'],
      SERVICE_NETWORK_RULES,
      (key, value) => {
        const kp = sub(p, key);
        if (key === 'aliases') att.aliases = asStringList(ctx, value, kp) ?? [];
        else if (key === 'ipv4_address') {
          const s = asString(ctx, value, kp);
          if (s !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(s))
            fail(
              ctx,
              value.pos,
              kp,
              `${kp} must be an IPv4 address such as 172.20.0.10, not ${describe(value)}`,
            );
          else if (s !== undefined) att.ipv4Address = s;
        } else {
          const s = asString(ctx, value, kp);
          if (s !== undefined && !/^[0-9a-fA-F:.]+$/.test(s))
            fail(ctx, value.pos, kp, `${kp} must be an IPv6 address, not ${describe(value)}`);
          else if (s !== undefined) att.ipv6Address = s;
        }
      },
    );
  }
  return sortRecord(out);
}

/** Reads `network_mode:`; a `service:x` target is returned for the dependency checks. */
export function readNetworkMode(
  ctx: Ctx,
  node: YNode,
  path: string,
): { mode: string; service: string | null } | undefined {
  const s = asString(ctx, node, path);
  if (s === undefined) return undefined;
  if (s === 'host' || s === 'none' || s === 'bridge') return { mode: s, service: null };
  const m = /^(service|container):(.+)$/.exec(s);
  if (m !== null) return { mode: s, service: m[1] === 'service' ? (m[2] ?? null) : null };
  fail(
    ctx,
    node.pos,
    path,
    `${path} must be host, none, bridge, service:<name> or container:<name>, not ${describe(node)}`,
  );
  return undefined;
}

function readLabels(ctx: Ctx, node: YNode, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of asListOrDict(ctx, node, path, '=') ?? []) out[kv.key] = kv.value ?? '';
  return sortRecord(out);
}

/** `external: true` or the legacy `external: { name: x }`; returns [external, legacy name]. */
function readExternal(ctx: Ctx, node: YNode, path: string): [boolean, string | null] {
  if (node.kind === 'map') {
    let name: string | null = null;
    eachKey(ctx, node, path, ['name'], {}, (_key, value) => {
      name = asString(ctx, value, sub(path, 'name')) ?? null;
    });
    return [true, name];
  }
  return [asBool(ctx, node, path) ?? false, null];
}

interface TopCommon {
  external: boolean;
  name: string | null;
  driver: string | null;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
}

function readCommon(
  ctx: Ctx,
  key: string,
  keyPos: Pos,
  value: YNode,
  path: string,
  extra: readonly string[],
  rules: Record<string, KeyRule>,
  handle: (k: string, v: YNode) => void,
): TopCommon {
  const c: TopCommon = { external: false, name: null, driver: null, driverOpts: {}, labels: {} };
  if (!KEY_NAME.test(key))
    fail(ctx, keyPos, path, `the name "${key}" may contain only letters, digits, _ . and -`);
  if (value.kind === 'scalar' && value.value === null) return c;
  const map = asMap(ctx, value, path);
  if (map === undefined) return c;
  let legacyName: string | null = null;
  eachKey(
    ctx,
    map,
    path,
    ['driver', 'driver_opts', 'external', 'labels', 'name', ...extra],
    rules,
    (k, v) => {
      const p = sub(path, k);
      if (k === 'driver') c.driver = asString(ctx, v, p) ?? null;
      else if (k === 'driver_opts') c.driverOpts = asStringMap(ctx, v, p) ?? {};
      else if (k === 'external') [c.external, legacyName] = readExternal(ctx, v, p);
      else if (k === 'labels') c.labels = readLabels(ctx, v, p);
      else if (k === 'name') c.name = asString(ctx, v, p) ?? null;
      else handle(k, v);
    },
  );
  if (legacyName !== null) {
    if (c.name !== null && c.name !== legacyName)
      fail(ctx, map.pos, path, `${path}: name and external.name differ: keep only name`);
    c.name = legacyName;
  }
  if (c.external) checkExternalOnly(ctx, map, path);
  return c;
}

function checkExternalOnly(ctx: Ctx, map: YMap, path: string): void {
  for (const e of map.entries) {
    if (e.key !== 'external' && e.key !== 'name' && !e.key.startsWith('x-')) {
      fail(
        ctx,
        e.keyPos,
        sub(path, e.key),
        `${path} is external (created outside this stack), so "${e.key}" cannot be set here: remove it`,
      );
    }
  }
}

const NETWORK_RULES: Record<string, KeyRule> = {
  scope: { level: 'error', message: 'network scope is a swarm setting: remove it' },
};

/** Reads one top-level network into its spec (engine name `<project>_<key>` unless named or external). */
export function readTopNetwork(
  ctx: Ctx,
  project: string,
  key: string,
  keyPos: Pos,
  value: YNode,
  path: string,
): NetworkSpec {
  let internal = false;
  let attachable = false;
  let enableIpv6 = false;
  let ipam: NetworkSpec['ipam'] = null;
  const c = readCommon(
    ctx,
    key,
    keyPos,
    value,
    path,
    ['internal', 'attachable', 'enable_ipv6', 'ipam'],
    NETWORK_RULES,
    (k, v) => {
      const p = sub(path, k);
      if (k === 'internal') internal = asBool(ctx, v, p) ?? false;
      else if (k === 'attachable') attachable = asBool(ctx, v, p) ?? false;
      else if (k === 'enable_ipv6') enableIpv6 = asBool(ctx, v, p) ?? false;
      else ipam = readIpam(ctx, v, p);
    },
  );
  return {
    name: c.name ?? (c.external ? key : `${project}_${key}`),
    external: c.external,
    driver: c.driver,
    driverOpts: c.driverOpts,
    internal,
    attachable,
    enableIpv6,
    ipam,
    labels: c.labels,
  };
}

function readIpam(ctx: Ctx, node: YNode, path: string): NetworkSpec['ipam'] {
  const map = asMap(ctx, node, path);
  if (map === undefined) return null;
  const out: NonNullable<NetworkSpec['ipam']> = { driver: null, config: [] };
  const rules: Record<string, KeyRule> = {
    options: { level: 'error', message: 'IPAM driver options are not supported: remove options' },
  };
  eachKey(ctx, map, path, ['driver', 'config'], rules, (k, v) => {
    const p = sub(path, k);
    if (k === 'driver') out.driver = asString(ctx, v, p) ?? null;
    else {
      asSeq(ctx, v, p)?.items.forEach((item, i) => {
        const ip = sub(p, i);
        const cfg = asMap(ctx, item, ip);
        if (cfg === undefined) return;
        const row = {
          subnet: null as string | null,
          gateway: null as string | null,
          ipRange: null as string | null,
        };
        const cfgRules: Record<string, KeyRule> = {
          aux_addresses: {
            level: 'error',
            message: 'auxiliary addresses are not supported: remove aux_addresses',
          },
        };
        eachKey(ctx, cfg, ip, ['subnet', 'gateway', 'ip_range'], cfgRules, (ck, cv) => {
          const s = asString(ctx, cv, sub(ip, ck)) ?? null;
          if (ck === 'subnet') row.subnet = s;
          else if (ck === 'gateway') row.gateway = s;
          else row.ipRange = s;
        });
        out.config.push(row);
      });
    }
  });
  return out;
}

/** Reads one top-level volume into its spec. */
export function readTopVolume(
  ctx: Ctx,
  project: string,
  key: string,
  keyPos: Pos,
  value: YNode,
  path: string,
): VolumeSpec {
  const c = readCommon(ctx, key, keyPos, value, path, [], {}, () => undefined);
  return {
    name: c.name ?? (c.external ? key : `${project}_${key}`),
    external: c.external,
    driver: c.driver,
    driverOpts: c.driverOpts,
    labels: c.labels,
  };
}
