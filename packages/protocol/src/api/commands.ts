// The command log over the API: queue a command for an environment's agent, follow it to its result.
import { z } from 'zod';
import { extend } from 'zod/mini';
import {
  CommandErrorSchema,
  CommandKindNameSchema,
  CommandStatusSchema,
  ContainerExecCommandSchema,
  ContainerKillCommandSchema,
  ContainerRemoveCommandSchema,
  ContainerRestartCommandSchema,
  ContainerStartCommandSchema,
  ContainerStopCommandSchema,
  ImagePullCommandSchema,
  RetryPolicySchema,
} from '../commands/index.ts';
import { IdSchema, PageQueryShape, TimestampSchema, pageOf } from './common.ts';

/** Longest a queued command may wait for its agent: 30 days. */
export const MAX_COMMAND_TTL_SECONDS = 30 * 24 * 3600;

const ttl = {
  /** Not started within this many seconds of queueing: the command ends `expired` without running. */
  ttlSeconds: z.number().int().min(1).max(MAX_COMMAND_TTL_SECONDS).optional(),
  /** Attempts on retryable failures (absent: the kind's default, see defaultRetryPolicy). */
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).max(10),
      delaySeconds: z.number().int().min(0).max(3600).default(10),
    })
    .optional(),
};

/** Body of POST /api/environments/:id/commands: a command spec plus an optional time to live. */
export const EnqueueCommandSchema = z.discriminatedUnion('kind', [
  // The command schemas are zod/mini (the agent loads them): extend with mini's function.
  extend(ContainerStartCommandSchema, ttl),
  extend(ContainerStopCommandSchema, ttl),
  extend(ContainerRestartCommandSchema, ttl),
  extend(ContainerKillCommandSchema, ttl),
  extend(ContainerRemoveCommandSchema, ttl),
  extend(ContainerExecCommandSchema, ttl),
  extend(ImagePullCommandSchema, ttl),
]);
export type EnqueueCommand = z.infer<typeof EnqueueCommandSchema>;

/** One command of an environment's log, as the server knows it. */
export const CommandSchema = z.object({
  /** Also the idempotency key the agent journals. */
  id: z.uuid(),
  environmentId: z.number().int(),
  /** Strictly increasing per environment: the order the agent runs commands in. */
  seq: z.number().int(),
  kind: CommandKindNameSchema,
  payload: z.record(z.string(), z.unknown()),
  status: CommandStatusSchema,
  /** How many times the command was pushed to an agent (re-pushed after reconnects until a result). */
  attempts: z.number().int(),
  createdBy: z.number().int().nullable(),
  createdAt: TimestampSchema,
  sentAt: TimestampSchema.nullable(),
  acceptedAt: TimestampSchema.nullable(),
  /** As reported by the agent. */
  startedAt: TimestampSchema.nullable(),
  finishedAt: TimestampSchema.nullable(),
  expiresAt: TimestampSchema.nullable(),
  /** Kind-specific result (exec: exitCode, stdout, stderr, truncated). */
  output: z.unknown().nullable(),
  error: z.nullable(CommandErrorSchema),
  /** The retry policy the agent applies (the kind's default when none was given). */
  retry: RetryPolicySchema,
  /** Set on a copy queued by POST …/commands/{id}/retry: the command it re-runs. */
  retryOf: z.uuid().nullable(),
});
export type Command = z.infer<typeof CommandSchema>;

/** One step of a command's life: a status it reached (a re-push is another `sent`). */
export const CommandHistoryEntrySchema = z.object({
  at: TimestampSchema,
  event: CommandStatusSchema,
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type CommandHistoryEntry = z.infer<typeof CommandHistoryEntrySchema>;

export const CommandWithHistorySchema = CommandSchema.extend({ history: z.array(CommandHistoryEntrySchema) });
export type CommandWithHistory = z.infer<typeof CommandWithHistorySchema>;

/** GET /api/environments/:id/commands: `order=newest` (default, highest seq first) or `order=seq` (run order). */
export const CommandListQuerySchema = z.strictObject({
  ...PageQueryShape,
  status: z.optional(CommandStatusSchema),
  order: z.enum(['newest', 'seq']).default('newest'),
});
export type CommandListQuery = z.infer<typeof CommandListQuerySchema>;

export const CommandPageSchema = pageOf(CommandSchema);
export type CommandPage = z.infer<typeof CommandPageSchema>;

export const CommandParamsSchema = z.strictObject({ id: IdSchema, commandId: z.uuid() });
export type CommandParams = z.infer<typeof CommandParamsSchema>;
