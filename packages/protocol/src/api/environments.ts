import { z } from 'zod';
import { IdSchema, NameSchema, PageQueryShape, TimestampSchema, pageOf } from './common.ts';
import { EnvironmentContainerCountsSchema } from '../snapshot/api.ts';
import { POLL_INTERVAL_SECONDS } from '../poll/modes.ts';

const pollIntervalSeconds = z.number().int().min(POLL_INTERVAL_SECONDS.min).max(POLL_INTERVAL_SECONDS.max);

export const EnvironmentModeSchema = z.enum(['standard', 'async']);
export const EnvironmentStatusSchema = z.enum(['pending', 'up', 'down']);

export const TagSchema = z.object({ id: IdSchema, name: z.string() });
export type Tag = z.infer<typeof TagSchema>;

export const EnvironmentSchema = z.object({
  id: IdSchema,
  name: z.string(),
  groupId: IdSchema.nullable(),
  tags: z.array(TagSchema),
  mode: EnvironmentModeSchema,
  /** `pending` until an agent has joined. */
  status: EnvironmentStatusSchema,
  /** When the agent was last heard from (null until it first connects). */
  lastSeenAt: TimestampSchema.nullable(),
  agentVersion: z.string().nullable(),
  engineVersion: z.string().nullable(),
  /** Container counts from the agent's latest snapshot; null until it has sent one. */
  containers: EnvironmentContainerCountsSchema.nullable(),
  /** When the engine state shown was taken (the latest snapshot): "state as of" for async hosts. */
  stateAsOf: TimestampSchema.nullable(),
  /** Async mode: seconds between the agent's polls (jittered by ±10 %). */
  pollIntervalSeconds: z.number().int(),
  /** Async mode: the last poll, and by when the next one is due (null before the first poll). */
  lastPollAt: TimestampSchema.nullable(),
  nextPollAt: TimestampSchema.nullable(),
  /** Commands not finished yet (queued, sent or accepted), in either mode. */
  queueLength: z.number().int(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Environment = z.infer<typeof EnvironmentSchema>;

export const CreateEnvironmentSchema = z.strictObject({
  name: NameSchema,
  groupId: IdSchema.nullable().default(null),
  tagIds: z.array(IdSchema).max(100).default([]),
  mode: EnvironmentModeSchema.default('standard'),
  pollIntervalSeconds: pollIntervalSeconds.default(POLL_INTERVAL_SECONDS.default),
});
export type CreateEnvironment = z.infer<typeof CreateEnvironmentSchema>;

export const UpdateEnvironmentSchema = z
  .strictObject({
    name: NameSchema.optional(),
    groupId: IdSchema.nullable().optional(),
    tagIds: z.array(IdSchema).max(100).optional(),
    mode: EnvironmentModeSchema.optional(),
    pollIntervalSeconds: pollIntervalSeconds.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'give at least one of name, groupId, tagIds, mode, pollIntervalSeconds');
export type UpdateEnvironment = z.infer<typeof UpdateEnvironmentSchema>;

export const EnvironmentListQuerySchema = z.strictObject({
  ...PageQueryShape,
  search: z.string().max(100).optional(),
  groupId: IdSchema.optional(),
  tagId: IdSchema.optional(),
});
export type EnvironmentListQuery = z.infer<typeof EnvironmentListQuerySchema>;

export const EnvironmentPageSchema = pageOf(EnvironmentSchema);
export type EnvironmentPage = z.infer<typeof EnvironmentPageSchema>;

export const EnvironmentGroupSchema = z.object({
  id: IdSchema,
  name: z.string(),
  description: z.string(),
  environmentCount: z.number().int(),
  createdAt: TimestampSchema,
});
export type EnvironmentGroup = z.infer<typeof EnvironmentGroupSchema>;

export const CreateEnvironmentGroupSchema = z.strictObject({
  name: NameSchema,
  description: z.string().max(1000).default(''),
});
export type CreateEnvironmentGroup = z.infer<typeof CreateEnvironmentGroupSchema>;

export const UpdateEnvironmentGroupSchema = z
  .strictObject({ name: NameSchema.optional(), description: z.string().max(1000).optional() })
  .refine((v) => Object.keys(v).length > 0, 'give at least one of name, description');
export type UpdateEnvironmentGroup = z.infer<typeof UpdateEnvironmentGroupSchema>;

export const EnvironmentGroupListSchema = z.object({ items: z.array(EnvironmentGroupSchema) });

export const CreateTagSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters')
    .regex(/^[A-Za-z0-9._:=/-]*$/, 'may contain only letters, digits and . _ : = / -'),
});
export type CreateTag = z.infer<typeof CreateTagSchema>;
export const TagListSchema = z.object({ items: z.array(TagSchema) });

/**
 * The connection state of an environment's agent (the tunnel's, or an async environment's polls).
 */
export const EnvironmentStatusViewSchema = z.object({
  environmentId: z.number().int(),
  status: z.enum(['pending', 'up', 'down']),
  /** True while this server holds a live, authenticated tunnel to the agent. */
  connected: z.boolean(),
  agentId: z.number().int().nullable(),
  /** Last frame from the agent: live while connected, else as recorded at disconnect. */
  lastSeenAt: TimestampSchema.nullable(),
  connectedAt: TimestampSchema.nullable(),
  agentVersion: z.string().nullable(),
  engineVersion: z.string().nullable(),
  protocolVersion: z.number().int().nullable(),
  /** The agent authenticated its connection with the client certificate issued at enrolment too. */
  mtls: z.boolean(),
  /** `async`: the agent polls; status and lastSeenAt come from its polls (up until a poll is overdue). */
  mode: z.enum(['standard', 'async']),
  /** Async mode: the last poll, and by when the next one is due. */
  lastPollAt: TimestampSchema.nullable(),
  nextPollAt: TimestampSchema.nullable(),
});
export type EnvironmentStatusView = z.infer<typeof EnvironmentStatusViewSchema>;
