// Async mode: the agent polls over HTTPS instead of holding a tunnel. One poll carries what the agent
// has to say (acceptances, results, engine state as a full snapshot, a delta, or only its hash) and
// the answer carries the next commands, the mode and intervals to use, and the nonce the next poll
// must sign. The same identity as the tunnel: an Ed25519 signature over a single-use server nonce.
//
// zod/mini throughout: the agent loads this module.
import * as z from 'zod/mini';
import { AgentNonceSchema, AgentSignatureSchema } from '../agent/index.ts';
import {
  CommandAcceptedFrameSchema,
  CommandFrameSchema,
  CommandResultFrameSchema,
  SnapshotDeltaFrameSchema,
  SnapshotFrameSchema,
  SnapshotHashSchema,
} from '../tunnel/app-frames.ts';
import { EngineInfoSchema } from '../tunnel/control.ts';
import { AgentModeSchema, PollIntervalsSchema } from './modes.ts';

export * from './modes.ts';

/** Where agents poll: POST, JSON body PollRequest, answer PollAnswer (or Problem JSON). */
export const POLL_PATH = '/api/agents/poll';

/** Most commands one poll answer carries (the agent polls again at once when `more` is true). */
export const POLL_COMMAND_BATCH = 50;
/** Most acceptances / results one poll carries (the rest go in the next poll, sent at once). */
export const POLL_MAX_REPORTS = 200;
/** Largest poll body the server reads (a full snapshot is at most 1 MiB, results are capped). */
export const POLL_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Agent → server: nothing changed since the snapshot whose hash the server holds. */
export const SnapshotUnchangedSchema = z.object({
  type: z.literal('snapshot-unchanged'),
  hash: SnapshotHashSchema,
});
export type SnapshotUnchanged = z.infer<typeof SnapshotUnchangedSchema>;

/** The engine state part of a poll: full, a delta against `baseHash`, or only the hash. */
export const PollSnapshotSchema = z.discriminatedUnion('type', [SnapshotFrameSchema, SnapshotDeltaFrameSchema, SnapshotUnchangedSchema]);
export type PollSnapshot = z.infer<typeof PollSnapshotSchema>;

/**
 * POST /api/agents/poll. Without `nonce` and `signature` (first poll, or after the server lost its
 * nonces) the server answers 401 `challenge_required` with `details.nonce` to sign.
 * The signature is over `agentAuthSigningInput('poll', agentId, nonce)`.
 */
export const PollRequestSchema = z.object({
  agentId: z.int().check(z.positive()),
  nonce: z.optional(AgentNonceSchema),
  signature: z.optional(AgentSignatureSchema),
  protocolVersion: z.int().check(z.minimum(1), z.maximum(65535)),
  agentVersion: z.string().check(z.minLength(1), z.maxLength(64)),
  /** Highest seq whose result the agent journalled, with every lower seq finished too (0: none). */
  lastCompletedSeq: z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)),
  /**
   * Highest seq this agent process was handed and still holds (queued, running, or finished with its
   * result journalled): the answer brings only later commands, so a busy agent is not sent again what
   * it is working through. Absent or 0 (a fresh process): every unfinished command, from the first.
   */
  heldUpTo: z.optional(z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER))),
  accepted: z.array(CommandAcceptedFrameSchema).check(z.maxLength(POLL_MAX_REPORTS)),
  /** Results journalled since the last answered poll (a result is sent until a poll carrying it is answered). */
  results: z.array(CommandResultFrameSchema).check(z.maxLength(POLL_MAX_REPORTS)),
  /** Absent when the agent could not read its engine this time. */
  snapshot: z.optional(PollSnapshotSchema),
  engine: z.optional(EngineInfoSchema),
});
export type PollRequest = z.infer<typeof PollRequestSchema>;

/** What the server did with the poll's snapshot part. */
export const PollSnapshotOutcomeSchema = z.enum(['stored', 'unchanged', 'full-required', 'none']);
export type PollSnapshotOutcome = z.infer<typeof PollSnapshotOutcomeSchema>;

/** Answer to a poll. */
export const PollAnswerSchema = z.object({
  serverTime: z.string().check(z.maxLength(64)),
  /** The nonce the next poll signs (single use). */
  nonce: AgentNonceSchema,
  /** The environment's mode: `standard` tells the agent to switch to the tunnel now. */
  mode: AgentModeSchema,
  intervals: PollIntervalsSchema,
  snapshot: PollSnapshotOutcomeSchema,
  /** The next unfinished commands after `heldUpTo` in seq order (at most POLL_COMMAND_BATCH), results of this poll applied first. */
  commands: z.array(CommandFrameSchema).check(z.maxLength(POLL_COMMAND_BATCH)),
  /** More unfinished commands wait after this batch: poll again once these are done. */
  more: z.boolean(),
});
export type PollAnswer = z.infer<typeof PollAnswerSchema>;

