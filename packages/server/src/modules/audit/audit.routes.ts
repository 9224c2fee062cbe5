import { AuditPageSchema, AuditQuerySchema } from '@capstan/protocol';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { AuditService } from './audit.service.ts';

/** GET /api/audit: filter by user, action, target, outcome and time, newest first. */
export function auditRoutes(audit: AuditService): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/audit',
      summary: 'Search the audit log',
      tag: 'audit',
      access: 'audit.read',
      query: AuditQuerySchema,
      response: AuditPageSchema,
      handler: ({ query }) => audit.list(query),
    }),
  ] as RouteSpec[];
}
