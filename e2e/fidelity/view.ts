// What a compose project left on an engine, as a comparable view: `docker inspect` of its
// containers, networks and volumes with everything that names the project, its working directory
// or engine-chosen ids rewritten to placeholders, flattened to `path → JSON` so two projects (one
// from docker-compose, one from Capstan) diff field by field.

/** How to make one side's names and paths neutral. */
export interface Normalizer {
  /** The compose project name (`ref3`, `cap3`): `<P>` in every string. */
  readonly project: string;
  /** Absolute paths rewritten to a placeholder, longest first (working directory `<WD>`, its parent `<WD>/..`, …). */
  readonly paths: ReadonlyArray<readonly [string, string]>;
}

/** A project's inspected objects, flattened: `container <P>_web_1.HostConfig.Memory` → JSON text. */
export type FlatView = Map<string, string>;

/** A JSON value as `docker inspect` prints it. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
/** A JSON object (one inspected container, network or volume). */
export type Obj = { [k: string]: Json };

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: Json | undefined): Obj => (isObj(v) ? v : {});
/** A scalar as text ('' for objects, arrays and absent values). */
export const str = (v: Json | undefined): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Rewrites project names and known paths in every string of `v`. */
export function neutral(v: Json, n: Normalizer): Json {
  if (typeof v === 'string') {
    let s = v;
    for (const [from, to] of [...n.paths].sort((a, b) => b[0].length - a[0].length)) s = s.split(from).join(to);
    // The project name as a whole word or as the `<project>_` / `<project>-` prefix compose names things with.
    return s.replace(new RegExp(`(^|[^A-Za-z0-9])${escape(n.project)}(?=$|[^A-Za-z0-9])`, 'g'), '$1<P>');
  }
  if (Array.isArray(v)) return v.map((x) => neutral(x, n));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [neutral(k, n) as string, neutral(x, n)]));
  return v;
}

const sortedStrings = (v: Json | undefined): Json => (Array.isArray(v) ? [...v].map((x) => JSON.stringify(x)).sort().map((x) => JSON.parse(x) as Json) : (v ?? null));

/** `size=64m`-style tmpfs options → bytes, as the engine reads them. */
function tmpfsSize(text: string): number | null {
  const m = /^(\d+)([kmg]?)$/i.exec(text);
  if (!m) return null;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Number(m[1]) * unit;
}

/**
 * Every mount of the container keyed by its target, whichever API field asked for it (a `Binds`
 * string, a `Mounts` entry or a `Tmpfs` entry): binds and volumes as the engine reports them in
 * `.Mounts`, tmpfs mounts from the request. `createsSource` keeps the one semantic difference of
 * the fields: a `Binds` bind creates a missing host path, a `Mounts` bind refuses to start.
 */
function mountsOf(c: Obj): Obj {
  const hc = obj(c.HostConfig);
  const out: Obj = {};
  const anon = new Map<string, string>();
  const volumeName = (name: Json | undefined): Json => {
    if (typeof name !== 'string') return null;
    // Anonymous volumes get random 64-hex names: number them in mount order instead.
    if (!/^[0-9a-f]{64}$/.test(name)) return name;
    if (!anon.has(name)) anon.set(name, `<anonymous-${anon.size + 1}>`);
    return anon.get(name) ?? null;
  };
  for (const raw of Array.isArray(c.Mounts) ? c.Mounts : []) {
    const m = obj(raw);
    if (m.Type !== 'bind' && m.Type !== 'volume') continue;
    out[str(m.Destination)] = {
      type: m.Type,
      source: m.Type === 'volume' ? volumeName(m.Name) : (m.Source ?? null),
      readOnly: m.RW === false,
      ...(m.Type === 'bind' ? { propagation: m.Propagation || null } : {}),
    };
  }
  for (const b of Array.isArray(hc.Binds) ? hc.Binds : []) {
    const [, target = '', mode = ''] = str(b).split(':');
    const m = out[target];
    if (!isObj(m)) continue;
    if (m.type === 'bind') m.createsSource = true;
    else m.noCopy = mode.split(',').includes('nocopy');
  }
  for (const raw of Array.isArray(hc.Mounts) ? hc.Mounts : []) {
    const m = obj(raw);
    const target = str(m.Target);
    const seen = out[target];
    if (isObj(seen) && m.Type === 'bind') seen.createsSource = false;
    if (isObj(seen) && m.Type === 'volume') seen.noCopy = obj(m.VolumeOptions).NoCopy === true;
    if (m.Type === 'tmpfs') {
      const tmpfs = obj(m.TmpfsOptions);
      out[target] = { type: 'tmpfs', readOnly: m.ReadOnly === true, sizeBytes: tmpfs.SizeBytes ?? null, mode: tmpfs.Mode ?? null, options: [] };
    }
  }
  for (const [target, opts] of Object.entries(obj(hc.Tmpfs))) {
    const options = str(opts).split(',').filter(Boolean);
    const size = options.find((o) => o.startsWith('size='));
    const mode = options.find((o) => o.startsWith('mode='));
    out[target] = {
      type: 'tmpfs',
      readOnly: options.includes('ro'),
      sizeBytes: size ? tmpfsSize(size.slice(5)) : null,
      mode: mode ? parseInt(mode.slice(5), 8) : null,
      options: options.filter((o) => !/^(size|mode)=/.test(o) && o !== 'ro' && o !== 'rw').sort(),
    };
  }
  return out;
}

/** Container ids (full and short) of the project → `<id of NAME>`, to neutralise references between containers. */
type IdNames = Map<string, string>;

const byId = (v: Json | undefined, ids: IdNames): Json | undefined => {
  if (typeof v !== 'string') return v;
  const m = /^container:(.+)$/.exec(v);
  if (m?.[1] !== undefined) return `container:${ids.get(m[1]) ?? m[1]}`;
  return ids.get(v) ?? v;
};

/** One container's comparable fields (before neutral()). */
function containerView(c: Obj, ids: IdNames): Obj {
  const config = { ...obj(c.Config) };
  const host = { ...obj(c.HostConfig) };
  const id = str(c.Id);
  // The engine names a container's host after its id (or, in another's network namespace, that one's).
  config.Hostname = byId(config.Hostname, ids) ?? null;
  const labels = obj(config.Labels);
  delete config.Labels;
  config.Env = sortedStrings(config.Env);
  const mounts = mountsOf(c);
  // docker-compose 1.29 also declares its short-syntax targets as image-style volumes; a declared
  // target that is mounted anyway changes nothing, one that is not would be an anonymous volume.
  const declared = Object.keys(obj(config.Volumes)).filter((t) => !(t in mounts));
  if (declared.length > 0) config.Volumes = Object.fromEntries(declared.map((t) => [t, {}]));
  else delete config.Volumes;
  for (const k of ['Binds', 'Mounts', 'Tmpfs']) delete host[k];
  for (const [k, v] of Object.entries(host)) {
    // null and [] mean the same to the engine.
    if (Array.isArray(v) && v.length === 0) host[k] = null;
  }
  for (const k of ['CapAdd', 'CapDrop', 'Dns', 'DnsOptions', 'DnsSearch', 'ExtraHosts', 'SecurityOpt', 'GroupAdd', 'Links']) host[k] = Array.isArray(host[k]) ? sortedStrings(host[k]) : null;
  // Order carries no meaning for ulimits.
  if (Array.isArray(host.Ulimits)) host.Ulimits = [...host.Ulimits].sort((a, b) => (str(obj(a).Name) < str(obj(b).Name) ? -1 : 1));
  if (isObj(host.Sysctls) && Object.keys(host.Sysctls).length === 0) host.Sysctls = null;
  // No restart policy and "no" are the same policy; compose sends none when the file has no restart:.
  const restart = obj(host.RestartPolicy);
  if (restart.Name === '') host.RestartPolicy = { ...restart, Name: 'no' };
  host.NetworkMode = byId(host.NetworkMode, ids) ?? null;
  const networks: Obj = {};
  const settings = obj(obj(c.NetworkSettings).Networks);
  for (const [name, raw] of Object.entries(settings)) {
    const e = obj(raw);
    const containerName = str(c.Name).replace(/^\//, '');
    // The engine adds the container's short id and name itself; what compose asked for is the rest.
    const own = (list: Json | undefined) => sortedStrings(Array.isArray(list) ? list.filter((a) => a !== id.slice(0, 12) && a !== containerName) : []);
    networks[name] = { Aliases: own(e.Aliases), DNSNames: own(e.DNSNames), IPAMConfig: e.IPAMConfig ?? null, Links: e.Links ?? null, DriverOpts: e.DriverOpts ?? null };
  }
  return { Config: config, HostConfig: host, Labels: labels, Mounts: mounts, Networks: networks };
}

/** What the container's own mount table says about its mount targets: `fstype options` per target. */
function procMountsView(text: string, targets: readonly string[]): Obj {
  const out: Obj = {};
  for (const line of text.split('\n')) {
    const [, mountpoint = '', fstype = '', options = ''] = line.split(' ');
    if (targets.includes(mountpoint)) out[mountpoint] = `${fstype} ${options}`;
  }
  return out;
}

function networkView(n: Obj, fileIpam: boolean): Obj {
  const ipam = obj(n.IPAM);
  // Without ipam: in the file the engine picks the next free pool, which moves on between projects.
  const config = fileIpam ? (ipam.Config ?? null) : '<engine-assigned>';
  return {
    Driver: n.Driver ?? null,
    Internal: n.Internal ?? null,
    Attachable: n.Attachable ?? null,
    EnableIPv6: n.EnableIPv6 ?? null,
    Options: n.Options ?? null,
    Labels: n.Labels ?? null,
    IPAM: { Driver: ipam.Driver ?? null, Options: ipam.Options ?? null, Config: config },
  };
}

function volumeView(v: Obj): Obj {
  return { Driver: v.Driver ?? null, Options: v.Options ?? null, Labels: v.Labels ?? null, Scope: v.Scope ?? null };
}

/** What `docker inspect` said about a project's containers, networks and volumes. */
export interface Inspected {
  readonly containers: readonly Obj[];
  readonly networks: readonly Obj[];
  readonly volumes: readonly Obj[];
  /** Container id → its /proc/self/mounts, for the containers that were running. */
  readonly procMounts?: Readonly<Record<string, string>>;
}

function flatten(prefix: string, v: Json, out: FlatView): void {
  if (isObj(v) && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) flatten(`${prefix}.${k}`, x, out);
    return;
  }
  out.set(prefix, JSON.stringify(v));
}

/**
 * The neutral, flattened view of an inspected project; `fileIpam` names the networks (engine
 * names) whose subnets the file sets, the others' engine-picked subnets are not compared.
 */
export function projectView(inspected: Inspected, n: Normalizer, fileIpam: ReadonlySet<string>): FlatView {
  const out: FlatView = new Map();
  const rawName = (o: Obj) => str(o.Name).replace(/^\//, '');
  const nameOf = (o: Obj) => neutral(rawName(o), n) as string;
  const ids: IdNames = new Map();
  for (const c of inspected.containers) {
    const id = str(c.Id);
    for (const k of [id, id.slice(0, 12)]) ids.set(k, `<id of ${rawName(c)}>`);
  }
  for (const c of inspected.containers) {
    const view = containerView(c, ids);
    const proc = inspected.procMounts?.[str(c.Id)];
    if (proc !== undefined) view.ProcMounts = procMountsView(proc, Object.keys(obj(view.Mounts)));
    flatten(`container ${nameOf(c)}`, neutral(view, n), out);
  }
  for (const net of inspected.networks) flatten(`network ${nameOf(net)}`, neutral(networkView(net, fileIpam.has(rawName(net))), n), out);
  for (const v of inspected.volumes) flatten(`volume ${nameOf(v)}`, neutral(volumeView(v), n), out);
  return out;
}

/** One field that differs: its path and both values (undefined: the side lacks it). */
export interface FieldDiff {
  readonly path: string;
  readonly ref: string | undefined;
  readonly cap: string | undefined;
}

/** Every path whose value differs between the two views. */
export function diffViews(ref: FlatView, cap: FlatView): FieldDiff[] {
  const paths = [...new Set([...ref.keys(), ...cap.keys()])].sort();
  return paths.filter((p) => ref.get(p) !== cap.get(p)).map((p) => ({ path: p, ref: ref.get(p), cap: cap.get(p) }));
}

/** A diff as readable lines. */
export function formatDiffs(diffs: readonly FieldDiff[]): string {
  return diffs.map((d) => `  ${d.path}\n    docker-compose: ${d.ref ?? '(absent)'}\n    capstan:        ${d.cap ?? '(absent)'}`).join('\n');
}
