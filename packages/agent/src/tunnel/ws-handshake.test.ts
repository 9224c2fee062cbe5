import { describe, expect, it } from 'vitest';
import { acceptKey, checkUpgrade, MAX_RESPONSE_HEAD_BYTES, parseResponseHead, upgradeRequest, type ResponseHead } from './ws-handshake.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function head(text: string): ResponseHead {
  const parsed = parseResponseHead(Buffer.from(text, 'latin1'));
  if (typeof parsed !== 'object') throw new Error(`not parsed: ${String(parsed)}`);
  return parsed;
}

describe('the opening handshake', () => {
  it('computes the accept value of the RFC 6455 example', () => {
    expect(acceptKey(KEY)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('asks for an upgrade without extensions or subprotocols', () => {
    const req = upgradeRequest(new URL('wss://edge.example:9443/api/agents/connect?x=1'), KEY);
    expect(req).toBe(
      'GET /api/agents/connect?x=1 HTTP/1.1\r\nHost: edge.example:9443\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    expect(upgradeRequest(new URL('wss://edge.example:443/'), KEY)).toContain('Host: edge.example\r\n');
  });

  it('parses a response head, keeping what follows it', () => {
    const text = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-A: 1\r\nx-a: 2\r\n\r\n\x82\x00';
    const h = head(text);
    expect(h.status).toBe(101);
    expect(h.headers.get('upgrade')).toBe('websocket');
    expect(h.headers.get('x-a')).toBe('1, 2');
    expect(h.size).toBe(text.length - 2);
    expect(head('HTTP/1.1 401 Unauthorized\r\n\r\n').status).toBe(401);
  });

  it('waits for the rest of a head and refuses what is not one', () => {
    expect(parseResponseHead(Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n'))).toBeUndefined();
    expect(parseResponseHead(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))).toMatch(/^not an HTTP\/1.1 response/);
    expect(parseResponseHead(Buffer.from('HTTP/1.1 101 OK\r\nno colon\r\n\r\n'))).toMatch(/malformed/);
    expect(parseResponseHead(Buffer.alloc(MAX_RESPONSE_HEAD_BYTES + 1, 0x61))).toMatch(/exceeds/);
  });

  it('accepts only a complete 101 for our key', () => {
    const ok = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(KEY)}\r\n\r\n`;
    expect(checkUpgrade(head(ok), KEY)).toBeUndefined();
    expect(checkUpgrade(head(ok), 'AAAAAAAAAAAAAAAAAAAAAA==')).toBe('invalid Sec-WebSocket-Accept header');
    expect(checkUpgrade(head(ok.replace('Upgrade: WebSocket', 'Upgrade: h2c')), KEY)).toMatch(/Upgrade header/);
    expect(checkUpgrade(head(ok.replace('keep-alive, Upgrade', 'close')), KEY)).toMatch(/Connection header/);
    expect(checkUpgrade(head(ok.replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n')), KEY)).toMatch(/extension/);
  });
});
