// Header hygiene between the tunnel and the engine: hop-by-hop headers never cross, and what goes
// back in an open-ack fits the protocol's header schema.
import type { HttpHeaders } from '@capstan/protocol';

// Hop-by-hop (RFC 9110 §7.6.1) plus Host: the agent's own HTTP client sets these for its connection.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

const MAX_ACK_HEADERS = 128;
const MAX_VALUES = 64;
const MAX_VALUE_LENGTH = 65536;
const VALID_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
const VALID_VALUE = /^[^\r\n\0]*$/;

/** Request headers to send to the engine: the opener's headers minus hop-by-hop ones (and those named in Connection). */
export function engineRequestHeaders(headers: HttpHeaders): Record<string, string | string[]> {
  const connection = headers[Object.keys(headers).find((k) => k.toLowerCase() === 'connection') ?? ''];
  const named = new Set(
    [connection ?? []]
      .flat()
      .flatMap((v) => v.split(','))
      .map((v) => v.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    out[name] = value;
  }
  return out;
}

/** True when the request announces a body (Content-Length > 0 or Transfer-Encoding). */
export function requestHasBody(headers: HttpHeaders): boolean {
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'transfer-encoding') return true;
    if (lower === 'content-length') return [value].flat().some((v) => Number(v) > 0);
  }
  return false;
}

/** The request's Content-Length as a number (0 when absent or unparsable). */
export function contentLength(headers: HttpHeaders): number {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'content-length') continue;
    const n = Number([value].flat()[0]);
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
  }
  return 0;
}

/**
 * Response headers for the open-ack, from node's raw header list: hop-by-hop ones dropped (the body
 * travels de-chunked as stream data; Content-Length stays because it counts exactly those bytes),
 * repeated names grouped into arrays, anything the schema would refuse left out.
 */
export function ackHeaders(rawHeaders: readonly string[]): HttpHeaders {
  const out: Record<string, string | string[]> = {};
  const names = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || !VALID_NAME.test(name)) continue;
    if (value.length > MAX_VALUE_LENGTH || !VALID_VALUE.test(value)) continue;
    const key = names.get(lower);
    if (key === undefined) {
      if (names.size >= MAX_ACK_HEADERS) continue;
      names.set(lower, name);
      out[name] = value;
      continue;
    }
    const existing = out[key] as string | string[];
    const list = Array.isArray(existing) ? existing : [existing];
    if (list.length < MAX_VALUES) out[key] = [...list, value];
  }
  return out;
}
