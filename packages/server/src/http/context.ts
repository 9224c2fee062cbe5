import type { Permission } from '@capstan/protocol';

/** Who is calling, once authenticated. */
export interface Principal {
  userId: number;
  username: string;
  isAdmin: boolean;
  authMethod: 'session' | 'api_key';
  sessionId: string | null;
  apiKeyId: number | null;
  /** Read-only API keys may hold no mutating permission. */
  readOnly: boolean;
}

/** What a mutation will be recorded as; services fill in the target as they learn it. */
export interface AuditDraft {
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
  /** Actor when the caller is not yet a principal (login, setup). */
  actorOverride?: { id: number | null; name: string | null };
}

/** Per-request facts every service call receives; never read from globals. */
export interface RequestContext {
  requestId: string;
  sourceIp: string;
  userAgent: string;
  principal: Principal | null;
  permission: Permission | null;
  audit: AuditDraft | null;
  /** HTTP status the route answers on success, recorded with the audit entry. */
  successStatus: number;
  /** Set once the audit record for this request is durable (or queued with its transaction). */
  audited: boolean;
}

/** The principal, or an error when the route forgot to require authentication. */
export function requirePrincipal(ctx: RequestContext): Principal {
  if (!ctx.principal) throw new Error('route reached a service without an authenticated principal');
  return ctx.principal;
}

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext;
  }
  interface FastifyContextConfig {
    beforeSetup?: boolean;
    auditAction?: string | undefined;
    auditTarget?: string | undefined;
  }
}
