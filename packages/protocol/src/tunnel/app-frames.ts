// Application control frames carried by the tunnel once the handshake is done: the command log
// (server → agent commands, agent → server acceptance and results) and live engine state
// (agent → server snapshots and deltas). Each is gated on a capability the agent announces.
import * as z from 'zod/mini';
import { CommandErrorSchema, CommandKindNameSchema, RetryPolicySchema } from '../commands/index.ts';
import { EngineSnapshotSchema, SnapshotDeltaSchema } from '../snapshot/schema.ts';
import { CommandProgressEventSchema } from '../stacks/commands.ts';
import { AgentModeSchema, PollIntervalsSchema } from '../poll/modes.ts';

/** Agent capability: it runs commands pushed as `command` frames and reports them. */
export const CAPABILITY_COMMANDS = 'commands.v1';
/** Agent capability: it follows `agent-mode` frames (switches between the tunnel and polls). */
export const CAPABILITY_MODES = 'modes.v1';
/** Agent capability: it reports engine state as `snapshot` and `snapshot-delta` frames. */
export const CAPABILITY_SNAPSHOTS = 'snapshots.v1';

const commandId = z.uuid();
const commandSeq = z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER));
const timestamp = z.string().check(z.maxLength(64));
/** sha256 hex of a snapshot's canonical form (see snapshotHash). */
export const SnapshotHashSchema = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'));

/** Server → agent: run this command (again, after a reconnect, until its result arrives). */
export const CommandFrameSchema = z.object({
  type: z.literal('command'),
  id: commandId,
  seq: commandSeq,
  kind: CommandKindNameSchema,
  payload: z.record(z.string(), z.unknown()),
  queuedAt: timestamp,
  /** After this instant the agent must not start the command (it reports it expired). */
  expiresAt: z.nullable(timestamp),
  /** Absent: defaultRetryPolicy(kind). */
  retry: z.optional(RetryPolicySchema),
});
export type CommandFrame = z.infer<typeof CommandFrameSchema>;

/** Agent → server: the command is journalled and will run (or already ran: the result follows). */
export const CommandAcceptedFrameSchema = z.object({
  type: z.literal('command-accepted'),
  id: commandId,
  seq: commandSeq,
});
export type CommandAcceptedFrame = z.infer<typeof CommandAcceptedFrameSchema>;

/** Agent → server: the outcome, journalled before it is sent; sent again for a repeated id. */
export const CommandResultFrameSchema = z.object({
  type: z.literal('command-result'),
  id: commandId,
  seq: commandSeq,
  status: z.enum(['succeeded', 'failed', 'expired']),
  output: z.optional(z.unknown()),
  error: z.optional(CommandErrorSchema),
  startedAt: z.nullable(timestamp),
  finishedAt: timestamp,
  /** Attempts made (retries per the command's policy); absent means one. */
  attempts: z.optional(z.int().check(z.minimum(1), z.maximum(100))),
  /**
   * How the outcome was learned: `recovered` when the agent restarted mid-command and found the
   * effect had happened (or finished it) instead of running the command again.
   */
  recovered: z.optional(z.boolean()),
});
export type CommandResultFrame = z.infer<typeof CommandResultFrameSchema>;

/** Agent → server: progress of a running command (pull progress, deploy steps); best effort, never journalled. */
export const CommandProgressFrameSchema = z.object({
  type: z.literal('command-progress'),
  id: commandId,
  seq: commandSeq,
  at: timestamp,
  event: CommandProgressEventSchema,
});
export type CommandProgressFrame = z.infer<typeof CommandProgressFrameSchema>;

/** Agent → server: the whole engine state (on connect, on resync, or when the server asks). */
export const SnapshotFrameSchema = z.object({
  type: z.literal('snapshot'),
  hash: SnapshotHashSchema,
  snapshot: EngineSnapshotSchema,
});
export type SnapshotFrame = z.infer<typeof SnapshotFrameSchema>;

/** Agent → server: changes since the snapshot whose hash is `baseHash`. */
export const SnapshotDeltaFrameSchema = z.object({
  type: z.literal('snapshot-delta'),
  baseHash: SnapshotHashSchema,
  hash: SnapshotHashSchema,
  delta: SnapshotDeltaSchema,
});
export type SnapshotDeltaFrame = z.infer<typeof SnapshotDeltaFrameSchema>;

/** Server → agent: the server lacks the delta's base (or lost state); send a full snapshot. */
export const SnapshotRequestFrameSchema = z.object({
  type: z.literal('snapshot-request'),
  reason: z.string().check(z.maxLength(256)),
});
export type SnapshotRequestFrame = z.infer<typeof SnapshotRequestFrameSchema>;

/**
 * Server → agent: the environment's mode. `async`: close the tunnel and poll with these intervals
 * (the agent remembers it across restarts); `standard` is the tunnel itself, sent for completeness.
 */
export const AgentModeFrameSchema = z.object({
  type: z.literal('agent-mode'),
  mode: AgentModeSchema,
  intervals: PollIntervalsSchema,
});
export type AgentModeFrame = z.infer<typeof AgentModeFrameSchema>;

/** Frames only the server sends. */
export const SERVER_APP_FRAME_TYPES = ['command', 'snapshot-request', 'agent-mode'] as const;
/** Frames only the agent sends. */
export const AGENT_APP_FRAME_TYPES = ['command-accepted', 'command-result', 'command-progress', 'snapshot', 'snapshot-delta'] as const;

export type ServerAppFrame = CommandFrame | SnapshotRequestFrame | AgentModeFrame;
export type AgentAppFrame = CommandAcceptedFrame | CommandResultFrame | CommandProgressFrame | SnapshotFrame | SnapshotDeltaFrame;
