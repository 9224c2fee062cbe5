// Registry addresses as people type them, checked and brought to the one spelling image references
// are matched against (stacks/image-ref.ts normalizeRegistryHost). Pure string work, no zod.
import { normalizeRegistryHost, parseImageReference } from './stacks/image-ref.ts';

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST = new RegExp(`^(?:localhost|${LABEL}(?:\\.${LABEL})+|\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?$`);
const BARE = new RegExp(`^${LABEL}:(\\d{1,5})$`);

/**
 * The canonical `host[:port]` of a registry address as people write it (`registry.example.com:5000`,
 * `https://index.docker.io/v1/`, `localhost:5000`), or null when it is none. A scheme and a `/v1/` or
 * `/v2/` path are dropped; the host must have a dot or a port (or be localhost or [IPv6]), as image
 * references need for their first part to count as a registry.
 */
export function parseRegistryAddress(input: string): string | null {
  let text = input.trim().toLowerCase();
  const scheme = /^https?:\/\//.exec(text);
  if (scheme) text = text.slice(scheme[0].length);
  const slash = text.indexOf('/');
  if (slash !== -1) {
    if (!/^\/(?:v[12]\/?)?$/.test(text.slice(slash))) return null;
    text = text.slice(0, slash);
  }
  if (text.length === 0 || text.length > 255) return null;
  const m = HOST.exec(text) ?? BARE.exec(text);
  if (!m) return null;
  const port = m[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return null;
  return normalizeRegistryHost(text);
}

/** The canonical registry host an image reference pulls from (docker.io when it names none). */
export function registryHostOf(image: string): string {
  return normalizeRegistryHost(parseImageReference(image).registry);
}
