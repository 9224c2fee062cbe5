// How containers read in tables: names without Docker's leading slash, ports as `host:port→port/proto`.
import type { SnapshotContainer } from '@capstan/protocol';

/** Docker's name without the leading "/" the Engine API adds. */
export function containerName(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

/** One line per published or exposed port: `0.0.0.0:8080→80/tcp`, `[::]:8080→80/tcp`, `5432/tcp`. */
export function formatPorts(ports: SnapshotContainer['ports']): string[] {
  const lines = ports.map((p) => {
    if (p.publicPort === undefined) return `${p.privatePort}/${p.type}`;
    const ip = p.ip ? (p.ip.includes(':') ? `[${p.ip}]:` : `${p.ip}:`) : '';
    return `${ip}${p.publicPort}→${p.privatePort}/${p.type}`;
  });
  return [...new Set(lines)];
}

/** The first 12 characters of an id, without its `sha256:` prefix (as `docker ps` shows it). */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
