// The Fastify instance and what every request passes through before and after its route: request
// ids and context, JSON-only bodies, the setup gate, the audit record of mutations that did not
// commit, metrics, and Problem JSON for errors and unmatched routes.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerFactory } from 'fastify';
import { AppError } from '../errors.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { AuditService } from '../modules/audit/audit.service.ts';
import type { SetupService } from '../modules/setup/setup.service.ts';
import { isUiRequest } from '../modules/web/web.policy.ts';
import type { WebUi } from '../modules/web/web.static.ts';
import type { RequestContext } from './context.ts';
import { toProblem } from './problem.ts';
import { initialAuditDraft, isMutating } from './route.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** The largest JSON body (and Git webhook delivery) accepted, in bytes. */
export const BODY_LIMIT = 1024 * 1024;

/** The client's x-request-id when it is a well-formed id, else a new random one. */
export function requestIdOf(given: string | string[] | undefined): string {
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

function newContext(requestId: string, ip: string, userAgent: string | undefined): RequestContext {
  return {
    requestId,
    sourceIp: ip,
    userAgent: userAgent ?? '',
    principal: null,
    permission: null,
    audit: null,
    successStatus: 200,
    audited: false,
  };
}

/** A Fastify instance with the server's request ids, router limits, request context and JSON body parsing. */
export function createFastify(opts: { logLevel: string; serverFactory?: FastifyServerFactory }): FastifyInstance {
  const fastify = Fastify({
    logger: { level: opts.logLevel },
    bodyLimit: BODY_LIMIT,
    genReqId: (req) => requestIdOf(req.headers['x-request-id']),
    // Long ids reach the schemas (and a 400 with an audit record) instead of the router's 414.
    routerOptions: { maxParamLength: 1024 },
    // Errors the router raises before any hook (malformed percent-escapes) still answer Problem JSON.
    frameworkErrors: (err, req, reply) => {
      const problem = toProblem(new AppError('route_not_found', `the URL is malformed (${err.message}): check its percent-escapes`), req.id, '');
      void (reply as FastifyReply).code(problem.status).header('x-request-id', req.id).type('application/problem+json').send(problem);
    },
    // `https: true` only labels the listen log; the factory's HTTPS server does the work.
    ...(opts.serverFactory ? { serverFactory: opts.serverFactory, https: true } : {}),
  });
  fastify.decorateRequest('ctx', null as unknown as RequestContext);

  // JSON only: other bodies get 415 rather than being handed to the schemas as text.
  fastify.removeContentTypeParser('text/plain');
  // An empty JSON body means "no body": DELETE and logout clients often send the header anyway.
  const jsonParser = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    void jsonParser(req, body as string, done);
  });
  return fastify;
}

/** What the hooks consult: the setup gate, the audit log, request metrics and the web UI. */
export interface HookDeps {
  setup: SetupService;
  audit: AuditService;
  metrics: Metrics;
  web: WebUi;
}

/** Adds the request hooks, the error mapping and the not-found handler (the web UI outside /api). */
export function registerHooks(fastify: FastifyInstance, deps: HookDeps): void {
  const { setup, audit, metrics, web } = deps;
  fastify.addHook('onRequest', async (req, reply) => {
    req.ctx = newContext(req.id, req.ip, req.headers['user-agent']);
    req.ctx.audit = initialAuditDraft(req);
    reply.header('x-request-id', req.id);
    // The web UI answers before setup too: it is where the administrator is created.
    if (!req.routeOptions.config?.beforeSetup && !isUiRequest(req.method, req.url) && (await setup.required())) {
      throw new AppError('setup_required', 'Capstan is not set up yet: create the administrator with POST /api/setup/admin');
    }
  });

  // Before the answer leaves: a mutating call that did not commit through transact() is recorded now.
  fastify.addHook('onSend', async (req, reply, payload) => {
    if (req.ctx && isMutating(req.method) && !req.ctx.audited && req.ctx.audit) {
      try {
        await audit.recordOutcome(req.ctx, reply.statusCode);
      } catch (err) {
        req.log.error({ err }, 'could not write audit record');
      }
    }
    return payload;
  });

  fastify.addHook('onResponse', async (req, reply) => {
    metrics.observeRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  fastify.setErrorHandler(async (err, req, reply) => {
    const problem = toProblem(err, req.id, req.url.split('?')[0] ?? req.url);
    if (problem.code === 'internal_error') req.log.error({ err }, 'request failed');
    if (problem.retryAfterSeconds !== undefined) reply.header('retry-after', String(problem.retryAfterSeconds));
    return reply.code(problem.status).type('application/problem+json').send(problem);
  });

  // GET/HEAD outside the API that no route matched is the web UI (its shell, assets and client-side routes).
  fastify.setNotFoundHandler(async (req, reply) => {
    if (isUiRequest(req.method, req.url)) return web.serve(req, reply);
    const err = new AppError('route_not_found', `no route ${req.method} ${req.url.split('?')[0]}: see GET /api/openapi.json for the API`);
    return reply.code(404).type('application/problem+json').send(toProblem(err, req.id, req.url.split('?')[0] ?? ''));
  });
}
