// One agent's WebSocket: handshake, heartbeats and the Mux that carries its streams. The Mux is pure;
// this class feeds it decoded frames and sends what it produces, never more than the socket can take.
import {
  AGENT_APP_FRAME_TYPES,
  Mux,
  TUNNEL_PROTOCOL_VERSION,
  type AgentAppFrame,
  type ConnectionControlFrame,
  decodeFrame,
  encodeFrame,
  type Frame,
  type HelloFrame,
  type MuxEvent,
  type OpenRequest,
  type ServerAppFrame,
  type StreamErrorCode,
  type TunnelError,
  type TunnelErrorCode,
} from '@capstan/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { TunnelStream } from './tunnel-stream.ts';

/** Oldest tunnel protocol version this server still speaks. */
export const MIN_TUNNEL_PROTOCOL_VERSION = 1;

/** Bytes handed to the WebSocket but not yet written out, above which we stop pulling frames. */
const SOCKET_HIGH_WATER = 1024 * 1024;
/** Frames that may arrive while the hello is being verified (the agent should send none). */
const MAX_EARLY_FRAMES = 64;

export interface ConnectionHooks {
  /** Verifies the hello; throws to refuse (AppError codes map to tunnel error codes). */
  authenticate(conn: AgentConnection, hello: HelloFrame): Promise<void>;
  /** The socket closed (for any reason); called once. */
  closed(conn: AgentConnection): void;
  /** The handshake completed and welcome was sent. */
  live(conn: AgentConnection): void;
  /** An application frame from the live agent (commands, snapshots); see app-frames.ts. */
  appFrame(conn: AgentConnection, frame: AgentAppFrame): void;
}

export interface ConnectionOptions {
  seq: number;
  nonce: string;
  serverTime: string;
  remoteAddress: string;
  /** SPKI of the verified client certificate the socket presented (null: none). */
  clientCertSpki: string | null;
  heartbeatIntervalMs: number;
  handshakeTimeoutMs: number;
  log: FastifyBaseLogger;
  hooks: ConnectionHooks;
}

type State = 'handshake' | 'verifying' | 'live' | 'closing' | 'closed';

/** One agent connection: handshake → live (streams, heartbeats) → closed. */
export class AgentConnection {
  readonly seq: number;
  readonly nonce: string;
  readonly remoteAddress: string;
  readonly clientCertSpki: string | null;
  /** Set once authenticated: the client certificate certifies this agent's key. */
  mtls = false;
  readonly connectedAt = Date.now();
  readonly mux = new Mux({ side: 'server' });
  agentId: number | null = null;
  environmentId: number | null = null;
  hello: HelloFrame | null = null;
  lastFrameAt = Date.now();
  /** Why the connection ended (set by whichever side failed it). */
  closeReason: TunnelError | null = null;
  /** Unsubscribes from revocation notices (set by the registry once authenticated). */
  onDispose: (() => void) | null = null;

  readonly #ws: WebSocket;
  readonly #opts: ConnectionOptions;
  readonly #log: FastifyBaseLogger;
  #state: State = 'handshake';
  #streams = new Map<number, TunnelStream>();
  #early: Frame[] = [];
  #inFlight = 0;
  #flushQueued = false;
  #handshakeTimer: NodeJS.Timeout | null;

  constructor(ws: WebSocket, opts: ConnectionOptions) {
    this.#ws = ws;
    this.#opts = opts;
    this.seq = opts.seq;
    this.nonce = opts.nonce;
    this.remoteAddress = opts.remoteAddress;
    this.clientCertSpki = opts.clientCertSpki;
    this.#log = opts.log;
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('close', () => this.#onClose());
    ws.on('error', (err) => this.#log.warn({ err, conn: this.seq }, 'agent connection socket error'));
    this.#handshakeTimer = setTimeout(() => this.fail('unexpected_frame', 'no hello within the handshake timeout'), opts.handshakeTimeoutMs);
    this.#handshakeTimer.unref();
    this.mux.sendControl({ type: 'challenge', nonce: opts.nonce, serverTime: opts.serverTime });
    this.#flush();
  }

  get state(): State {
    return this.#state;
  }
  get live(): boolean {
    return this.#state === 'live';
  }
  get streamCount(): number {
    return this.#streams.size;
  }

  /** Opens a stream to the agent; null when the connection cannot take one (reason in `error`). */
  openStream(request: OpenRequest): { stream: TunnelStream } | { error: string } {
    if (this.#state !== 'live') return { error: 'the agent connection is closing' };
    const opened = this.mux.open(request);
    if (!opened.ok) return { error: `${opened.reason}: ${opened.message}` };
    const stream = new TunnelStream(this, opened.stream);
    this.#streams.set(opened.stream.id, stream);
    this.kick();
    return { stream };
  }

  /** Whether the agent announced `capability` in its hello. */
  has(capability: string): boolean {
    return this.hello?.capabilities.includes(capability) ?? false;
  }

  /** Queues an application frame to the live agent; false when the connection is not live. */
  sendApp(frame: ServerAppFrame): boolean {
    if (this.#state !== 'live') return false;
    this.mux.sendControl(frame);
    this.kick();
    return true;
  }

  /** Ends the connection with an error frame (the peer learns why), then closes the socket. */
  fail(code: TunnelErrorCode, message: string): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#log.info({ conn: this.seq, agentId: this.agentId, code, reason: message }, 'closing agent connection');
    this.closeReason = this.mux.fail(code, message);
    this.#state = 'closing';
    this.#clearHandshakeTimer();
    this.#flush();
    this.#abortStreams('cancelled', `agent connection closed: ${message}`);
    if (code === 'heartbeat_timeout') {
      // Silent peer: the link is likely dead, so no close handshake; the environment goes down now.
      this.#ws.terminate();
      return;
    }
    this.#ws.close(code === 'going_away' ? 1001 : 1008, code);
    // A peer that never completes the close handshake must not keep the socket.
    setTimeout(() => this.#ws.terminate(), 5_000).unref();
  }

  /** Schedules a flush (coalesced): call after anything that may give the Mux frames to send. */
  kick(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      this.#flush();
    });
  }

  /** Marks the handshake done and answers welcome (registry, after authentication). */
  welcome(): void {
    if (this.#state !== 'verifying' || !this.hello) return;
    this.#clearHandshakeTimer();
    this.#state = 'live';
    this.mux.sendControl({
      type: 'welcome',
      protocolVersion: Math.min(this.hello.protocolVersion, TUNNEL_PROTOCOL_VERSION),
      heartbeatIntervalMs: this.#opts.heartbeatIntervalMs,
      capabilities: [],
    });
    this.#flush();
    this.#opts.hooks.live(this);
    const early = this.#early;
    this.#early = [];
    for (const frame of early) if (this.#state === 'live') this.#process(frame);
  }

  #clearHandshakeTimer(): void {
    if (this.#handshakeTimer) clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = null;
  }

  #onMessage(data: unknown, isBinary: boolean): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.lastFrameAt = Date.now();
    if (!isBinary || !(data instanceof Uint8Array)) {
      this.fail('malformed_frame', 'text message: every tunnel message is one binary frame');
      return;
    }
    const decoded = decodeFrame(data);
    if (!decoded.ok) {
      this.fail('malformed_frame', `${decoded.error.reason}: ${decoded.error.message}`);
      return;
    }
    const frame = decoded.frame;
    if (this.#state === 'handshake') {
      if (frame.type !== 'hello') {
        this.fail('unexpected_frame', `expected hello, got ${frame.type}`);
        return;
      }
      this.#onHello(frame);
      return;
    }
    if (this.#state === 'verifying') {
      if (this.#early.length >= MAX_EARLY_FRAMES) this.fail('unexpected_frame', 'frames before welcome');
      else this.#early.push(frame);
      return;
    }
    this.#process(frame);
  }

  #onHello(hello: HelloFrame): void {
    this.#state = 'verifying';
    this.hello = hello;
    if (hello.protocolVersion < MIN_TUNNEL_PROTOCOL_VERSION) {
      this.fail('unsupported_version', `protocol version ${hello.protocolVersion} is too old: this server speaks ${MIN_TUNNEL_PROTOCOL_VERSION} to ${TUNNEL_PROTOCOL_VERSION}; upgrade the agent`);
      return;
    }
    this.#opts.hooks.authenticate(this, hello).then(
      () => this.welcome(),
      (err: unknown) => {
        const code = (err as { tunnelCode?: TunnelErrorCode }).tunnelCode ?? 'unauthorized';
        this.fail(code, err instanceof Error ? err.message : 'refused');
      },
    );
  }

  #process(frame: Frame): void {
    let events: MuxEvent[];
    try {
      events = this.mux.receive(frame);
    } catch (err) {
      this.#log.error({ err, conn: this.seq }, 'tunnel frame handling failed');
      this.fail('internal_error', 'the server could not handle a frame');
      return;
    }
    for (const event of events) this.#dispatch(event);
    this.#flush();
  }

  #dispatch(event: MuxEvent): void {
    switch (event.type) {
      case 'control': {
        const f = event.frame;
        if (f.type === 'heartbeat') this.mux.sendControl({ type: 'heartbeat-ack', seq: f.seq });
        else if (isAgentAppFrame(f)) this.#opts.hooks.appFrame(this, f);
        else if (f.type !== 'heartbeat-ack') this.fail('unexpected_frame', `unexpected ${f.type} frame after the handshake`);
        return;
      }
      case 'open':
        // Agent-opened streams come with later features, gated on a capability.
        event.stream.reject('unsupported_kind', `the server accepts no ${event.request.kind} streams from agents`);
        return;
      case 'failed':
        if (event.by === 'peer') {
          this.#log.info({ conn: this.seq, agentId: this.agentId, code: event.error.code, reason: event.error.message }, 'agent closed its connection');
          this.closeReason = event.error;
          this.#state = 'closing';
          this.#abortStreams('cancelled', `agent connection closed: ${event.error.message}`);
          this.#ws.close(1000);
        } else {
          // The Mux found a violation and queued the error frame: send it and close.
          this.#log.warn({ conn: this.seq, agentId: this.agentId, code: event.error.code, reason: event.error.message }, 'agent protocol violation');
          this.closeReason = event.error;
          this.#state = 'closing';
          this.#flush();
          this.#abortStreams('cancelled', `agent connection closed: ${event.error.message}`);
          this.#ws.close(1008, event.error.code);
          setTimeout(() => this.#ws.terminate(), 5_000).unref();
        }
        return;
      default: {
        const ts = this.#streams.get(event.stream.id);
        if (!ts) return;
        switch (event.type) {
          case 'accepted':
            ts.emit('accepted', event.header);
            break;
          case 'rejected':
            ts.emit('rejected', event.code, event.message);
            break;
          case 'data':
            ts.deliverData(event.payload);
            break;
          case 'end':
            ts.deliverEnd();
            break;
          case 'reset':
            ts.emit('reset', event.code, event.message);
            break;
        }
        if (ts.isDone()) {
          this.#streams.delete(ts.id);
          ts.finish();
        }
      }
    }
  }

  #abortStreams(code: StreamErrorCode, message: string): void {
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    for (const ts of streams) {
      if (!ts.closed) ts.emit('reset', code, message);
      ts.finish();
    }
  }

  #flush(): void {
    if (this.#state === 'closed') return;
    while (this.#inFlight < SOCKET_HIGH_WATER && this.mux.hasPending()) {
      for (const frame of this.mux.pull(32)) {
        const bytes = encodeFrame(frame);
        this.#inFlight += bytes.length;
        this.#ws.send(bytes, { binary: true }, () => {
          this.#inFlight -= bytes.length;
          if (this.mux.hasPending()) this.kick();
        });
      }
    }
    for (const ts of this.#streams.values()) {
      if (ts.isDone()) {
        this.#streams.delete(ts.id);
        ts.finish();
      } else if (ts.listenerCount('drain') > 0 && ts.wantsDrain()) {
        ts.emit('drain');
      }
    }
  }

  #onClose(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#clearHandshakeTimer();
    this.closeReason ??= { code: 'going_away', message: 'the socket closed' };
    this.#abortStreams('cancelled', 'agent connection closed');
    this.#opts.hooks.closed(this);
  }
}

const AGENT_APP_TYPES: ReadonlySet<string> = new Set(AGENT_APP_FRAME_TYPES);

function isAgentAppFrame(frame: ConnectionControlFrame): frame is AgentAppFrame {
  return AGENT_APP_TYPES.has(frame.type);
}
