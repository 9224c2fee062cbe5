// `volumes:` of a service (short "source:target:mode" and long form) and `tmpfs:` into mounts.
// A short source starting with ".", "/" or "~" is a bind (see paths.ts for how relative binds are
// kept); any other source is a named volume, which must be declared in the top-level `volumes:`.
import type { MountSpec } from './model.ts';
import { bindSource, normalizePath } from './paths.ts';
import {
  asBool,
  asMap,
  asSeq,
  asString,
  clip,
  describe,
  eachKey,
  entry,
  fail,
  sub,
  type Ctx,
  type KeyRule,
} from './reader.ts';
import { parseBytes, readBytes } from './units.ts';
import type { Pos, YMap, YNode } from './yaml-positions.ts';

/** A mount and where it was written. */
export interface PlacedMount {
  mount: MountSpec;
  pos: Pos;
  path: string;
}

export interface VolumeRef {
  name: string;
  pos: Pos;
  path: string;
}

const PROPAGATION = ['shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate'];
// macOS file-sharing hints: no effect on Linux engines, so accepting them changes nothing.
const CONSISTENCY = ['consistent', 'cached', 'delegated'];

function mount(type: MountSpec['type'], source: string | null, target: string): MountSpec {
  return {
    type,
    source,
    target,
    readOnly: false,
    createHostPath: false,
    noCopy: false,
    tmpfsSizeBytes: null,
    tmpfsMode: null,
    propagation: null,
  };
}

function checkTarget(ctx: Ctx, target: string, pos: Pos, path: string): string | undefined {
  if (!target.startsWith('/')) {
    fail(ctx, pos, path, `the container path "${clip(target)}" must be absolute (start with /)`);
    return undefined;
  }
  return normalizePath(target);
}

/** Parses a short-syntax entry; named volumes are reported through `refs`. */
function readShort(ctx: Ctx, text: string, pos: Pos, path: string, refs: VolumeRef[]): MountSpec | undefined {
  const parts = text.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) {
    fail(
      ctx,
      pos,
      path,
      `${path}: "${clip(text)}" must be "source:/container/path[:ro]", "volume-name:/path" or "/path"`,
    );
    return undefined;
  }
  const [first = '', second, mode] = parts;
  if (second === undefined) {
    const target = checkTarget(ctx, first, pos, path);
    return target === undefined ? undefined : mount('volume', null, target);
  }
  const target = checkTarget(ctx, second, pos, path);
  if (target === undefined) return undefined;
  const isBind = first.startsWith('.') || first.startsWith('/') || first.startsWith('~');
  let m: MountSpec;
  if (isBind) {
    m = mount('bind', bindSource(first), target);
    // The short form creates a missing host directory, as `docker run -v` does.
    m.createHostPath = true;
  } else {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(first)) {
      fail(
        ctx,
        pos,
        path,
        `${path}: "${clip(first)}" is neither a path (start it with ./ or /) nor a volume name (letters, digits, _ . -)`,
      );
      return undefined;
    }
    m = mount('volume', first, target);
    refs.push({ name: first, pos, path });
  }
  if (mode === undefined) return m;
  for (const opt of mode.split(',')) {
    if (opt === 'ro') m.readOnly = true;
    else if (opt === 'rw') m.readOnly = false;
    else if (opt === 'nocopy' && m.type === 'volume') m.noCopy = true;
    else if (PROPAGATION.includes(opt) && m.type === 'bind') m.propagation = opt;
    else if (CONSISTENCY.includes(opt)) continue;
    else if (opt === 'z' || opt === 'Z') {
      fail(
        ctx,
        pos,
        path,
        `${path}: SELinux relabeling ("${opt}") is not supported: remove it and label the host directory yourself`,
      );
      return undefined;
    } else {
      fail(
        ctx,
        pos,
        path,
        `${path}: unknown mode "${clip(opt, 20)}": use ro or rw${m.type === 'bind' ? ', or a propagation such as rshared' : ', or nocopy'}`,
      );
      return undefined;
    }
  }
  return m;
}

const LONG_RULES: Record<string, KeyRule> = {};

function readLong(ctx: Ctx, map: YMap, path: string, refs: VolumeRef[]): MountSpec | undefined {
  const typeNode = entry(map, 'type')?.value;
  const targetNode = entry(map, 'target')?.value;
  if (typeNode === undefined || targetNode === undefined) {
    fail(ctx, map.pos, path, `${path} needs type (volume, bind or tmpfs) and target (the container path)`);
    return undefined;
  }
  const type = asString(ctx, typeNode, sub(path, 'type'));
  if (type === undefined) return undefined;
  if (type !== 'volume' && type !== 'bind' && type !== 'tmpfs') {
    fail(
      ctx,
      typeNode.pos,
      sub(path, 'type'),
      `${sub(path, 'type')} must be volume, bind or tmpfs, not ${describe(typeNode)}`,
    );
    return undefined;
  }
  const targetText = asString(ctx, targetNode, sub(path, 'target'));
  const target =
    targetText === undefined ? undefined : checkTarget(ctx, targetText, targetNode.pos, sub(path, 'target'));
  if (target === undefined) return undefined;
  const m = mount(type, null, target);
  let ok = true;
  const keys = ['type', 'source', 'target', 'read_only', 'consistency', type];
  eachKey(ctx, map, path, keys, LONG_RULES, (key, value) => {
    const p = sub(path, key);
    if (key === 'type' || key === 'target') return;
    if (key === 'source') {
      const s = value.kind === 'scalar' && value.value === null ? '' : asString(ctx, value, p);
      if (s === undefined) ok = false;
      else if (s !== '' && type === 'tmpfs') {
        fail(ctx, value.pos, p, `${p}: a tmpfs mount has no source: remove it`);
        ok = false;
      } else if (s !== '' && type === 'bind') m.source = bindSource(s);
      else if (s !== '' && type === 'volume') {
        m.source = s;
        refs.push({ name: s, pos: value.pos, path: p });
      }
    } else if (key === 'read_only') m.readOnly = asBool(ctx, value, p) ?? false;
    else if (key === 'consistency') asString(ctx, value, p);
    else ok = readTypeOptions(ctx, m, value, p) && ok;
  });
  if (type === 'bind' && m.source === null) {
    fail(ctx, map.pos, path, `${path}: a bind mount needs source: the host path`);
    return undefined;
  }
  return ok ? m : undefined;
}

function readTypeOptions(ctx: Ctx, m: MountSpec, node: YNode, path: string): boolean {
  const map = asMap(ctx, node, path);
  if (map === undefined) return false;
  let ok = true;
  const supported =
    m.type === 'bind'
      ? ['propagation', 'create_host_path']
      : m.type === 'volume'
        ? ['nocopy']
        : ['size', 'mode'];
  const rules: Record<string, KeyRule> = {
    selinux: {
      level: 'error',
      message: 'SELinux relabeling is not supported: remove it and label the host directory yourself',
    },
    subpath: { level: 'error', message: 'volume subpaths are not supported: mount the whole volume' },
  };
  eachKey(ctx, map, path, supported, rules, (key, value) => {
    const p = sub(path, key);
    if (key === 'propagation') {
      const s = asString(ctx, value, p);
      if (s !== undefined && PROPAGATION.includes(s)) m.propagation = s;
      else {
        fail(ctx, value.pos, p, `${p} must be one of ${PROPAGATION.join(', ')}, not ${describe(value)}`);
        ok = false;
      }
    } else if (key === 'create_host_path') m.createHostPath = asBool(ctx, value, p) ?? false;
    else if (key === 'nocopy') m.noCopy = asBool(ctx, value, p) ?? false;
    else if (key === 'size') {
      const n = readBytes(ctx, value, p);
      if (n === undefined) ok = false;
      else m.tmpfsSizeBytes = n;
    } else {
      const mode = readMode(value);
      if (mode === null) {
        fail(
          ctx,
          value.pos,
          p,
          `${p} must be an octal file mode such as 1777 or "0755", not ${describe(value)}`,
        );
        ok = false;
      } else m.tmpfsMode = mode;
    }
  });
  return ok;
}

/** A file mode written as octal digits (1777, "0755") or as the number YAML 1.1 made of 0755. */
function readMode(node: YNode): number | null {
  if (node.kind !== 'scalar') return null;
  const text = node.source !== '' ? node.source : String(node.value);
  const digits = /^0o?([0-7]{1,4})$|^([0-7]{1,4})$/.exec(typeof node.value === 'string' ? node.value : text);
  const oct = digits?.[1] ?? digits?.[2];
  return oct === undefined ? null : parseInt(oct, 8);
}

/** Reads a service's `volumes:`; named volumes used are appended to `refs`. */
export function readVolumes(ctx: Ctx, node: YNode, path: string, refs: VolumeRef[]): PlacedMount[] {
  const seq = asSeq(ctx, node, path);
  if (seq === undefined) return [];
  const out: PlacedMount[] = [];
  seq.items.forEach((item, i) => {
    const p = sub(path, i);
    if (item.kind === 'map') {
      const m = readLong(ctx, item, p, refs);
      if (m !== undefined) out.push({ mount: m, pos: item.pos, path: p });
      return;
    }
    const text = asString(ctx, item, p);
    if (text === undefined) return;
    const m = readShort(ctx, text, item.pos, p, refs);
    if (m !== undefined) out.push({ mount: m, pos: item.pos, path: p });
  });
  return out;
}

/** Reads `tmpfs:` (one path or a list, each "path[:size=64m,mode=1777,ro]") into tmpfs mounts. */
export function readTmpfs(ctx: Ctx, node: YNode, path: string): PlacedMount[] {
  const items = node.kind === 'seq' ? node.items : [node];
  const out: PlacedMount[] = [];
  items.forEach((item, i) => {
    const p = node.kind === 'seq' ? sub(path, i) : path;
    const text = asString(ctx, item, p);
    if (text === undefined) return;
    const colon = text.indexOf(':');
    const target = checkTarget(ctx, colon < 0 ? text : text.slice(0, colon), item.pos, p);
    if (target === undefined) return;
    const m = mount('tmpfs', null, target);
    const opts = colon < 0 ? [] : text.slice(colon + 1).split(',');
    for (const opt of opts) {
      const [k = '', v] = opt.split('=', 2);
      if (k === 'ro' && v === undefined) m.readOnly = true;
      else if (k === 'rw' && v === undefined) m.readOnly = false;
      else if (k === 'size' && v !== undefined && parseBytes(v) !== null) m.tmpfsSizeBytes = parseBytes(v);
      else if (k === 'mode' && v !== undefined && /^[0-7]{1,4}$/.test(v)) m.tmpfsMode = parseInt(v, 8);
      else {
        // The engine's mount API takes only a size and a mode for tmpfs; noexec/nosuid/uid… cannot be honoured.
        fail(
          ctx,
          item.pos,
          p,
          `${p}: tmpfs option "${clip(opt, 30)}" is not supported: use size=<bytes|64m>, mode=<octal> and ro/rw only`,
        );
        return;
      }
    }
    out.push({ mount: m, pos: item.pos, path: p });
  });
  return out;
}

/** Reports two mounts on one container path (compose's "Duplicate mount points"). */
export function checkDuplicateTargets(ctx: Ctx, mounts: readonly PlacedMount[]): void {
  const seen = new Set<string>();
  for (const m of mounts) {
    if (seen.has(m.mount.target))
      fail(
        ctx,
        m.pos,
        m.path,
        `${m.path}: another mount already uses the container path ${m.mount.target}: keep one`,
      );
    seen.add(m.mount.target);
  }
}
