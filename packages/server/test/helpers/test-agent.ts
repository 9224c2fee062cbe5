// A minimal Edge Agent for server tests: speaks the tunnel protocol with the real Mux over a real
// WebSocket and forwards docker-http / docker-hijack streams to a real dockerd socket.
import http from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { Duplex } from 'node:stream';
import {
  Mux,
  TUNNEL_PROTOCOL_VERSION,
  decodeFrame,
  encodeFrame,
  type ConnectionControlFrame,
  type Frame,
  type HttpHeaders,
  type MuxEvent,
  type MuxStream,
  type TunnelError,
} from '@capstan/protocol';
import WebSocket from 'ws';
import { signChallenge } from '../../src/modules/agents/agent-auth.ts';

export interface TestAgentOptions {
  port: number;
  agentId: number;
  privateKey: KeyObject;
  dockerSocket?: string;
  /** Sign this nonce instead of the server's (replay tests). */
  nonce?: string;
  /** Send this signature as is. */
  signature?: string;
  /** Send heartbeats at the welcome's cadence (default true). */
  heartbeat?: boolean;
  /** mTLS: present this client certificate (PEM), with clientKey or else privateKey. */
  clientCert?: string;
  clientKey?: KeyObject;
  /** Capabilities announced in hello (default none). */
  capabilities?: string[];
}

interface Forward {
  onData(payload: Uint8Array): void;
  onEnd(): void;
  onReset(): void;
}

const HIGH_WATER = 512 * 1024;

function responseHeaders(raw: http.IncomingHttpHeaders): HttpHeaders {
  const out: HttpHeaders = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k] = v;
  return out;
}

export class TestAgent {
  readonly ws: WebSocket;
  readonly mux = new Mux({ side: 'agent' });
  readonly opts: TestAgentOptions;
  /** The challenge nonce and signature this agent answered with. */
  nonce: string | null = null;
  signature: string | null = null;
  /** The error frame the server sent, if any. */
  error: TunnelError | null = null;
  welcomed = false;
  heartbeatIntervalMs = 0;
  /** Control frames received after welcome (application frames among them), in order. */
  readonly controls: ConnectionControlFrame[] = [];
  readonly opened: Promise<void>;
  readonly welcome: Promise<void>;
  readonly closed: Promise<number>;
  #forwards = new Map<number, Forward>();
  #paused = new Map<MuxStream, () => void>();
  #timer: NodeJS.Timeout | null = null;
  #seq = 0;

  constructor(opts: TestAgentOptions) {
    this.opts = opts;
    const mtls = opts.clientCert ? { cert: opts.clientCert, key: (opts.clientKey ?? opts.privateKey).export({ type: 'pkcs8', format: 'pem' }) } : {};
    this.ws = new WebSocket(`wss://127.0.0.1:${opts.port}/api/agents/connect`, { rejectUnauthorized: false, perMessageDeflate: false, ...mtls });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    let welcomed: () => void = () => undefined;
    let refused: (e: Error) => void = () => undefined;
    this.welcome = new Promise((resolve, reject) => {
      welcomed = resolve;
      refused = reject;
    });
    this.welcome.catch(() => undefined);
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code) => {
        if (this.#timer) clearInterval(this.#timer);
        refused(new Error(`closed before welcome: ${this.error?.code ?? code}`));
        resolve(code);
      }),
    );
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data: Buffer) => {
      const decoded = decodeFrame(new Uint8Array(data));
      if (!decoded.ok) throw new Error(`server sent a bad frame: ${decoded.error.message}`);
      const frame = decoded.frame;
      if (!this.welcomed) {
        if (frame.type === 'challenge') {
          this.nonce = opts.nonce ?? frame.nonce;
          this.signature = opts.signature ?? signChallenge(opts.privateKey, 'connect', opts.agentId, this.nonce);
          this.sendRaw({
            type: 'hello',
            agentId: opts.agentId,
            signature: this.signature,
            protocolVersion: TUNNEL_PROTOCOL_VERSION,
            agentVersion: '0.0.0-test',
            capabilities: opts.capabilities ?? [],
            engine: { version: '20.10-test', apiVersion: '1.41' },
          });
          return;
        }
        if (frame.type === 'welcome') {
          this.welcomed = true;
          this.heartbeatIntervalMs = frame.heartbeatIntervalMs;
          if (opts.heartbeat !== false) {
            this.#timer = setInterval(() => this.heartbeat(), frame.heartbeatIntervalMs);
          }
          welcomed();
          return;
        }
        if (frame.type === 'error') {
          this.error = { code: frame.code, message: frame.message };
          return;
        }
      }
      for (const event of this.mux.receive(frame)) this.#handle(event);
      this.flush();
    });
  }

  /** Sends one frame outside the Mux (handshake). */
  sendRaw(frame: Frame): void {
    this.ws.send(encodeFrame(frame));
  }

  heartbeat(): void {
    this.mux.sendControl({ type: 'heartbeat', seq: ++this.#seq });
    this.flush();
  }

  flush(): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    for (const frame of this.mux.pull()) this.ws.send(encodeFrame(frame));
    for (const [stream, resume] of this.#paused) {
      if (stream.phase === 'closed' || stream.queuedBytes < HIGH_WATER) {
        this.#paused.delete(stream);
        resume();
      }
    }
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed;
  }

  #handle(event: MuxEvent): void {
    switch (event.type) {
      case 'control':
        this.controls.push(event.frame);
        return;
      case 'failed':
        this.error = event.error;
        this.ws.close();
        return;
      case 'open':
        if (event.request.kind === 'docker-http') this.#http(event.stream, event.request.header);
        else this.#hijack(event.stream, event.request.header);
        return;
      case 'data':
        this.#forwards.get(event.stream.id)?.onData(event.payload);
        return;
      case 'end':
        this.#forwards.get(event.stream.id)?.onEnd();
        return;
      case 'reset':
        this.#forwards.get(event.stream.id)?.onReset();
        this.#forwards.delete(event.stream.id);
        return;
      default:
        return;
    }
  }

  /** Copies a readable into a stream, pausing above the high-water mark. */
  #pipeToStream(stream: MuxStream, source: NodeJS.ReadableStream & { pause(): void; resume(): void }): void {
    source.on('data', (chunk: Buffer) => {
      stream.write(new Uint8Array(chunk));
      this.flush();
      if (stream.queuedBytes >= HIGH_WATER) {
        source.pause();
        this.#paused.set(stream, () => source.resume());
      }
    });
    source.on('end', () => {
      stream.end();
      this.flush();
    });
  }

  #http(stream: MuxStream, head: { method: string; path: string; headers: HttpHeaders }): void {
    const req = http.request({ socketPath: this.opts.dockerSocket, method: head.method, path: head.path, headers: head.headers });
    this.#forwards.set(stream.id, {
      onData: (payload) => {
        const n = payload.length;
        req.write(payload, () => {
          stream.consumed(n);
          this.flush();
        });
      },
      onEnd: () => req.end(),
      onReset: () => req.destroy(),
    });
    req.on('response', (res) => {
      stream.accept({ status: res.statusCode ?? 502, headers: responseHeaders(res.headers) });
      this.flush();
      this.#pipeToStream(stream, res);
    });
    req.on('error', () => {
      if (stream.phase === 'pending') stream.reject('upstream_unavailable', 'docker socket unreachable');
      else stream.reset('upstream_error', 'docker request failed');
      this.flush();
    });
  }

  #hijack(stream: MuxStream, head: { method: string; path: string; headers: HttpHeaders }): void {
    const req = http.request({
      socketPath: this.opts.dockerSocket,
      method: head.method,
      path: head.path,
      headers: { ...head.headers, connection: 'Upgrade', upgrade: 'tcp' },
    });
    let upstream: Duplex | null = null;
    let ended = false;
    this.#forwards.set(stream.id, {
      onData: (payload) => {
        const n = payload.length;
        if (!upstream) {
          // Request body of the exec start (JSON) goes into the request itself.
          req.write(payload, () => {
            stream.consumed(n);
            this.flush();
          });
          return;
        }
        upstream.write(payload, () => {
          stream.consumed(n);
          this.flush();
        });
      },
      onEnd: () => {
        ended = true;
        if (upstream) upstream.end();
        else req.end();
      },
      onReset: () => {
        req.destroy();
        upstream?.destroy();
      },
    });
    req.on('upgrade', (res, socket, rest) => {
      upstream = socket;
      stream.accept({ status: 101, headers: responseHeaders(res.headers) });
      if (rest.length > 0) stream.write(new Uint8Array(rest));
      this.flush();
      if (ended) socket.end();
      this.#pipeToStream(stream, socket);
    });
    req.on('response', (res) => {
      stream.accept({ status: res.statusCode ?? 502, headers: responseHeaders(res.headers) });
      this.flush();
      this.#pipeToStream(stream, res);
    });
    req.on('error', () => {
      if (stream.phase === 'pending') stream.reject('upstream_unavailable', 'docker socket unreachable');
      else stream.reset('upstream_error', 'docker request failed');
      this.flush();
    });
  }
}
