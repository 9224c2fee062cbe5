// The agent's own WebSocket client against a real `ws` WebSocketServer over TLS (the server side of
// Capstan keeps using ws): handshake, echo, ping/pong, close codes both ways, refusals, mTLS, backpressure.
import { randomBytes, X509Certificate } from 'node:crypto';
import { createServer, type Server, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type ServerOptions as WssOptions, type WebSocket } from 'ws';
import { WsClient, type WsClientOptions } from '../src/tunnel/ws-client.ts';
import { makeTestPems, type TestPems } from './support/test-pems.ts';

/** A real HTTPS server with a ws WebSocketServer on it; collects the server ends of connections. */
class Peer {
  readonly server: Server;
  readonly wss: WebSocketServer;
  readonly sockets: WebSocket[] = [];
  readonly upgradeHeaders: Record<string, string | string[] | undefined>[] = [];
  #waiters: (() => void)[] = [];
  #taken = 0;

  constructor(tls: ServerOptions, wss: Omit<WssOptions, 'server' | 'noServer' | 'port'> = {}) {
    this.server = createServer(tls);
    this.wss = new WebSocketServer({ ...wss, server: this.server });
    this.wss.on('connection', (ws, req) => {
      this.sockets.push(ws);
      this.upgradeHeaders.push(req.headers);
      ws.on('error', () => {});
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  url(host = '127.0.0.1'): URL {
    return new URL(`wss://${host}:${(this.server.address() as AddressInfo).port}/api/agents/connect`);
  }

  /** The server end of the oldest connection not taken yet (waits for one to arrive). */
  next(): Promise<WebSocket> {
    const index = this.#taken++;
    return new Promise((resolve) => {
      const check = () => (this.sockets.length > index ? resolve(this.sockets[index]!) : this.#waiters.push(check));
      check();
    });
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Everything a client reported, and promises for its open and close. */
function dial(url: URL, options: Partial<WsClientOptions> & { trust: TestPems | null }) {
  const { trust, ...rest } = options;
  const client = new WsClient(url, {
    ...(trust ? { ca: trust.cert, rejectUnauthorized: true } : { rejectUnauthorized: false }),
    maxMessageBytes: 4 << 20,
    handshakeTimeoutMs: 5_000,
    ...rest,
  });
  const log: string[] = [];
  const messages: { data: Buffer; binary: boolean }[] = [];
  const errors: Error[] = [];
  const opened = new Promise<void>((resolve) => client.on('open', () => (log.push('open'), resolve())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    client.on('close', (code, reason) => (log.push(`close ${code}`), resolve({ code, reason }))),
  );
  client.on('message', (data, binary) => messages.push({ data, binary }));
  client.on('error', (err) => (log.push(`error ${err.message}`), errors.push(err)));
  return { client, log, messages, errors, opened, closed };
}

const until = async (predicate: () => boolean, what: string, timeoutMs = 10_000) => {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('WsClient against a ws server over TLS', () => {
  let pems: TestPems;
  const peers: Peer[] = [];
  const start = async (tls: ServerOptions = {}, wss: Omit<WssOptions, 'server' | 'noServer' | 'port'> = {}) => {
    const peer = new Peer({ cert: pems.cert, key: pems.key, ...tls }, wss);
    peers.push(peer);
    await peer.listen();
    return peer;
  };

  beforeAll(async () => {
    pems = await makeTestPems();
  });
  afterEach(async () => {
    for (const p of peers.splice(0)) await p.close();
  });

  it('completes the handshake (CA-verified, SNI) without extensions and echoes 1 MiB binary', async () => {
    const peer = await start();
    peer.wss.on('connection', (ws) => ws.on('message', (data: Buffer, binary) => ws.send(data, { binary })));
    const c = dial(peer.url('localhost'), { trust: pems });
    let pinned: string | undefined;
    c.client.on('upgrade', (socket) => (pinned = socket.getPeerCertificate().fingerprint256));
    await c.opened;
    expect(c.client.readyState).toBe('open');
    expect(pinned).toBe(new X509Certificate(pems.cert).fingerprint256);
    const ws = await peer.next();
    expect(ws.extensions).toBe('');
    expect(peer.upgradeHeaders[0]?.['sec-websocket-extensions']).toBeUndefined();
    expect(peer.upgradeHeaders[0]?.['sec-websocket-version']).toBe('13');

    const big = randomBytes(1 << 20);
    let sent = false;
    c.client.send(big, (err) => (sent = !err));
    c.client.send(Buffer.alloc(0));
    await until(() => c.messages.length === 2, 'the echoes');
    expect(sent).toBe(true);
    expect(c.messages[0]!.binary).toBe(true);
    expect(c.messages[0]!.data.equals(big)).toBe(true);
    expect(c.messages[1]!.data.length).toBe(0);
    c.client.close();
    await c.closed;
  });

  it('never opens when an upgrade listener terminates (a certificate that does not match the pin)', async () => {
    const peer = await start();
    const c = dial(peer.url(), { trust: null });
    c.client.on('upgrade', () => c.client.terminate());
    expect(await c.closed).toEqual({ code: 1006, reason: '' });
    expect(c.log).toEqual(['close 1006']);
  });

  it('reassembles fragmented messages and surfaces text as not binary', async () => {
    const peer = await start();
    const c = dial(peer.url(), { trust: null });
    await c.opened;
    const ws = await peer.next();
    ws.send(Buffer.from('frag'), { binary: true, fin: false });
    ws.send(Buffer.from('ment'), { binary: true, fin: true });
    ws.send('text');
    await until(() => c.messages.length === 2, 'two messages');
    expect(c.messages.map((m) => [m.data.toString(), m.binary])).toEqual([
      ['fragment', true],
      ['text', false],
    ]);
    c.client.terminate();
    expect(await c.closed).toEqual({ code: 1006, reason: '' });
  });

  it('answers pings with the same payload and ignores unsolicited pongs', async () => {
    const peer = await start();
    const c = dial(peer.url(), { trust: null });
    await c.opened;
    const ws = await peer.next();
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    ws.ping(Buffer.from('are you there'));
    expect((await pong).toString()).toBe('are you there');
    ws.pong(Buffer.from('unasked'));
    ws.send(Buffer.from('after'));
    await until(() => c.messages.length === 1, 'the message after the pong');
    expect(c.client.readyState).toBe('open');
    c.client.close();
    await c.closed;
  });

  it('closes with a code and reason in both directions', async () => {
    const peer = await start();
    const a = dial(peer.url(), { trust: null });
    await a.opened;
    const wsA = await peer.next();
    const serverSaw = new Promise<[number, string]>((resolve) => wsA.once('close', (code, reason) => resolve([code, reason.toString()])));
    a.client.close(4000, 'agent going');
    expect(a.client.readyState).toBe('closing');
    expect(await serverSaw).toEqual([4000, 'agent going']);
    expect(await a.closed).toEqual({ code: 4000, reason: 'agent going' });
    expect(a.client.readyState).toBe('closed');

    const b = dial(peer.url(), { trust: null });
    await b.opened;
    const wsB = await peer.next();
    const serverGot = new Promise<number>((resolve) => wsB.once('close', (code) => resolve(code)));
    wsB.close(4403, 'revoked');
    expect(await b.closed).toEqual({ code: 4403, reason: 'revoked' });
    expect(await serverGot).toBe(4403);
    expect(b.errors).toEqual([]);

    const c = dial(peer.url(), { trust: null });
    await c.opened;
    (await peer.next()).terminate();
    expect(await c.closed).toEqual({ code: 1006, reason: '' });
    // Sending on a closed client reports an error instead of throwing.
    const err = await new Promise<Error | null | undefined>((resolve) => c.client.send(Buffer.from('late'), resolve));
    expect(err?.message).toMatch(/not open/);
  });

  it('closes with 1009 when a message exceeds the limit', async () => {
    const peer = await start();
    const c = dial(peer.url(), { trust: null, maxMessageBytes: 1024 });
    await c.opened;
    const ws = await peer.next();
    const serverSaw = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(Buffer.alloc(1024));
    ws.send(Buffer.alloc(1025));
    expect(await serverSaw).toBe(1009);
    // As with ws, the client reads nothing after a protocol error, so the server's answering close is not seen.
    expect((await c.closed).code).toBe(1006);
    expect(c.messages.map((m) => m.data.length)).toEqual([1024]);
    expect(c.errors.map((e) => (e as Error & { closeCode?: number }).closeCode)).toEqual([1009]);
  });

  it('rejects a wrong Sec-WebSocket-Accept', async () => {
    const peer = await start();
    peer.wss.on('headers', (headers: string[]) => {
      const i = headers.findIndex((h) => h.toLowerCase().startsWith('sec-websocket-accept:'));
      headers[i] = 'Sec-WebSocket-Accept: c2VjcmV0IHRoYXQgZG9lcyBub3QgbWF0Y2g=';
    });
    const c = dial(peer.url(), { trust: null });
    expect(await c.closed).toEqual({ code: 1006, reason: '' });
    expect(c.log).toEqual(['error invalid Sec-WebSocket-Accept header', 'close 1006']);
  });

  it('surfaces a 401 answer as unexpected-response with its status, and as an error without a listener', async () => {
    const peer = await start({}, { verifyClient: (_info, cb) => cb(false, 401, 'Unauthorized') });
    const c = dial(peer.url(), { trust: null });
    const statuses: number[] = [];
    c.client.on('unexpected-response', (status) => statuses.push(status));
    expect(await c.closed).toEqual({ code: 1006, reason: '' });
    expect(statuses).toEqual([401]);
    expect(c.log).toEqual(['close 1006']);

    const d = dial(peer.url(), { trust: null });
    await d.closed;
    expect(d.log).toEqual(['error Unexpected server response: 401', 'close 1006']);
  });

  it('presents the client certificate to a server that requires one (mTLS)', async () => {
    const peer = await start({ requestCert: true, rejectUnauthorized: true, ca: pems.agentCa });
    const seen: string[] = [];
    peer.wss.on('connection', (_ws, req) => seen.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN)));
    const c = dial(peer.url(), { trust: null, cert: pems.clientCert, key: pems.clientKey });
    await c.opened;
    expect(seen).toEqual(['agent-7']);
    c.client.close();
    await c.closed;

    const without = dial(peer.url(), { trust: null });
    expect(await without.closed).toEqual({ code: 1006, reason: '' });
    expect(without.log).not.toContain('open');
    expect(without.errors.length).toBe(1);
  });

  it('gives up on a server that never answers the upgrade', async () => {
    const silent = createTlsServer({ cert: pems.cert, key: pems.key }, (socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const c = dial(new URL(`wss://127.0.0.1:${port}/`), { trust: null, handshakeTimeoutMs: 300 });
      expect(await c.closed).toEqual({ code: 1006, reason: '' });
      expect(c.log).toEqual(['error Opening handshake has timed out', 'close 1006']);
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('reports unflushed bytes while the peer does not read, and calls back once they are flushed', async () => {
    const peer = await start();
    const c = dial(peer.url(), { trust: null });
    await c.opened;
    const ws = await peer.next();
    let received = 0;
    ws.on('message', (data: Buffer) => (received += data.length));
    ws.pause();
    const chunk = randomBytes(256 * 1024);
    let sent = 0;
    let flushed = 0;
    // Fill the kernel's socket buffers until the client has to hold bytes itself.
    while (c.client.bufferedAmount < 2 * 1024 * 1024 && sent < 400) {
      c.client.send(chunk, (err) => {
        if (!err) flushed++;
      });
      sent++;
      await new Promise((r) => setImmediate(r));
    }
    expect(c.client.bufferedAmount).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 100));
    expect(flushed).toBeLessThan(sent);
    ws.resume();
    await until(() => flushed === sent && received === sent * chunk.length, 'every send flushed and received');
    expect(c.client.bufferedAmount).toBe(0);
    c.client.close();
    await c.closed;
  });
});
