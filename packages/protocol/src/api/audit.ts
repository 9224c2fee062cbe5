import { z } from 'zod';
import { IdSchema, PageQueryShape, TimestampSchema, pageOf } from './common.ts';

export const AuditOutcomeSchema = z.enum(['success', 'failure', 'denied']);

export const AuditRecordSchema = z.object({
  id: z.string(),
  at: TimestampSchema,
  actorId: z.number().int().nullable(),
  actorName: z.string().nullable(),
  authMethod: z.enum(['session', 'api_key', 'none']),
  sourceIp: z.string(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  outcome: AuditOutcomeSchema,
  statusCode: z.number().int(),
  requestId: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

export const AuditQuerySchema = z
  .strictObject({
    ...PageQueryShape,
    userId: IdSchema.optional(),
    username: z.string().max(64).optional(),
    /** Exact action, or a prefix ending in `*` (`users.*`). */
    action: z.string().max(100).optional(),
    targetType: z.string().max(64).optional(),
    targetId: z.string().max(64).optional(),
    outcome: AuditOutcomeSchema.optional(),
    requestId: z.string().max(100).optional(),
    from: TimestampSchema.optional(),
    to: TimestampSchema.optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

export const AuditPageSchema = pageOf(AuditRecordSchema);
export type AuditPage = z.infer<typeof AuditPageSchema>;
