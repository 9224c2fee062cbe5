// Docker Engine API through the tunnel: plain calls as `docker-http` streams (Fastify routes) and
// hijacked calls (attach, exec start: `Upgrade: tcp`) as `docker-hijack` streams (HTTP upgrade).
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { HttpHeaders, HttpResponseHead, Permission } from '@capstan/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { Principal, RequestContext } from '../../http/context.ts';
import { toProblem } from '../../http/problem.ts';
import { isMutating } from '../../http/route.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { dockerPermission } from '../docker-proxy/docker-proxy.policy.ts';
import { awaitHead, awaitHeadOrCancel } from './stream-head.ts';
import type { TunnelStream } from './tunnel-stream.ts';
import type { TunnelRegistry } from './tunnel.registry.ts';
import { authenticateUpgrade, upgradeContext, upgradeUrl, writeUpgradeProblem } from './upgrade-request.ts';

/** `/api/environments/7/docker/v1.41/containers/json?all=1` → environment 7, `/v1.41/containers/json?all=1`. */
const DOCKER_URL = /^\/api\/(?:environments|endpoints)\/(\d{1,15})\/docker(\/[^]*)?$/;

export function parseDockerUrl(url: string): { environmentId: number; path: string } | null {
  const m = DOCKER_URL.exec(url);
  if (!m) return null;
  const rest = m[2] ?? '/';
  return { environmentId: Number(m[1]), path: rest.startsWith('/?') || rest === '' ? `/${rest.slice(1)}` : rest };
}

// Never forwarded: hop-by-hop headers, and the caller's Capstan credentials.
const DROP_REQUEST = new Set([
  'authorization',
  'x-api-key',
  'cookie',
  'connection',
  'upgrade',
  'keep-alive',
  'transfer-encoding',
  'host',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'x-request-id',
]);
const DROP_RESPONSE = new Set(['connection', 'upgrade', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'te', 'trailer']);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;

/** Request headers as sent to the agent: hop-by-hop, credential and malformed headers dropped. */
export function forwardRequestHeaders(headers: IncomingHttpHeaders): HttpHeaders {
  const out: HttpHeaders = {};
  let count = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROP_REQUEST.has(name) || !HEADER_NAME.test(name) || count >= 120) continue;
    const values = (Array.isArray(value) ? value : [value]).filter((v) => HEADER_VALUE.test(v) && v.length <= 65536).slice(0, 64);
    if (values.length === 0) continue;
    out[name] = values.length === 1 ? (values[0] as string) : values;
    count++;
  }
  return out;
}

/** Response headers for the client: hop-by-hop headers dropped. */
export function forwardResponseHeaders(headers: HttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!DROP_RESPONSE.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

export interface PassthroughDeps {
  tunnel: TunnelRegistry;
  access: AccessService;
  audit: AuditService;
  authenticate(req: Pick<FastifyRequest, 'headers'>): Promise<Principal | null>;
}

const HOW_TO_SIGN_IN = 'sign in first: send "Authorization: Bearer <token>" or an "X-API-Key" header';

/** Copies a readable into the stream, pausing while the tunnel stream's queue is full. */
function pumpInto(source: Readable, stream: TunnelStream): void {
  source.on('data', (chunk: Buffer) => {
    if (!stream.write(chunk)) {
      source.pause();
      stream.once('drain', () => source.resume());
    }
  });
  source.once('end', () => stream.end());
  source.once('error', () => stream.reset('cancelled', 'the client request failed'));
  stream.once('close', () => source.resume());
}

/**
 * Registers `/api/environments/:id/docker/*` and `/api/endpoints/:id/docker/*` for every method
 * (outside defineRoute, which has no wildcards: these are not in app.routes).
 */
export function registerDockerRoutes(fastify: FastifyInstance, deps: PassthroughDeps): void {
  void fastify.register((scope, _opts, registered) => {
    // Bodies go to the engine untouched, streamed: no parsing, no JSON-only rule, no body limit.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      const ctx = req.ctx;
      const target = parseDockerUrl(req.url);
      if (!target) throw new AppError('route_not_found', `no route ${req.method} ${req.url.split('?')[0]}`);
      const method = req.method.toUpperCase();
      if (isMutating(method)) {
        ctx.audit = {
          action: `docker.${method.toLowerCase()}`,
          targetType: 'environment',
          targetId: String(target.environmentId),
          details: { method, path: target.path.slice(0, 2048) },
        };
      }
      ctx.principal = await deps.authenticate(req);
      if (!ctx.principal) throw new AppError('unauthenticated', HOW_TO_SIGN_IN);
      const permission: Permission = dockerPermission(method, target.path);
      ctx.permission = permission;
      await deps.access.authorize(ctx.principal, permission, target.environmentId);
      const stream = deps.tunnel.openStream(target.environmentId, {
        kind: 'docker-http',
        header: { method, path: target.path, headers: forwardRequestHeaders(req.headers) },
      });
      const body = req.body as Readable | undefined;
      if (body && typeof body.on === 'function') pumpInto(body, stream);
      else stream.end();
      // The client going away cancels the call on the agent.
      reply.raw.once('close', () => {
        if (!stream.closed) stream.reset('cancelled', 'the client went away');
      });
      const head = await awaitHeadOrCancel(stream, target.environmentId);
      await relayResponse(reply, stream, head, method, ctx, deps.audit);
    };
    for (const prefix of ['environments', 'endpoints']) {
      for (const url of [`/api/${prefix}/:id/docker`, `/api/${prefix}/:id/docker/*`]) {
        scope.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'], url, exposeHeadRoute: false, handler });
      }
    }
    registered();
  });
}

/** Writes the agent's response to the client, returning credit as the client's socket takes bytes. */
async function relayResponse(reply: FastifyReply, stream: TunnelStream, head: HttpResponseHead, method: string, ctx: RequestContext, audit: AuditService): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  if (isMutating(method)) {
    await audit.recordOutcome(ctx, head.status).catch((err: unknown) => reply.log.error({ err }, 'could not write audit record'));
  }
  res.writeHead(head.status, { ...forwardResponseHeaders(head.headers), 'x-request-id': ctx.requestId });
  // Send the head now: long polls such as `wait?condition=next-exit` answer their head at once and
  // the docker CLI waits for it before starting the container.
  res.flushHeaders();
  await new Promise<void>((resolve) => {
    stream.on('data', (payload) => {
      const n = payload.length;
      res.write(payload, () => stream.consumed(n));
    });
    stream.once('end', () => {
      res.end();
      resolve();
    });
    stream.once('reset', () => {
      res.destroy();
      resolve();
    });
    stream.once('close', () => resolve());
    res.once('close', () => {
      if (!stream.closed) stream.reset('cancelled', 'the client went away');
      resolve();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Hijacked calls (HTTP upgrade)
// ---------------------------------------------------------------------------------------------

/** True when the upgrade request is a Docker hijack through the tunnel. */
export function isDockerUpgrade(req: IncomingMessage): boolean {
  return DOCKER_URL.test(req.url ?? '');
}

/** Serves a hijacked Docker call (attach / exec start) arriving as an HTTP upgrade. */
export async function handleDockerUpgrade(deps: PassthroughDeps, req: IncomingMessage, socket: Duplex, head: Buffer, requestId: string): Promise<void> {
  const { url, instance } = upgradeUrl(req);
  const target = parseDockerUrl(url);
  const method = (req.method ?? 'GET').toUpperCase();
  const ctx = upgradeContext(req, requestId);
  socket.on('error', () => undefined);
  let stream: TunnelStream;
  try {
    if (!target) throw new AppError('route_not_found', `no route ${method} ${instance}`);
    ctx.audit = isMutating(method)
      ? { action: `docker.${method.toLowerCase()}`, targetType: 'environment', targetId: String(target.environmentId), details: { method, path: target.path.slice(0, 2048), hijack: true } }
      : null;
    const principal = await authenticateUpgrade(deps, req, ctx, HOW_TO_SIGN_IN);
    ctx.permission = dockerPermission(method, target.path);
    await deps.access.authorize(principal, ctx.permission, target.environmentId);
    const headers = forwardRequestHeaders(req.headers);
    stream = deps.tunnel.openStream(target.environmentId, { kind: 'docker-hijack', header: { method, path: target.path, headers } });
  } catch (err) {
    const status = toProblem(err, requestId, instance).status;
    if (ctx.audit) await deps.audit.recordOutcome(ctx, status).catch(() => undefined);
    writeUpgradeProblem(socket, err, requestId, instance);
    return;
  }
  // Client → agent starts at once, before the ack: the request body (exec start's JSON) may arrive
  // after the head, and the engine answers 101 only once it has it. Pausing while the queue is full.
  if (head.length > 0) stream.write(head);
  socket.on('data', (chunk: Buffer) => {
    if (!stream.write(chunk)) {
      socket.pause();
      stream.once('drain', () => socket.resume());
    }
  });
  socket.once('end', () => stream.end());
  socket.once('close', () => {
    if (!stream.closed) stream.reset('cancelled', 'the client went away');
  });
  let ack: HttpResponseHead;
  try {
    ack = await awaitHead(stream, target.environmentId);
  } catch (err) {
    if (ctx.audit) await deps.audit.recordOutcome(ctx, 409).catch(() => undefined);
    writeUpgradeProblem(socket, err, requestId, instance);
    return;
  }
  if (ctx.audit) await deps.audit.recordOutcome(ctx, ack.status).catch(() => undefined);
  if (ack.status === 101) {
    const contentType = ack.headers['content-type'] ?? ack.headers['Content-Type'] ?? 'application/vnd.docker.raw-stream';
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${String(contentType)}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  } else {
    // The engine answered without upgrading (no such exec, conflict…): relay it as plain HTTP.
    const lines = Object.entries(forwardResponseHeaders(ack.headers)).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}: ${String(x)}\r\n`));
    socket.write(`HTTP/1.1 ${ack.status} Engine\r\n${lines.join('')}Connection: close\r\n\r\n`);
  }
  // Agent → client, returning credit once the socket took the bytes.
  stream.on('data', (payload) => {
    const n = payload.length;
    socket.write(payload, () => stream.consumed(n));
  });
  stream.once('end', () => socket.end());
  stream.once('reset', () => socket.destroy());
  stream.once('close', () => {
    if (!socket.writableEnded) socket.end();
  });
}
