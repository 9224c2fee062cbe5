// `ports:` (short "[ip:][host:]container[/proto]" with ranges, or the long form) and `expose:`.
import type { PortSpec } from './model.ts';
import { asInt, asSeq, asString, clip, describe, eachKey, entry, fail, sub, type Ctx } from './reader.ts';
import type { YNode, YScalar } from './yaml-positions.ts';

const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
type Protocol = (typeof PROTOCOLS)[number];

interface Range {
  start: number;
  end: number;
}

function parseRange(text: string): Range | null {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (m === null) return null;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < 1 || end > 65535 || end < start) return null;
  return { start, end };
}

function isIp(text: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(text))
    return text.split('.').every((p) => Number(p) <= 255);
  return /^[0-9a-fA-F:.]+$/.test(text) && text.includes(':');
}

/** Parses one short-syntax entry; an error message when it is not one. */
export function parseShortPort(text: string): PortSpec | string {
  const hint = 'write "8080:80", "127.0.0.1:8080:80/udp", "8000-8010:8000-8010" or "80"';
  let rest = text.trim();
  let protocol: Protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const proto = rest.slice(slash + 1).toLowerCase();
    if (!(PROTOCOLS as readonly string[]).includes(proto))
      return `unknown protocol "${clip(proto, 20)}": use tcp, udp or sctp`;
    protocol = proto as Protocol;
    rest = rest.slice(0, slash);
  }
  let hostIp: string | null = null;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(rest);
  if (v6 !== null) {
    hostIp = v6[1] ?? null;
    rest = v6[2] ?? '';
  }
  const parts = rest.split(':');
  if (parts.length > (hostIp === null ? 3 : 2)) return `"${clip(text)}" has too many ":" parts: ${hint}`;
  if (parts.length === 3) hostIp = parts.shift() ?? null;
  const containerText = parts.pop() ?? '';
  const hostText = parts.length > 0 ? (parts[0] ?? '') : null;
  const container = parseRange(containerText);
  if (container === null)
    return `"${clip(text)}" is not a port mapping (container port must be 1-65535 or a range such as 8000-8010): ${hint}`;
  if (hostIp !== null && !isIp(hostIp)) return `"${clip(hostIp, 64)}" is not an IP address: ${hint}`;
  let published: string | null = null;
  if (hostText !== null && hostText !== '') {
    const host = parseRange(hostText);
    if (host === null)
      return `"${clip(hostText, 32)}" is not a host port (1-65535 or a range such as 8000-8010): ${hint}`;
    const hostLen = host.end - host.start;
    const contLen = container.end - container.start;
    if (contLen > 0 && hostLen !== contLen)
      return `the host range ${hostText} and the container range ${containerText} must have the same length`;
    published = hostText;
  }
  return { target: container.start, targetEnd: container.end, published, hostIp, protocol };
}

/** Reads `ports:`; entries that are wrong get an error each. */
export function readPorts(ctx: Ctx, node: YNode, path: string): PortSpec[] {
  const seq = asSeq(ctx, node, path);
  if (seq === undefined) return [];
  const out: PortSpec[] = [];
  seq.items.forEach((item, i) => {
    const p = sub(path, i);
    if (item.kind === 'map') {
      const spec = readLongPort(ctx, item, p);
      if (spec !== undefined) out.push(spec);
      return;
    }
    if (item.kind !== 'scalar' || item.value === null || typeof item.value === 'boolean') {
      fail(
        ctx,
        item.pos,
        p,
        `${p} must be a port mapping such as "8080:80" or a mapping with target/published, not ${describe(item)}`,
      );
      return;
    }
    const text = asString(ctx, item, p);
    if (text === undefined) return;
    const spec = parseShortPort(text);
    if (typeof spec === 'string') fail(ctx, item.pos, p, `${p}: ${spec}`);
    else out.push(spec);
  });
  return out;
}

function readLongPort(ctx: Ctx, map: YNode & { kind: 'map' }, path: string): PortSpec | undefined {
  let target: number | undefined;
  let published: string | null = null;
  let hostIp: string | null = null;
  let protocol: Protocol = 'tcp';
  let ok = true;
  eachKey(ctx, map, path, ['target', 'published', 'host_ip', 'protocol', 'mode'], {}, (key, value) => {
    const p = sub(path, key);
    if (key === 'target') {
      target = asInt(ctx, value, p, 1, 65535);
      ok &&= target !== undefined;
    } else if (key === 'published') {
      const s = value.kind === 'scalar' && value.value === null ? '' : asString(ctx, value, p);
      if (s === undefined) ok = false;
      else if (s !== '') {
        if (parseRange(s) === null) {
          fail(
            ctx,
            value.pos,
            p,
            `${p} must be a host port 1-65535 or a range such as "8000-8010", not ${describe(value)}`,
          );
          ok = false;
        } else published = s;
      }
    } else if (key === 'host_ip') {
      const s = asString(ctx, value, p);
      if (s !== undefined && !isIp(s)) {
        fail(ctx, value.pos, p, `${p} must be an IP address such as 127.0.0.1, not ${describe(value)}`);
        ok = false;
      } else if (s !== undefined) hostIp = s;
    } else if (key === 'protocol') {
      const s = asString(ctx, value, p)?.toLowerCase();
      if (s !== undefined && (PROTOCOLS as readonly string[]).includes(s)) protocol = s as Protocol;
      else {
        fail(ctx, value.pos, p, `${p} must be tcp, udp or sctp, not ${describe(value)}`);
        ok = false;
      }
    } else {
      // mode: without swarm every port is published on this host, which is what both values mean here.
      const s = asString(ctx, value, p);
      if (s !== undefined && s !== 'host' && s !== 'ingress') {
        fail(ctx, value.pos, p, `${p} must be host or ingress, not ${describe(value)}`);
        ok = false;
      }
    }
  });
  if (entry(map, 'target') === undefined) {
    fail(ctx, map.pos, path, `${path} needs target: the container port`);
    return undefined;
  }
  if (!ok || target === undefined) return undefined;
  return { target, targetEnd: target, published, hostIp, protocol };
}

/** Reads `expose:` into "port/proto" strings. */
export function readExpose(ctx: Ctx, node: YNode, path: string): string[] {
  const seq = asSeq(ctx, node, path);
  if (seq === undefined) return [];
  const out: string[] = [];
  seq.items.forEach((item, i) => {
    const p = sub(path, i);
    const text = asString(ctx, item, p);
    if (text === undefined) return;
    const m = /^(\d{1,5}(?:-\d{1,5})?)(?:\/(tcp|udp|sctp))?$/i.exec(text.trim());
    if (m === null || parseRange(m[1] ?? '') === null) {
      fail(
        ctx,
        (item as YScalar).pos,
        p,
        `${p} must be a port such as "80" or "53/udp", not ${describe(item)}`,
      );
      return;
    }
    out.push(`${m[1]}/${(m[2] ?? 'tcp').toLowerCase()}`);
  });
  return out;
}
