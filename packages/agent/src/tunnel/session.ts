// One tunnel connection: WebSocket to /api/agents/connect, challenge → hello → welcome, heartbeats,
// and the Mux that carries the streams the server opens. Ends (resolves) when the socket closes.
import type { TLSSocket } from 'node:tls';
import {
  CAPSTAN_VERSION,
  MAX_MESSAGE_BYTES,
  Mux,
  TUNNEL_PROTOCOL_VERSION,
  decodeFrame,
  encodeFrame,
  type AgentAppFrame,
  type ConnectionControlFrame,
  type EngineInfo,
  type MuxEvent,
  type MuxStream,
  type OpenRequest,
  type ServerAppFrame,
  type TunnelErrorCode,
} from '@capstan/protocol';
import type { EngineConnector } from '../engine/engine-connector.ts';
import type { AgentIdentity } from '../identity/identity-store.ts';
import { signConnectChallenge } from '../identity/keys.ts';
import type { Logger } from '../log/logger.ts';
import { HijackExecutor } from '../streams/hijack-executor.ts';
import { HttpExecutor } from '../streams/http-executor.ts';
import type { StreamContext, StreamHandler } from '../streams/stream-handler.ts';
import { checkPin, tlsConnectOptions, type ServerTrust } from '../tls/server-tls.ts';
import { WsClient } from './ws-client.ts';

/** Stream kinds this agent serves, announced in hello. */
export const AGENT_CAPABILITIES = ['docker-http', 'docker-hijack'] as const;

/** Stop pulling frames while the socket holds more than this many unsent bytes. */
export const SOCKET_HIGH_WATER = 1024 * 1024;
const SOCKET_LOW_WATER = 256 * 1024;
const FRAMES_PER_PULL = 32;
const CLOSE_GRACE_MS = 2_000;
/** Missing this many heartbeat intervals of silence from the server drops the connection. */
export const MISSED_HEARTBEATS = 3;

/** How an application (command runner, state reporter) talks over the current connection. */
export interface AgentLink {
  /** Queues a frame to the server; false when the connection is no longer ready. */
  send(frame: AgentAppFrame): boolean;
}

/**
 * A feature that exchanges application frames with the server. It outlives sessions: `connected`
 * hands it each new connection's link, `disconnected` tells it that link is gone.
 */
export interface SessionApp {
  /** Capabilities announced in hello on its behalf. */
  readonly capabilities: readonly string[];
  connected(link: AgentLink): void;
  frame(frame: ServerAppFrame): void;
  disconnected(): void;
  /** The agent is stopping: finish or abandon work in progress (optional). */
  stop?(): Promise<void>;
}

/** What a session needs. */
export interface SessionOptions {
  readonly url: URL;
  readonly identity: AgentIdentity;
  readonly trust: ServerTrust;
  readonly engine: EngineConnector;
  readonly log: Logger;
  /** Time allowed from dialling until welcome (default 15 s). */
  readonly handshakeTimeoutMs?: number;
  readonly agentVersion?: string;
  /** Features using application frames (commands, snapshots). */
  readonly apps?: readonly SessionApp[];
}

/** How a session ended; drives the reconnect delay. */
export interface SessionEnd {
  /** The handshake completed (the backoff starts over). */
  readonly welcomed: boolean;
  /** The server refused our identity (revoked, rotated, unknown): retry only slowly. */
  readonly refused: boolean;
  /** A newer connection with this identity (another agent process) replaced ours. */
  readonly fenced: boolean;
  readonly reason: string;
}

/** Connects once and serves the tunnel until it closes; never rejects. */
export function runSession(options: SessionOptions, signal?: AbortSignal): Promise<SessionEnd> {
  return new Promise((resolve) => new TunnelSession(options, resolve, signal));
}

type Phase = 'connecting' | 'challenge' | 'welcome' | 'ready' | 'closing';

class TunnelSession {
  readonly #o: SessionOptions;
  readonly #ws: WsClient;
  readonly #mux = new Mux({ side: 'agent' });
  readonly #handlers = new Map<number, StreamHandler>();
  readonly #engineInfo: Promise<EngineInfo | undefined>;
  readonly #resolve: (end: SessionEnd) => void;
  readonly #signal: AbortSignal | undefined;
  #phase: Phase = 'connecting';
  #welcomed = false;
  #refused = false;
  #fenced = false;
  #reason = 'connection closed';
  #lastFrameAt = Date.now();
  #heartbeatSeq = 0;
  #timers: NodeJS.Timeout[] = [];
  #flushScheduled = false;
  #waitingForSocket = false;

  constructor(options: SessionOptions, resolve: (end: SessionEnd) => void, signal: AbortSignal | undefined) {
    this.#o = options;
    this.#resolve = resolve;
    this.#signal = signal;
    this.#engineInfo = options.engine.info();
    this.#ws = new WsClient(options.url, {
      ...tlsConnectOptions(options.trust),
      // mTLS: present the certificate the server's CA issued for this key, when enrolment gave one.
      ...(options.identity.clientCertPem ? { cert: options.identity.clientCertPem, key: options.identity.privateKeyPem } : {}),
      maxMessageBytes: MAX_MESSAGE_BYTES,
      // A dead link drops packets silently: give up on a dial quickly so a restored link is used soon.
      handshakeTimeoutMs: Math.min(options.handshakeTimeoutMs ?? 5_000, 3_000),
    });
    const ws = this.#ws;
    ws.on('upgrade', (socket) => this.#onUpgrade(socket));
    ws.on('unexpected-response', (status) => this.#onUnexpectedResponse(status));
    ws.on('open', () => this.#onOpen());
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('error', (err) => {
      if (this.#reason === 'connection closed') this.#reason = err.message;
      options.log.debug('tunnel socket error', { error: err.message });
    });
    ws.on('close', (code, reason) => this.#onClose(code, reason));
    this.#timers.push(
      setTimeout(() => this.#protocolError('unexpected_frame', 'no welcome within the handshake timeout'), options.handshakeTimeoutMs ?? 5_000),
    );
    if (signal) {
      if (signal.aborted) queueMicrotask(() => this.#shutdown());
      else signal.addEventListener('abort', () => this.#shutdown(), { once: true });
    }
  }

  #onUpgrade(socket: TLSSocket): void {
    const problem = checkPin(this.#o.trust, this.#o.identity.serverCertSha256, socket);
    if (problem) {
      this.#refused = true;
      this.#reason = problem;
      this.#o.log.error(`refusing the server: ${problem}`);
      this.#ws.terminate();
    }
  }

  #onUnexpectedResponse(status: number): void {
    this.#refused = status === 401 || status === 403;
    this.#reason = `the server answered the WebSocket upgrade with HTTP ${status}`;
    this.#ws.terminate();
  }

  #onOpen(): void {
    if (this.#phase !== 'connecting') return;
    this.#phase = 'challenge';
    this.#lastFrameAt = Date.now();
    this.#o.log.debug('tunnel socket open, awaiting challenge', { url: this.#o.url.href });
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (this.#phase === 'closing') return;
    this.#lastFrameAt = Date.now();
    if (!isBinary) return this.#protocolError('malformed_frame', 'text WebSocket message');
    const decoded = decodeFrame(data);
    if (!decoded.ok) return this.#protocolError(decoded.error.code, decoded.error.message);
    for (const event of this.#mux.receive(decoded.frame)) this.#onEvent(event);
    this.#sweep();
    this.#flush();
  }

  #onEvent(event: MuxEvent): void {
    switch (event.type) {
      case 'control':
        return this.#onControl(event.frame);
      case 'open':
        return this.#onStreamOpen(event.stream, event.request);
      case 'data': {
        const handler = this.#handlers.get(event.stream.id);
        if (handler) handler.onData(event.payload);
        else event.stream.consumed(event.payload.length);
        return;
      }
      case 'end':
        return this.#handlers.get(event.stream.id)?.onEnd();
      case 'reset':
        this.#o.log.debug('stream reset by the server', { streamId: event.stream.id, code: event.code });
        return;
      case 'accepted':
      case 'rejected':
        return; // the agent opens no streams yet
      case 'failed':
        if (event.by === 'peer') {
          this.#refused = event.error.code === 'unauthorized';
          this.#fenced = event.error.code === 'going_away' && event.error.message.startsWith('superseded');
          this.#reason = `server closed the tunnel: ${event.error.message} (${event.error.code})`;
          const level = this.#refused ? 'error' : 'warn';
          this.#o.log[level](this.#reason);
        }
        return this.#close();
    }
  }

  #onControl(frame: ConnectionControlFrame): void {
    switch (frame.type) {
      case 'challenge':
        if (this.#phase !== 'challenge') return this.#protocolError('unexpected_frame', 'challenge after the handshake');
        this.#phase = 'welcome';
        void this.#sendHello(frame.nonce);
        return;
      case 'welcome':
        if (this.#phase !== 'welcome') return this.#protocolError('unexpected_frame', 'welcome before hello');
        if (frame.protocolVersion !== TUNNEL_PROTOCOL_VERSION)
          return this.#protocolError('unsupported_version', `server speaks tunnel version ${frame.protocolVersion}`);
        return this.#onWelcome(frame.heartbeatIntervalMs);
      case 'heartbeat':
        if (this.#phase !== 'ready') return this.#protocolError('unexpected_frame', 'heartbeat before welcome');
        this.#mux.sendControl({ type: 'heartbeat-ack', seq: frame.seq });
        return;
      case 'heartbeat-ack':
        return;
      case 'command':
      case 'snapshot-request':
      case 'agent-mode':
        if (this.#phase !== 'ready') return this.#protocolError('unexpected_frame', `${frame.type} before welcome`);
        for (const app of this.#o.apps ?? []) app.frame(frame);
        return;
      default:
        return this.#protocolError('unexpected_frame', `unexpected ${frame.type} frame`);
    }
  }

  async #sendHello(nonce: string): Promise<void> {
    const { identity } = this.#o;
    const engine = await this.#engineInfo;
    if (this.#phase !== 'welcome') return;
    this.#mux.sendControl({
      type: 'hello',
      agentId: identity.agentId,
      signature: signConnectChallenge(identity.privateKeyPem, identity.agentId, nonce),
      protocolVersion: TUNNEL_PROTOCOL_VERSION,
      agentVersion: this.#o.agentVersion ?? CAPSTAN_VERSION,
      capabilities: [...AGENT_CAPABILITIES, ...(this.#o.apps ?? []).flatMap((a) => a.capabilities)],
      ...(engine ? { engine } : {}),
    });
    if (!engine) this.#o.log.warn(`the engine at ${this.#o.engine.describe()} does not answer GET /version`);
    this.#flush();
  }

  #onWelcome(intervalMs: number): void {
    this.#phase = 'ready';
    this.#welcomed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    this.#o.log.info('tunnel connected', { server: this.#o.url.origin, agentId: this.#o.identity.agentId, heartbeatIntervalMs: intervalMs });
    const beat = setInterval(() => {
      const silentMs = Date.now() - this.#lastFrameAt;
      if (silentMs > MISSED_HEARTBEATS * intervalMs)
        return this.#protocolError('heartbeat_timeout', `nothing from the server for ${silentMs} ms`);
      this.#mux.sendControl({ type: 'heartbeat', seq: this.#heartbeatSeq++, sentAtMs: Date.now() });
      this.#flush();
    }, intervalMs);
    this.#timers.push(beat);
    const link: AgentLink = {
      send: (frame) => {
        if (this.#phase !== 'ready') return false;
        this.#mux.sendControl(frame);
        this.#wake();
        return true;
      },
    };
    for (const app of this.#o.apps ?? []) app.connected(link);
  }

  #onStreamOpen(stream: MuxStream, request: OpenRequest): void {
    if (this.#phase !== 'ready') return this.#protocolError('unexpected_frame', 'stream opened before welcome');
    const ctx: StreamContext = { stream, head: request.header, engine: this.#o.engine, wake: () => this.#wake(), log: this.#o.log };
    try {
      const handler = request.kind === 'docker-hijack' ? new HijackExecutor(ctx) : new HttpExecutor(ctx);
      this.#handlers.set(stream.id, handler);
    } catch (err) {
      this.#o.log.warn('cannot serve stream', { streamId: stream.id, error: (err as Error).message });
      stream.reject('refused', (err as Error).message);
    }
  }

  // Handlers whose stream closed (completed, reset, or connection lost) release their engine resources.
  #sweep(): void {
    for (const [id, handler] of this.#handlers) {
      if (this.#mux.stream(id)) continue;
      this.#handlers.delete(id);
      handler.dispose();
    }
  }

  #wake(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#sweep();
      this.#flush();
    });
  }

  #flush(): void {
    const ws = this.#ws;
    if (ws.readyState !== 'open') return;
    let sent = false;
    while (this.#mux.hasPending()) {
      if (ws.bufferedAmount >= SOCKET_HIGH_WATER) {
        this.#waitingForSocket = true;
        break;
      }
      const frames = this.#mux.pull(FRAMES_PER_PULL);
      if (frames.length === 0) break;
      for (const frame of frames) ws.send(encodeFrame(frame), () => this.#onSent());
      sent = true;
    }
    if (!sent) return;
    for (const handler of this.#handlers.values()) handler.onDrain();
    this.#sweep();
    if (this.#mux.failure) this.#close();
  }

  #onSent(): void {
    if (this.#waitingForSocket && this.#ws.bufferedAmount < SOCKET_LOW_WATER) {
      this.#waitingForSocket = false;
      this.#wake();
    }
  }

  #protocolError(code: TunnelErrorCode, message: string): void {
    if (this.#phase === 'closing') return;
    this.#reason = `${message} (${code})`;
    this.#o.log.warn(`closing the tunnel: ${message}`, { code });
    this.#mux.fail(code, message);
    this.#flush();
    this.#close();
  }

  #shutdown(): void {
    if (this.#phase === 'closing') return;
    this.#reason = 'agent shutting down';
    if (this.#ws.readyState !== 'open') {
      this.#phase = 'closing';
      this.#ws.terminate();
      return;
    }
    this.#mux.fail('going_away', 'agent shutting down');
    this.#flush();
    this.#close();
  }

  #close(): void {
    if (this.#phase === 'closing') return;
    this.#phase = 'closing';
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    if (this.#ws.readyState === 'open') this.#ws.close(1000);
    else this.#ws.terminate();
    this.#timers.push(setTimeout(() => this.#ws.terminate(), CLOSE_GRACE_MS));
  }

  #onClose(code: number, reason: string): void {
    if (this.#welcomed) for (const app of this.#o.apps ?? []) app.disconnected();
    this.#phase = 'closing';
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    if (!this.#mux.failure) this.#mux.fail('going_away', 'connection closed');
    this.#sweep();
    if (code === 1008 || code === 4401 || code === 4403) this.#refused = true;
    if (reason && this.#reason === 'connection closed') this.#reason = `closed by the server (${code}): ${reason}`;
    this.#resolve({ welcomed: this.#welcomed, refused: this.#refused, fenced: this.#fenced, reason: this.#reason });
  }
}
