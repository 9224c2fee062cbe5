// Live agent connections: who is connected, fencing of duplicates, revocation, liveness and the
// environment status they imply.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  MAX_MESSAGE_BYTES,
  type AgentAppFrame,
  type AuditRecord,
  type HelloFrame,
  type OpenRequest,
  type ServerAppFrame,
  type TunnelErrorCode,
} from '@capstan/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { WebSocketServer, type WebSocket } from 'ws';
import type { MainDatabase } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { AgentsService } from '../agents/agents.service.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { Publish } from '../events/events.hub.ts';
import { environmentAsyncError } from '../agent-modes/environment-modes.ts';
import { AgentConnection } from './connection.ts';
import { verifiedClientCertSpki, type AppLink, type TunnelApp } from './tunnel-apps.ts';
import type { TunnelStream } from './tunnel-stream.ts';

export interface TunnelSettings {
  /** Heartbeat cadence announced in welcome. */
  heartbeatIntervalMs: number;
  /** No frame for this long: the connection is closed and the environment marked down. */
  downAfterMs: number;
  /** Challenge → hello must finish within this. */
  handshakeTimeoutMs?: number;
  /** Refuse agents without the client certificate issued at their enrolment. */
  requireMtls?: boolean;
}

/** A refusal during the handshake, with the tunnel error code the agent receives. */
class HandshakeRefused extends Error {
  readonly tunnelCode: TunnelErrorCode;
  constructor(code: TunnelErrorCode, message: string) {
    super(message);
    this.tunnelCode = code;
  }
}

/** The environment's live view, for GET /api/environments/:id/status. */
export interface LiveStatus {
  connected: boolean;
  agentId: number | null;
  lastFrameAt: string | null;
  connectedAt: string | null;
  agentVersion: string | null;
  engineVersion: string | null;
  protocolVersion: number | null;
  /** The connection presented the client certificate issued to this agent. */
  mtls: boolean;
}

/** Path agents connect to (WebSocket upgrade on the API listener). */
export const AGENT_CONNECT_PATH = '/api/agents/connect';

/**
 * Live agent connections by agent and by environment. The newest authenticated connection of an
 * agent wins: an older one is closed (going_away "superseded"), and a connection that started
 * before the current one is refused when it finishes its handshake late, so two sockets of one
 * identity are never live together and an old one can never take over again.
 */
export class TunnelRegistry {
  readonly settings: Required<TunnelSettings>;
  readonly #agents: AgentsService;
  readonly #db: Kysely<MainDatabase>;
  readonly #audit: AuditRepository;
  readonly #log: FastifyBaseLogger;
  readonly #modes: { isAsync(environmentId: number): boolean } | null;
  readonly #publish: Publish;
  readonly #wss: WebSocketServer;
  readonly #byAgent = new Map<number, AgentConnection>();
  readonly #byEnv = new Map<number, AgentConnection>();
  readonly #all = new Set<AgentConnection>();
  readonly #apps: TunnelApp[] = [];
  // Status writes per environment, chained so up/down land in the order they happened.
  readonly #writes = new Map<number, Promise<void>>();
  readonly #sweeper: NodeJS.Timeout;
  readonly #startupCheck: NodeJS.Timeout;
  #seq = 0;
  #closing = false;

  /**
   * `modes` (agent-modes module): interactive streams of async environments are refused.
   * `publish`: an `environment` notice after each status write and when a connection goes live.
   */
  constructor(deps: {
    agents: AgentsService;
    db: Kysely<MainDatabase>;
    audit: AuditRepository;
    log: FastifyBaseLogger;
    settings: TunnelSettings;
    modes?: { isAsync(environmentId: number): boolean };
    publish?: Publish;
  }) {
    this.#agents = deps.agents;
    this.#publish = deps.publish ?? (() => undefined);
    this.#modes = deps.modes ?? null;
    this.#db = deps.db;
    this.#audit = deps.audit;
    this.#log = deps.log;
    this.settings = { handshakeTimeoutMs: 10_000, requireMtls: false, ...deps.settings };
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
    const every = Math.max(50, Math.min(1_000, Math.floor(this.settings.downAfterMs / 4)));
    this.#sweeper = setInterval(() => this.#sweep(), every);
    this.#sweeper.unref();
    this.#startupCheck = setTimeout(() => void this.#markStaleDown(), this.settings.downAfterMs);
    this.#startupCheck.unref();
  }

  /** Takes over an HTTP upgrade to AGENT_CONNECT_PATH. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#attach(ws, req));
  }

  #attach(ws: WebSocket, req: IncomingMessage): void {
    const challenge = this.#agents.createChallenge();
    const certSpki = verifiedClientCertSpki(req);
    const conn = new AgentConnection(ws, {
      seq: ++this.#seq,
      nonce: challenge.nonce,
      serverTime: challenge.serverTime,
      remoteAddress: req.socket.remoteAddress ?? 'unknown',
      clientCertSpki: certSpki,
      heartbeatIntervalMs: this.settings.heartbeatIntervalMs,
      handshakeTimeoutMs: this.settings.handshakeTimeoutMs,
      log: this.#log,
      hooks: {
        authenticate: (c, hello) => this.#authenticate(c, hello),
        closed: (c) => this.#closed(c),
        live: (c) => this.#live(c),
        appFrame: (c, frame) => this.#appFrame(c, frame),
      },
    });
    this.#all.add(conn);
  }

  async #authenticate(conn: AgentConnection, hello: HelloFrame): Promise<void> {
    let revoked = false;
    const unsubscribe = this.#agents.onRevoke(hello.agentId, (reason) => {
      revoked = true;
      conn.fail('unauthorized', reason === 'rotated' ? 'the agent credential was rotated: enrol again with the new join token' : 'the agent was revoked');
    });
    let environmentId: number;
    let publicKey: string;
    try {
      ({ environmentId, publicKey } = await this.#agents.verifyChallenge(hello.agentId, conn.nonce, hello.signature));
    } catch (err) {
      unsubscribe();
      if (err instanceof AppError) throw new HandshakeRefused('unauthorized', err.message);
      throw err;
    }
    // mTLS holds only when the verified client certificate certifies this very agent's key.
    conn.mtls = conn.clientCertSpki !== null && conn.clientCertSpki === publicKey;
    if (this.settings.requireMtls && !conn.mtls) {
      unsubscribe();
      throw new HandshakeRefused(
        'unauthorized',
        conn.clientCertSpki === null
          ? 'this server requires agent mTLS and the connection carried no valid client certificate: enrol again with a new join token to get one'
          : 'the client certificate does not belong to this agent: enrol again with a new join token',
      );
    }
    if (revoked || conn.state !== 'verifying' || this.#closing) {
      unsubscribe();
      throw new HandshakeRefused('unauthorized', 'the connection ended during authentication');
    }
    const current = this.#byAgent.get(hello.agentId);
    if (current && current.seq > conn.seq) {
      unsubscribe();
      throw new HandshakeRefused('going_away', 'superseded: a newer connection of this agent is live');
    }
    const envCurrent = this.#byEnv.get(environmentId);
    conn.agentId = hello.agentId;
    conn.environmentId = environmentId;
    conn.onDispose = unsubscribe;
    this.#byAgent.set(hello.agentId, conn);
    this.#byEnv.set(environmentId, conn);
    for (const old of new Set([current, envCurrent])) {
      if (old && old !== conn) old.fail('going_away', 'superseded: a newer connection of this agent authenticated');
    }
    if (current && current !== conn) {
      // Usually the same agent replacing a dead link; twice in a row from two addresses means a cloned identity.
      this.#persist(environmentId, () =>
        this.#event('agents.superseded', conn, { agentId: hello.agentId, previousAddress: current.remoteAddress }),
      );
    }
    this.#log.info({ agentId: hello.agentId, environmentId, agentVersion: hello.agentVersion, conn: conn.seq }, 'agent connected');
    const wasLive = envCurrent !== undefined;
    const now = new Date().toISOString();
    this.#persist(environmentId, async () => {
      await this.#db
        .updateTable('environments')
        .set({ status: 'up', lastSeenAt: now, agentVersion: hello.agentVersion, engineVersion: hello.engine?.version ?? null })
        .where('id', '=', environmentId)
        .execute();
      if (!wasLive) await this.#event('environments.online', conn, { agentVersion: hello.agentVersion, engineVersion: hello.engine?.version ?? null });
    });
  }

  /** Registers a feature that exchanges application frames with agents. */
  addApp(app: TunnelApp): void {
    this.#apps.push(app);
  }

  /** Sends an application frame to the environment's live agent; false when none is connected. */
  send(environmentId: number, frame: ServerAppFrame): boolean {
    const conn = this.#byEnv.get(environmentId);
    return conn?.live === true ? conn.sendApp(frame) : false;
  }

  /** The live link to an environment's agent, if connected. */
  link(environmentId: number): AppLink | null {
    const conn = this.#byEnv.get(environmentId);
    return conn?.live === true ? this.#linkOf(conn) : null;
  }

  #linkOf(conn: AgentConnection): AppLink {
    return {
      environmentId: conn.environmentId ?? 0,
      agentId: conn.agentId ?? 0,
      connection: conn.seq,
      has: (c) => conn.has(c),
      send: (f) => conn.sendApp(f),
    };
  }

  #appFrame(conn: AgentConnection, frame: AgentAppFrame): void {
    if (conn.environmentId === null || this.#byEnv.get(conn.environmentId) !== conn) return;
    const link = this.#linkOf(conn);
    for (const app of this.#apps) {
      try {
        app.frame?.(link, frame);
      } catch (err) {
        this.#log.error({ err, environmentId: conn.environmentId, frame: frame.type }, 'tunnel app failed on a frame');
      }
    }
  }

  /** Called by the connection right after welcome. */
  #live(conn: AgentConnection): void {
    if (conn.environmentId === null || this.#byEnv.get(conn.environmentId) !== conn) return;
    // The status view shows the connection from now on (the row said up before the welcome went out).
    this.#publish({ type: 'environment', environmentId: conn.environmentId });
    const link = this.#linkOf(conn);
    for (const app of this.#apps) {
      try {
        app.connected?.(link);
      } catch (err) {
        this.#log.error({ err, environmentId: conn.environmentId }, 'tunnel app failed on connect');
      }
    }
  }

  #closed(conn: AgentConnection): void {
    this.#all.delete(conn);
    conn.onDispose?.();
    conn.onDispose = null;
    const { agentId, environmentId } = conn;
    if (agentId === null || environmentId === null) return;
    if (this.#byAgent.get(agentId) === conn) this.#byAgent.delete(agentId);
    if (this.#byEnv.get(environmentId) !== conn) return; // superseded: the newer connection keeps it up
    this.#byEnv.delete(environmentId);
    for (const app of this.#apps) {
      try {
        app.disconnected?.(environmentId);
      } catch (err) {
        this.#log.error({ err, environmentId }, 'tunnel app failed on disconnect');
      }
    }
    const reason = conn.closeReason;
    this.#log.info({ agentId, environmentId, conn: conn.seq, code: reason?.code, reason: reason?.message }, 'agent disconnected');
    // An async environment's agent leaves the tunnel to poll: its polls, not the tunnel, say up or down.
    if (this.isAsync(environmentId)) return;
    const lastSeen = new Date(conn.lastFrameAt).toISOString();
    this.#persist(environmentId, async () => {
      // A reconnect may have raced ahead of this write: only a still-absent connection means down.
      if (this.#byEnv.has(environmentId)) return;
      await this.#db.updateTable('environments').set({ status: 'down', lastSeenAt: lastSeen }).where('id', '=', environmentId).execute();
      await this.#event('environments.offline', conn, { code: reason?.code ?? null, reason: reason?.message ?? null });
    });
  }

  #persist(environmentId: number, write: () => Promise<void>): void {
    const previous = this.#writes.get(environmentId) ?? Promise.resolve();
    const next = previous
      .then(write)
      .then(() => this.#publish({ type: 'environment', environmentId }))
      .catch((err: unknown) => this.#log.error({ err, environmentId }, 'could not record environment status'));
    this.#writes.set(environmentId, next);
    void next.then(() => {
      if (this.#writes.get(environmentId) === next) this.#writes.delete(environmentId);
    });
  }

  #event(action: string, conn: AgentConnection, details: Record<string, unknown>): Promise<void> {
    return this.#record(action, conn.environmentId, conn.remoteAddress, `tunnel-${conn.seq}`, { agentId: conn.agentId, ...details });
  }

  async #record(action: string, environmentId: number | null, sourceIp: string, requestId: string, details: Record<string, unknown>): Promise<void> {
    const record: AuditRecord = {
      id: randomUUID(),
      at: new Date().toISOString(),
      actorId: null,
      actorName: 'agent',
      authMethod: 'none',
      sourceIp,
      action,
      targetType: 'environment',
      targetId: String(environmentId),
      outcome: 'success',
      statusCode: 200,
      requestId,
      details,
    };
    await this.#audit.append([record]);
  }

  /**
   * After a server restart the database may still say 'up' for environments whose agents are gone.
   * One down window after start, any such environment without a connection here is marked down.
   */
  async #markStaleDown(): Promise<void> {
    try {
      const rows = await this.#db.selectFrom('environments').select('id').where('status', '=', 'up').execute();
      for (const row of rows) {
        const environmentId = Number(row.id);
        if (this.#byEnv.has(environmentId) || this.isAsync(environmentId)) continue;
        this.#persist(environmentId, async () => {
          if (this.#byEnv.has(environmentId)) return;
          await this.#db.updateTable('environments').set({ status: 'down' }).where('id', '=', environmentId).where('status', '=', 'up').execute();
          await this.#record('environments.offline', environmentId, 'server', 'tunnel-startup', {
            reason: 'no agent connected within the down window after the server started',
          });
        });
      }
    } catch (err) {
      this.#log.error({ err }, 'could not reconcile environment status after start');
    }
  }

  #sweep(): void {
    const deadline = Date.now() - this.settings.downAfterMs;
    for (const conn of this.#byAgent.values()) {
      if (conn.live && conn.lastFrameAt < deadline) {
        conn.fail('heartbeat_timeout', `no frame for ${Math.round((Date.now() - conn.lastFrameAt) / 1000)} s`);
      }
    }
  }

  /** True when the environment runs in Async mode (no interactive features). */
  /** An environment left Async mode: until its agent's tunnel connects it is down (polls no longer count). */
  leftAsync(environmentId: number): void {
    this.#persist(environmentId, async () => {
      if (this.#byEnv.has(environmentId)) return;
      await this.#db.updateTable('environments').set({ status: 'down' }).where('id', '=', environmentId).where('status', '=', 'up').execute();
    });
  }

  isAsync(environmentId: number): boolean {
    return this.#modes?.isAsync(environmentId) === true;
  }

  /** Opens a stream to the agent (the gate of interactive features): environment_async first, then environment_offline. */
  openStream(environmentId: number, request: OpenRequest): TunnelStream {
    if (this.isAsync(environmentId)) throw environmentAsyncError(environmentId);
    const conn = this.#byEnv.get(environmentId);
    if (!conn || !conn.live) {
      throw new AppError('environment_offline', `environment ${environmentId} is offline: its agent is not connected (check the agent on the host)`, {
        reason: 'environment_offline',
      });
    }
    const opened = conn.openStream(request);
    if ('error' in opened) throw new AppError('environment_offline', `environment ${environmentId}: cannot open a stream (${opened.error}); retry shortly`, { reason: 'tunnel_busy' });
    return opened.stream;
  }

  /** The live view of an environment's connection. */
  live(environmentId: number): LiveStatus {
    const conn = this.#byEnv.get(environmentId);
    if (!conn || !conn.live || !conn.hello) {
      return { connected: false, agentId: null, lastFrameAt: null, connectedAt: null, agentVersion: null, engineVersion: null, protocolVersion: null, mtls: false };
    }
    return {
      connected: true,
      agentId: conn.agentId,
      lastFrameAt: new Date(conn.lastFrameAt).toISOString(),
      connectedAt: new Date(conn.connectedAt).toISOString(),
      agentVersion: conn.hello.agentVersion,
      engineVersion: conn.hello.engine?.version ?? null,
      protocolVersion: conn.hello.protocolVersion,
      mtls: conn.mtls,
    };
  }

  /** Number of authenticated connections. */
  get size(): number {
    return this.#byAgent.size;
  }

  /** Waits for pending status writes (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#writes.size > 0) await Promise.all([...this.#writes.values()]);
  }

  /** Closes every connection (going_away) and stops accepting new ones. */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweeper);
    clearTimeout(this.#startupCheck);
    for (const conn of [...this.#all]) conn.fail('going_away', 'the server is shutting down');
    await this.settled();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
