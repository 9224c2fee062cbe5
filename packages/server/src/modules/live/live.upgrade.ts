// WebSocket endpoints for people: /api/environments/:id/containers/:containerId/{logs,console,stats}/ws.
// Everything that can refuse (handshake, origin, authentication, input, authorization, the engine's
// answer) happens before the upgrade is accepted, so refusals are plain HTTP with Problem JSON.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  ConsoleQuerySchema,
  LiveParamsSchema,
  LogsQuerySchema,
  StatsQuerySchema,
  type FieldIssue,
  type LiveFeature,
  type Permission,
} from '@capstan/protocol';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { WebSocketServer } from 'ws';
import type { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { Principal, RequestContext } from '../../http/context.ts';
import { toProblem, zodIssues } from '../../http/problem.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { TunnelRegistry } from '../tunnel/tunnel.registry.ts';
import { authenticateUpgrade, upgradeContext, upgradeUrl, writeUpgradeProblem } from '../tunnel/upgrade-request.ts';
import { prepareConsole } from './live-console.ts';
import { prepareLogs } from './live-logs.ts';
import { prepareStats } from './live-stats.ts';
import type { FeatureDeps, LiveSession, LiveTarget } from './live.types.ts';

export interface LiveDeps {
  tunnel: TunnelRegistry;
  access: AccessService;
  audit: AuditService;
  authenticate(req: Pick<FastifyRequest, 'headers'>): Promise<Principal | null>;
  log: FastifyBaseLogger;
}

/** Largest browser → server message (console stdin, resize). */
const MAX_CLIENT_MESSAGE = 64 * 1024;

const LIVE_URL = /^\/api\/environments\/([^/?]*)\/containers\/([^/?]*)\/(logs|console|stats)\/ws(?:\?([^]*))?$/;

/** What a live URL names; the parts are raw (validated later, so bad ones answer 400, not 404). */
export interface LiveUrl {
  feature: LiveFeature;
  id: string;
  containerId: string;
  query: Record<string, string | string[]>;
}

/** Splits a live endpoint URL; null when the URL is not one. */
export function parseLiveUrl(url: string): LiveUrl | null {
  const m = LIVE_URL.exec(url);
  if (!m) return null;
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(m[4] ?? '')) {
    const prev = query[k];
    query[k] = prev === undefined ? v : [prev, v].flat();
  }
  let id: string;
  let containerId: string;
  try {
    id = decodeURIComponent(m[1] ?? '');
    containerId = decodeURIComponent(m[2] ?? '');
  } catch {
    return null;
  }
  return { feature: m[3] as LiveFeature, id, containerId, query };
}

/**
 * Cross-site WebSocket hijacking guard: browsers always send Origin and cannot forge it, and a
 * WebSocket carries the session cookie whatever page opened it. An Origin must name this host.
 * Non-browser clients (no Origin) authenticate with headers a foreign page cannot set.
 */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!host) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  return parsed.host.toLowerCase() === new URL(`${parsed.protocol}//${host}`).host.toLowerCase();
}

const WS_KEY = /^[+/0-9A-Za-z]{22}==$/;

function checkHandshake(req: IncomingMessage): void {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  const key = req.headers['sec-websocket-key'];
  const version = req.headers['sec-websocket-version'];
  if (req.method !== 'GET' || upgrade !== 'websocket' || typeof key !== 'string' || !WS_KEY.test(key) || (version !== '13' && version !== '8')) {
    throw new AppError('validation_failed', 'this endpoint is a WebSocket: send GET with Upgrade: websocket, Sec-WebSocket-Key and Sec-WebSocket-Version: 13', {
      issues: [{ location: 'headers', path: 'upgrade', message: 'must be a WebSocket handshake' }],
    });
  }
}

function parseInput<S extends z.ZodType>(schema: S, value: unknown, location: 'params' | 'query'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: FieldIssue[] = zodIssues(location, result.error);
  const first = issues[0];
  const summary = first ? `${location}${first.path === '(root)' ? '' : `.${first.path}`}: ${first.message}` : location;
  throw new AppError('validation_failed', `${summary}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`, { issues });
}

const PERMISSION: Record<LiveFeature, Permission> = { logs: 'containers.logs', console: 'containers.exec', stats: 'docker.read' };

/** The live endpoints: a matcher and the upgrade handler for app.ts's `handleUpgrade`. */
export interface LiveEndpoints {
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, socket: Duplex, head: Buffer, requestId: string): Promise<void>;
}

/** Builds the live endpoints on the tunnel, access control and audit log. */
export function createLiveEndpoints(deps: LiveDeps): LiveEndpoints {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE, perMessageDeflate: false });
  const features: FeatureDeps = { tunnel: deps.tunnel, audit: deps.audit, log: deps.log };

  async function prepare(target: LiveUrl, ctx: RequestContext, principal: Principal): Promise<LiveSession> {
    const params = parseInput(LiveParamsSchema, { id: target.id, containerId: target.containerId }, 'params');
    const live: LiveTarget = { environmentId: params.id, containerId: params.containerId };
    const permission = PERMISSION[target.feature];
    ctx.permission = permission;
    switch (target.feature) {
      case 'logs': {
        const query = parseInput(LogsQuerySchema, target.query, 'query');
        await deps.access.authorize(principal, permission, live.environmentId);
        return prepareLogs(features, live, query);
      }
      case 'stats': {
        parseInput(StatsQuerySchema, target.query, 'query');
        await deps.access.authorize(principal, permission, live.environmentId);
        return prepareStats(features, live);
      }
      case 'console': {
        const query = parseInput(ConsoleQuerySchema, target.query, 'query');
        if (ctx.audit) Object.assign(ctx.audit.details, { cmd: query.cmd, user: query.user ?? null });
        await deps.access.authorize(principal, permission, live.environmentId);
        return prepareConsole(features, live, query, ctx);
      }
    }
  }

  return {
    matches: (req) => LIVE_URL.test(req.url ?? ''),
    handle: async (req, socket, head, requestId) => {
      const { url, instance } = upgradeUrl(req);
      const target = parseLiveUrl(url);
      const ctx = upgradeContext(req, requestId);
      let gone = false;
      socket.on('error', () => undefined);
      socket.once('close', () => (gone = true));
      let session: LiveSession;
      try {
        if (!target) throw new AppError('route_not_found', `no route ${req.method ?? 'GET'} ${instance}`);
        if (target.feature === 'console') {
          // Opening a console changes what runs in the container: recorded whatever the outcome.
          ctx.audit = { action: 'containers.console', targetType: 'environment', targetId: target.id.slice(0, 64), details: { containerId: target.containerId.slice(0, 128) } };
        }
        checkHandshake(req);
        const origin = req.headers.origin;
        if (!sameOrigin(origin, req.headers.host)) {
          throw new AppError('forbidden', `cross-origin WebSocket refused: Origin ${String(origin).slice(0, 200)} is not this server (${String(req.headers.host)}); open the page from the server's own address`);
        }
        const principal = await authenticateUpgrade(deps, req, ctx, 'sign in first: the session cookie, "Authorization: Bearer <token>" or an "X-API-Key" header');
        session = await prepare(target, ctx, principal);
      } catch (err) {
        const status = writeUpgradeProblem(socket, err, requestId, instance);
        if (ctx.audit) await deps.audit.recordOutcome(ctx, status).catch((e: unknown) => deps.log.error({ err: e }, 'could not write audit record'));
        if (toProblem(err, requestId, instance).code === 'internal_error') deps.log.error({ err }, 'live endpoint failed');
        return;
      }
      if (gone || socket.destroyed) {
        session.abort();
        return;
      }
      let attached = false;
      wss.handleUpgrade(req, socket, head, (ws) => {
        attached = true;
        session.attach(ws);
      });
      // ws refuses late (socket no longer writable) without calling back.
      if (!attached) session.abort();
    },
  };
}
