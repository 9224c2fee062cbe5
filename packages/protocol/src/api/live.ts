// Live features for people (container logs, console, stats): WebSocket endpoints under
// /api/environments/{id}/containers/{containerId}/{logs,console,stats}/ws. Query strings are
// validated like any route's; messages are JSON text frames except console stdin/stdout (binary).
import { z } from 'zod';
import { ContainerRefSchema } from '../commands/index.ts';
import { IdSchema, TimestampSchema } from './common.ts';

/** The live features, as the last-but-one URL segment names them. */
export const LIVE_FEATURES = ['logs', 'console', 'stats'] as const;
export type LiveFeature = (typeof LIVE_FEATURES)[number];

export const LiveParamsSchema = z.strictObject({ id: IdSchema, containerId: ContainerRefSchema });
export type LiveParams = z.infer<typeof LiveParamsSchema>;

const BooleanFlagSchema = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

/** Unix seconds (fractions allowed) or an ISO-8601 timestamp; becomes Unix seconds for the engine. */
const SinceSchema = z.union([
  z
    .string()
    .regex(/^\d{1,12}(\.\d{1,9})?$/, 'must be Unix seconds or an ISO-8601 timestamp')
    .transform(Number),
  TimestampSchema.transform((v) => Date.parse(v) / 1000),
]);

/** `?tail=200&timestamps=true&since=…` of the logs endpoint. */
export const LogsQuerySchema = z.strictObject({
  /** Lines of history before following: a count, or `all`. */
  tail: z
    .string()
    .regex(/^(all|\d{1,6})$/, 'must be a line count (0..100000) or "all"')
    .transform((v): number | 'all' => (v === 'all' ? 'all' : Number(v)))
    .refine((v) => v === 'all' || v <= 100_000, 'must be a line count (0..100000) or "all"')
    .default(200),
  timestamps: BooleanFlagSchema.default(false),
  since: SinceSchema.optional(),
});
export type LogsQuery = z.infer<typeof LogsQuerySchema>;

/** `?cmd=sh&user=…&cols=&rows=` of the console endpoint. */
export const ConsoleQuerySchema = z.strictObject({
  /** Command line, split on spaces (no shell quoting): `sh`, `bash -l`. */
  cmd: z
    .string()
    .max(1024, 'must be at most 1024 characters')
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
    .refine((v) => v.trim().length > 0, 'must name a program, e.g. sh')
    .default('sh'),
  /** User (and group) inside the container: `root`, `1000`, `app:app`. */
  user: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/, 'must be a user name or id, optionally :group')
    .optional(),
  /** Initial terminal size; later changes come as resize messages. */
  cols: z.coerce.number().int().min(1).max(1000).optional(),
  rows: z.coerce.number().int().min(1).max(1000).optional(),
});
export type ConsoleQuery = z.infer<typeof ConsoleQuerySchema>;

/** The stats endpoint takes no query parameters. */
export const StatsQuerySchema = z.strictObject({});

/** Splits a console command line into argv (no quoting rules: each space separates). */
export function consoleArgv(cmd: string): string[] {
  return cmd.split(' ').filter((part) => part.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

/** Logs, server → client: one chunk of one stream (TTY containers: everything is stdout). */
export const LogChunkMessageSchema = z.object({ stream: z.enum(['stdout', 'stderr']), data: z.string() });
export type LogChunkMessage = z.infer<typeof LogChunkMessageSchema>;

/** Logs and stats, server → client: the engine ended the stream (the container stopped); the socket closes next. */
export const LiveEndMessageSchema = z.object({ type: z.literal('end') });
export type LiveEndMessage = z.infer<typeof LiveEndMessageSchema>;

/** Console, server → client: the command exited (exit code from exec inspect; null if unknown). */
export const ConsoleExitMessageSchema = z.object({ type: z.literal('exit'), exitCode: z.number().int().nullable() });
export type ConsoleExitMessage = z.infer<typeof ConsoleExitMessageSchema>;

/** Any endpoint, server → client: the live stream failed after the upgrade (agent gone, engine error). */
export const LiveErrorMessageSchema = z.object({ type: z.literal('error'), code: z.string(), message: z.string() });
export type LiveErrorMessage = z.infer<typeof LiveErrorMessageSchema>;

/**
 * Console, client → server: a text message that is exactly this JSON resizes the terminal; any
 * other message (binary, or other text) is stdin. Send keystrokes as binary to avoid ambiguity.
 */
export const ConsoleResizeMessageSchema = z.strictObject({
  type: z.literal('resize'),
  cols: z.number().int().min(1).max(1000),
  rows: z.number().int().min(1).max(1000),
});
export type ConsoleResizeMessage = z.infer<typeof ConsoleResizeMessageSchema>;

/** Stats, server → client: one sample, about once per second. */
export const StatsSampleSchema = z.object({
  /** Share of one CPU × 100 (200 = two CPUs busy), as `docker stats` shows it. */
  cpuPercent: z.number().min(0),
  /** Usage without the inactive page cache, as `docker stats` shows it. */
  memoryBytes: z.number().int().min(0),
  memoryLimitBytes: z.number().int().min(0),
  memoryPercent: z.number().min(0),
  networkRxBytes: z.number().int().min(0),
  networkTxBytes: z.number().int().min(0),
  blockReadBytes: z.number().int().min(0),
  blockWriteBytes: z.number().int().min(0),
  pids: z.number().int().min(0),
  at: TimestampSchema,
});
export type StatsSample = z.infer<typeof StatsSampleSchema>;

/** WebSocket close codes the live endpoints use. */
export const LIVE_CLOSE = {
  /** The stream ended normally (after `end` or `exit`). */
  normal: 1000,
  /** The engine or tunnel failed mid-stream, or the agent went away (an `error` message came first). */
  upstreamError: 1011,
} as const;
