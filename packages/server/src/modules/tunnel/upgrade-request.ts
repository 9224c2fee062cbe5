// What every HTTP-upgrade endpoint (Docker hijacks, live WebSockets) does outside Fastify's request
// pipeline: make its request context, authenticate the caller, and refuse with Problem JSON written
// straight onto the raw socket.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { Principal, RequestContext } from '../../http/context.ts';
import { toProblem } from '../../http/problem.ts';

/** What an upgrade endpoint authenticates with (the server's own request authentication). */
export interface UpgradeAuthenticator {
  /** The caller named by the request's credentials (session cookie, bearer token, API key); null when none is valid. */
  authenticate(req: Pick<FastifyRequest, 'headers'>): Promise<Principal | null>;
}

/** The upgrade request's URL and its path without the query (the Problem `instance`). */
export function upgradeUrl(req: IncomingMessage): { url: string; instance: string } {
  const url = req.url ?? '/';
  return { url, instance: url.split('?')[0] ?? url };
}

/** A fresh request context for an upgrade request: nobody authenticated or audited yet; success is 101. */
export function upgradeContext(req: IncomingMessage, requestId: string): RequestContext {
  return {
    requestId,
    sourceIp: req.socket.remoteAddress ?? '',
    userAgent: String(req.headers['user-agent'] ?? ''),
    principal: null,
    permission: null,
    audit: null,
    successStatus: 101,
    audited: false,
  };
}

/**
 * Authenticates the upgrade request and records the caller in `ctx.principal`; AppError
 * unauthenticated with `howToSignIn` as its message when the request carries no valid credentials.
 */
export async function authenticateUpgrade(auth: UpgradeAuthenticator, req: IncomingMessage, ctx: RequestContext, howToSignIn: string): Promise<Principal> {
  ctx.principal = await auth.authenticate({ headers: req.headers });
  if (!ctx.principal) throw new AppError('unauthenticated', howToSignIn);
  return ctx.principal;
}

/** Refuses an upgrade: `err` as a plain HTTP Problem JSON answer on the raw socket, which is then closed; answers the status sent. */
export function writeUpgradeProblem(socket: Duplex, err: unknown, requestId: string, instance: string): number {
  const problem = toProblem(err, requestId, instance);
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
  return problem.status;
}
