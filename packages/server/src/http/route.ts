import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PERMISSIONS, type Permission } from '@capstan/protocol';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { AuditDraft, Principal, RequestContext } from './context.ts';
import { zodIssues } from './problem.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  ctx: RequestContext;
  reply: FastifyReply;
}

/**
 * One API operation: its contract (zod schemas, also the OpenAPI source), the permission it
 * needs, its audit action, and a handler that parses nothing and authorizes nothing itself.
 */
export interface RouteSpec<
  PS extends z.core.$ZodType = z.core.$ZodType,
  QS extends z.core.$ZodType = z.core.$ZodType,
  BS extends z.core.$ZodType = z.core.$ZodType,
  RS extends z.core.$ZodType = z.core.$ZodType,
> {
  method: HttpMethod;
  url: string;
  summary: string;
  tag: string;
  /** `public`: no credentials at all. Otherwise the permission the caller must hold. */
  access: 'public' | Permission;
  /** For environment-scoped permissions: which environment the call touches. */
  environmentId?: (input: { params: z.output<PS>; query: z.output<QS>; body: z.output<BS> }) => number;
  /** Audit action; required on mutating methods. */
  audit?: string;
  /** Answers before first-run setup (health, setup). */
  beforeSetup?: boolean;
  /** Largest body this route reads, when not the server-wide limit (agent polls carry snapshots). */
  bodyLimit?: number;
  params?: PS;
  query?: QS;
  body?: BS;
  /** Omitted: the route answers 204 with no body. */
  response?: RS;
  status?: number;
  handler(input: RouteInput<z.output<PS>, z.output<QS>, z.output<BS>>): Promise<z.input<RS>>;
}

/** Declares a route; the identity function that gives handlers their types. */
export function defineRoute<
  PS extends z.core.$ZodType = z.ZodUndefined,
  QS extends z.core.$ZodType = z.ZodUndefined,
  BS extends z.core.$ZodType = z.ZodUndefined,
  RS extends z.core.$ZodType = z.ZodVoid,
>(spec: RouteSpec<PS, QS, BS, RS>): RouteSpec<PS, QS, BS, RS> {
  return spec;
}

/** What the route layer needs from identity and access control. */
export interface Guard {
  authenticate(req: FastifyRequest): Promise<Principal | null>;
  authorize(principal: Principal, permission: Permission, environmentId: number | null): Promise<void>;
}

/** Path of the first string holding U+0000 (PostgreSQL text cannot store it), or null. */
function findNul(value: unknown, path: string[] = [], depth = 0): string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth > 64 || value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return [...path, k];
    const found = findNul(v, [...path, k], depth + 1);
    if (found) return found;
  }
  return null;
}

function parse<S extends z.core.$ZodType>(
  schema: S | undefined,
  value: unknown,
  location: 'params' | 'query' | 'body',
): z.output<S> | undefined {
  if (!schema) return undefined;
  const input = location === 'body' && value === undefined ? {} : value;
  const nul = findNul(input);
  if (nul) {
    const path = nul.join('.') || '(root)';
    throw new AppError('validation_failed', `${location}.${path}: must not contain NUL (\\u0000) characters`, {
      issues: [{ location, path, message: 'must not contain NUL (\\u0000) characters' }],
    });
  }
  const result = z.safeParse(schema, input);
  if (!result.success) {
    const issues = zodIssues(location, result.error);
    const first = issues[0];
    const summary = first ? `${location}${first.path === '(root)' ? '' : `.${first.path}`}: ${first.message}` : location;
    throw new AppError(
      'validation_failed',
      `${summary}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
      { issues },
    );
  }
  return result.data;
}

const MUTATING = new Set<HttpMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);

/** True for methods that change state and therefore need an audit record. */
export function isMutating(method: string): boolean {
  return MUTATING.has(method as HttpMethod);
}

/** The audit draft a mutating route starts with, set before anything can fail. */
export function initialAuditDraft(req: FastifyRequest): AuditDraft | null {
  const { auditAction, auditTarget } = req.routeOptions.config ?? {};
  if (!auditAction) return null;
  const id = (req.params as Record<string, unknown> | undefined)?.id;
  return { action: auditAction, targetType: auditTarget ?? null, targetId: typeof id === 'string' ? id.slice(0, 64) : null, details: {} };
}

/** Registers route specs on Fastify: authenticate → validate → authorize → handle → present. */
export function registerRoutes(app: FastifyInstance, guard: Guard, routes: readonly RouteSpec[]): void {
  for (const spec of routes) {
    if (isMutating(spec.method) && !spec.audit) throw new Error(`${spec.method} ${spec.url} must declare an audit action`);
    if (spec.access !== 'public' && PERMISSIONS[spec.access].scope === 'environment' && !spec.environmentId && spec.method !== 'GET') {
      throw new Error(`${spec.method} ${spec.url} needs environmentId for ${spec.access}`);
    }
    app.route({
      method: spec.method,
      url: spec.url,
      config: { beforeSetup: spec.beforeSetup === true, auditAction: spec.audit, auditTarget: spec.tag },
      ...(spec.bodyLimit !== undefined ? { bodyLimit: spec.bodyLimit } : {}),
      handler: async (req, reply) => {
        const ctx = req.ctx;
        ctx.successStatus = spec.status ?? (spec.response ? 200 : 204);
        if (spec.access !== 'public') {
          ctx.principal = await guard.authenticate(req);
          if (!ctx.principal) {
            throw new AppError('unauthenticated', 'sign in first: send "Authorization: Bearer <token>" or an "X-API-Key" header');
          }
          ctx.permission = spec.access;
        }
        const params = parse(spec.params, req.params, 'params');
        const query = parse(spec.query, req.query, 'query');
        const body = parse(spec.body, req.body, 'body');
        if (ctx.principal && spec.access !== 'public') {
          const envId = spec.environmentId ? spec.environmentId({ params, query, body }) : null;
          await guard.authorize(ctx.principal, spec.access, envId);
        }
        const result = await spec.handler({ params, query, body, ctx, reply });
        reply.code(ctx.successStatus);
        return spec.response ? result : reply.send();
      },
    });
  }
}
