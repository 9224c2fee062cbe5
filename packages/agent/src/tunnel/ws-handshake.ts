// The client side of the RFC 6455 opening handshake, written by hand: the HTTP/1.1 Upgrade request, the
// parse of the response head, and the checks a 101 answer must pass. Pure apart from hashing.
import { createHash } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A response head longer than this is not a WebSocket server's answer. */
export const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;

/** The Sec-WebSocket-Accept value a server must answer to Sec-WebSocket-Key `key`. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** The Upgrade request head for url (no extensions, no subprotocol), with key as Sec-WebSocket-Key. */
export function upgradeRequest(url: URL, key: string): string {
  return (
    `GET ${url.pathname || '/'}${url.search} HTTP/1.1\r\n` +
    `Host: ${url.host}\r\n` +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Key: ${key}\r\n` +
    'Sec-WebSocket-Version: 13\r\n' +
    '\r\n'
  );
}

/** A parsed response head; `size` bytes of the buffer were the head, anything after it is WebSocket data. */
export interface ResponseHead {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
  readonly size: number;
}

/** Parses the response head at the start of buf: undefined while incomplete, a string saying what is wrong. */
export function parseResponseHead(buf: Buffer): ResponseHead | string | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return buf.length > MAX_RESPONSE_HEAD_BYTES ? `the response head exceeds ${MAX_RESPONSE_HEAD_BYTES} bytes` : undefined;
  if (end > MAX_RESPONSE_HEAD_BYTES) return `the response head exceeds ${MAX_RESPONSE_HEAD_BYTES} bytes`;
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!statusLine) return `not an HTTP/1.1 response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return `a malformed response header line: ${JSON.stringify(line.slice(0, 80))}`;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = headers.get(name);
    headers.set(name, seen === undefined ? value : `${seen}, ${value}`);
  }
  return { status: Number(statusLine[1]), headers, size: end + 4 };
}

/** Checks a 101 answer to a request made with `key`: undefined when it completes the handshake, else why not. */
export function checkUpgrade(head: ResponseHead, key: string): string | undefined {
  const h = head.headers;
  if (h.get('upgrade')?.toLowerCase() !== 'websocket') return 'the Upgrade header is not "websocket"';
  if (!(h.get('connection') ?? '').toLowerCase().split(/\s*,\s*/).includes('upgrade')) return 'the Connection header does not name "upgrade"';
  if (h.get('sec-websocket-accept') !== acceptKey(key)) return 'invalid Sec-WebSocket-Accept header';
  if (h.has('sec-websocket-extensions')) return 'the server chose an extension that was not offered';
  if (h.has('sec-websocket-protocol')) return 'the server chose a subprotocol that was not offered';
  return undefined;
}
