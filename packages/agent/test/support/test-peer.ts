// A stand-in for the Capstan server in agent tests: a real HTTPS + WebSocket server on 127.0.0.1
// (self-signed) that enrols, sends the challenge, verifies the hello signature with node:crypto,
// welcomes, and drives the real Mux from the server side.
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  agentAuthSigningInput,
  decodeFrame,
  encodeFrame,
  MAX_MESSAGE_BYTES,
  Mux,
  type ControlFrame,
  type HelloFrame,
  type HttpHeaders,
  type MuxStream,
  type OpenRequest,
} from '@capstan/protocol';

/** How the peer treats a new connection. */
export type PeerMode = 'normal' | 'drop-on-connect' | 'silent-after-welcome';

/** One stream the peer opened, with everything that arrived on it. */
export class PeerStream {
  readonly stream: MuxStream;
  readonly chunks: Buffer[] = [];
  status: number | undefined;
  headers: HttpHeaders | undefined;
  ended = false;
  reset: string | undefined;
  /** When false, received bytes are kept unconsumed (the agent runs out of credit). */
  autoConsume = true;
  #waiters: (() => void)[] = [];
  readonly #conn: PeerConnection;

  constructor(conn: PeerConnection, stream: MuxStream) {
    this.#conn = conn;
    this.stream = stream;
  }
  get received(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0);
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
  /** Sends bytes to the agent. */
  write(bytes: Uint8Array | string): void {
    this.stream.write(typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    this.#conn.flush();
  }
  end(): void {
    this.stream.end();
    this.#conn.flush();
  }
  /** Returns credit for everything received so far. */
  consumeAll(): void {
    if (this.stream.unconsumedBytes > 0) this.stream.consumed(this.stream.unconsumedBytes);
    this.#conn.flush();
  }
  /** Resolves when predicate holds (checked on every event of this stream). */
  until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    return waitFor(predicate, (w) => this.#waiters.push(w), timeoutMs, () => `stream ${this.stream.id}: ${this.text().slice(0, 200)}`);
  }
  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

function waitFor(predicate: () => boolean, register: (w: () => void) => void, timeoutMs: number, what: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting: ${what()}`)), timeoutMs);
    const check = () => {
      if (predicate()) {
        clearTimeout(timer);
        resolve();
      } else register(check);
    };
    check();
  });
}

/** One WebSocket connection from the agent. */
export class PeerConnection {
  readonly ws: WebSocket;
  readonly mux = new Mux({ side: 'server' });
  readonly streams = new Map<number, PeerStream>();
  readonly received: ControlFrame[] = [];
  hello: HelloFrame | undefined;
  welcomed = false;
  closed = false;
  silent = false;

  constructor(ws: WebSocket) {
    this.ws = ws;
  }

  flush(): void {
    if (this.silent) return;
    for (const frame of this.mux.pull()) if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeFrame(frame));
  }

  /** Opens a stream to the agent. */
  open(request: OpenRequest): PeerStream {
    const result = this.mux.open(request);
    if (!result.ok) throw new Error(result.message);
    const ps = new PeerStream(this, result.stream);
    this.streams.set(result.stream.id, ps);
    this.flush();
    return ps;
  }

  /** One complete HTTP exchange through a docker-http stream. */
  async http(method: string, path: string, body?: unknown): Promise<{ status: number; headers: HttpHeaders; body: Buffer; json: () => any }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: HttpHeaders = payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {};
    const s = this.open({ kind: 'docker-http', header: { method, path, headers } });
    if (payload) s.write(payload);
    s.end();
    await s.until(() => s.ended || s.reset !== undefined);
    if (s.reset) throw new Error(`stream reset: ${s.reset}`);
    const all = Buffer.concat(s.chunks);
    return { status: s.status!, headers: s.headers!, body: all, json: () => JSON.parse(all.toString('utf8')) };
  }
}

/** Settings of a TestPeer. */
export interface PeerOptions {
  heartbeatIntervalMs?: number;
}

/** The fake server. */
export class TestPeer {
  readonly server: Server;
  readonly wss: WebSocketServer;
  readonly connections: PeerConnection[] = [];
  /** Times (ms) at which WebSocket connections arrived. */
  readonly connectTimes: number[] = [];
  readonly usedTokens = new Set<string>();
  readonly heartbeatIntervalMs: number;
  mode: PeerMode = 'normal';
  /** Public key the hello must verify against (set at enrolment; tests may swap it). */
  publicKeyPem: string | undefined;
  /** When set, hellos are verified against this key instead of the enrolled one (a revoked/rotated agent). */
  forceKeyPem: string | undefined;
  agentId = 7;
  environmentId = 3;
  #waiters: (() => void)[] = [];

  private constructor(server: Server, options: PeerOptions) {
    this.server = server;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1000;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/api/agents/connect') return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws));
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/api/agents/enrol') {
          res.writeHead(404).end();
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (this.usedTokens.has(body.token)) {
          res.writeHead(409, { 'content-type': 'application/problem+json' });
          res.end(JSON.stringify({ type: 'about:blank', title: 'Conflict', status: 409, code: 'join_token_used', detail: 'this join token was used already: create a new one' }));
          return;
        }
        this.usedTokens.add(body.token);
        this.publicKeyPem = body.publicKey;
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ agentId: this.agentId, environmentId: this.environmentId, serverTime: new Date().toISOString() }));
      });
    });
  }

  /** Starts the peer on 127.0.0.1 with a fresh self-signed certificate. */
  static async start(options: PeerOptions = {}): Promise<TestPeer> {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keyType: 'ec', algorithm: 'sha256' });
    const server = createServer({ cert: pems.cert, key: pems.private });
    const peer = new TestPeer(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return peer;
  }

  get url(): URL {
    return new URL(`https://127.0.0.1:${(this.server.address() as AddressInfo).port}/`);
  }

  /** The newest welcomed connection once there are `count` welcomed connections in total. */
  async welcomed(count = 1, timeoutMs = 10_000): Promise<PeerConnection> {
    const done = () => this.connections.filter((c) => c.welcomed).length >= count;
    await waitFor(done, (w) => this.#waiters.push(w), timeoutMs, () => `${count} welcomed connections`);
    return this.connections.filter((c) => c.welcomed).at(-1)!;
  }

  /** Resolves once predicate holds (checked on every connection event). */
  until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    return waitFor(predicate, (w) => this.#waiters.push(w), timeoutMs, () => 'peer condition');
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #onConnection(ws: WebSocket): void {
    this.connectTimes.push(Date.now());
    const conn = new PeerConnection(ws);
    this.connections.push(conn);
    ws.on('close', () => {
      conn.closed = true;
      this.#notify();
    });
    this.#notify();
    if (this.mode === 'drop-on-connect') return void ws.terminate();
    const nonce = randomBytes(32).toString('base64url');
    conn.mux.sendControl({ type: 'challenge', nonce, serverTime: new Date().toISOString() });
    conn.flush();
    ws.on('message', (data: Buffer) => {
      const decoded = decodeFrame(data);
      if (!decoded.ok) throw new Error(`agent sent a bad frame: ${decoded.error.message}`);
      if (decoded.frame.type !== 'data') conn.received.push(decoded.frame);
      for (const event of conn.mux.receive(decoded.frame)) {
        if (event.type === 'control') {
          const frame = event.frame;
          if (frame.type === 'hello') this.#onHello(conn, frame, nonce);
          else if (frame.type === 'heartbeat' && !conn.silent) conn.mux.sendControl({ type: 'heartbeat-ack', seq: frame.seq });
          continue;
        }
        if (event.type === 'failed') continue;
        const ps = conn.streams.get(event.stream.id);
        if (!ps) continue;
        if (event.type === 'accepted') {
          ps.status = event.header.status;
          ps.headers = event.header.headers;
        } else if (event.type === 'rejected' || event.type === 'reset') {
          ps.reset = `${event.code}: ${event.message}`;
        } else if (event.type === 'data') {
          ps.chunks.push(Buffer.from(event.payload));
          if (ps.autoConsume) event.stream.consumed(event.payload.length);
        } else if (event.type === 'end') {
          ps.ended = true;
        }
        ps.notify();
      }
      conn.flush();
      this.#notify();
    });
  }

  #onHello(conn: PeerConnection, hello: HelloFrame, nonce: string): void {
    conn.hello = hello;
    const key = this.forceKeyPem ?? this.publicKeyPem;
    const ok =
      key !== undefined &&
      hello.agentId === this.agentId &&
      verify(
        null,
        Buffer.from(agentAuthSigningInput('connect', hello.agentId, nonce)),
        createPublicKey(key),
        Buffer.from(hello.signature, 'base64url'),
      );
    if (!ok) {
      conn.mux.fail('unauthorized', 'the signature does not verify');
      conn.flush();
      conn.ws.close();
      return;
    }
    conn.mux.sendControl({ type: 'welcome', protocolVersion: 1, heartbeatIntervalMs: this.heartbeatIntervalMs, capabilities: [] });
    conn.welcomed = true;
    if (this.mode === 'silent-after-welcome') {
      conn.flush();
      conn.silent = true;
    }
  }

  /** Drops every open connection abruptly. */
  dropAll(): void {
    for (const c of this.connections) if (!c.closed) c.ws.terminate();
  }

  async close(): Promise<void> {
    this.dropAll();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
