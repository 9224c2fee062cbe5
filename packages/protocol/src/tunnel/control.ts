import * as z from 'zod/mini';
import { StreamErrorCodeSchema, TunnelErrorCodeSchema } from './errors.ts';
import { MAX_STREAM_ID, MAX_STREAM_WINDOW } from './limits.ts';
import { OpenAckFrameSchema, OpenFrameSchema } from './stream-kinds.ts';
import { AgentNonceSchema, AgentSignatureSchema } from '../agent/index.ts';
import {
  CommandAcceptedFrameSchema,
  CommandFrameSchema,
  CommandProgressFrameSchema,
  CommandResultFrameSchema,
  SnapshotDeltaFrameSchema,
  SnapshotFrameSchema,
  SnapshotRequestFrameSchema,
  AgentModeFrameSchema,
} from './app-frames.ts';

// Control frames are JSON objects discriminated by `type`. Unknown *fields* are stripped, so a newer
// peer may add optional fields; unknown *types* are malformed frames, so new frame types must be
// gated on a capability announced in hello/welcome.

const streamId = z.int().check(z.minimum(1), z.maximum(MAX_STREAM_ID));
const capability = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a lower-case capability name'));
const shortText = z.string().check(z.maxLength(1024));

/** Optional facts about the agent's engine, sent in hello so the server can route features. */
export const EngineInfoSchema = z.object({
  version: z.string().check(z.maxLength(64)),
  apiVersion: z.string().check(z.maxLength(16)),
  os: z.optional(z.string().check(z.maxLength(64))),
  arch: z.optional(z.string().check(z.maxLength(64))),
});
export type EngineInfo = z.infer<typeof EngineInfoSchema>;

/**
 * Server → agent, the first frame of every connection: a fresh nonce the agent must sign in its
 * hello. Nothing on the wire can be replayed because each connection gets its own nonce.
 */
export const ChallengeFrameSchema = z.object({
  type: z.literal('challenge'),
  nonce: AgentNonceSchema,
  serverTime: z.string().check(z.maxLength(64)),
});

/**
 * Agent → server, answering the challenge: who it is (agentId, signature over
 * `agentAuthSigningInput('connect', agentId, nonce)`) and what it speaks.
 */
export const HelloFrameSchema = z.object({
  type: z.literal('hello'),
  agentId: z.int().check(z.positive()),
  signature: AgentSignatureSchema,
  protocolVersion: z.int().check(z.minimum(1), z.maximum(65535)),
  agentVersion: z.string().check(z.minLength(1), z.maxLength(64)),
  capabilities: z.array(capability).check(z.maxLength(64)),
  engine: z.optional(EngineInfoSchema),
});
/** Server → agent answer to hello: the version both will speak and the heartbeat cadence. */
export const WelcomeFrameSchema = z.object({
  type: z.literal('welcome'),
  protocolVersion: z.int().check(z.minimum(1), z.maximum(65535)),
  heartbeatIntervalMs: z.int().check(z.minimum(100), z.maximum(600_000)),
  capabilities: z.array(capability).check(z.maxLength(64)),
});
/** Liveness probe; either side may send one, the other answers with the same seq. */
export const HeartbeatFrameSchema = z.object({
  type: z.literal('heartbeat'),
  seq: z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)),
  sentAtMs: z.optional(z.int().check(z.minimum(0))),
});
/** Answer to a heartbeat, echoing its seq (the sender measures round-trip time with it). */
export const HeartbeatAckFrameSchema = z.object({
  type: z.literal('heartbeat-ack'),
  seq: z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)),
});
/** Last frame before the sender closes the connection. */
export const ErrorFrameSchema = z.object({
  type: z.literal('error'),
  code: TunnelErrorCodeSchema,
  message: shortText,
});
/** The receiver refuses a stream; the stream is gone on both sides afterwards. */
export const OpenRejectFrameSchema = z.object({
  type: z.literal('open-reject'),
  streamId,
  code: StreamErrorCodeSchema,
  message: shortText,
});
/** Credit grant: the sender of this frame accepts `bytes` more data on the stream. */
export const WindowFrameSchema = z.object({
  type: z.literal('window'),
  streamId,
  bytes: z.int().check(z.minimum(1), z.maximum(MAX_STREAM_WINDOW)),
});
/** Half-close: the sender will send no more data on the stream (it may still receive). */
export const EndFrameSchema = z.object({ type: z.literal('end'), streamId });
/** Abort both directions of a stream; queued and in-flight data is discarded. */
export const ResetFrameSchema = z.object({
  type: z.literal('reset'),
  streamId,
  code: StreamErrorCodeSchema,
  message: shortText,
});

/** Frames of the tunnel itself: handshake, liveness, errors and stream control. */
export const CORE_CONTROL_SCHEMAS = [
  ChallengeFrameSchema,
  HelloFrameSchema,
  WelcomeFrameSchema,
  HeartbeatFrameSchema,
  HeartbeatAckFrameSchema,
  ErrorFrameSchema,
  OpenFrameSchema,
  OpenAckFrameSchema,
  OpenRejectFrameSchema,
  WindowFrameSchema,
  EndFrameSchema,
  ResetFrameSchema,
] as const;

/**
 * Application frames (commands, results, snapshots; see app-frames.ts), each a z.object with a
 * literal `type` not used above. The Mux passes them through as `control` events.
 */
export const APP_CONTROL_SCHEMAS = [
  CommandFrameSchema,
  CommandAcceptedFrameSchema,
  CommandResultFrameSchema,
  CommandProgressFrameSchema,
  SnapshotFrameSchema,
  SnapshotDeltaFrameSchema,
  SnapshotRequestFrameSchema,
  AgentModeFrameSchema,
] as const;

/** Every control frame this version accepts. */
export const ControlFrameSchema = z.discriminatedUnion('type', [
  ...CORE_CONTROL_SCHEMAS,
  ...APP_CONTROL_SCHEMAS,
]);
export type ControlFrame = z.infer<typeof ControlFrameSchema>;
export type HelloFrame = z.infer<typeof HelloFrameSchema>;
export type WelcomeFrame = z.infer<typeof WelcomeFrameSchema>;
export type HeartbeatFrame = z.infer<typeof HeartbeatFrameSchema>;
export type HeartbeatAckFrame = z.infer<typeof HeartbeatAckFrameSchema>;
export type ErrorFrame = z.infer<typeof ErrorFrameSchema>;
export type OpenRejectFrame = z.infer<typeof OpenRejectFrameSchema>;
export type WindowFrame = z.infer<typeof WindowFrameSchema>;
export type EndFrame = z.infer<typeof EndFrameSchema>;
export type ResetFrame = z.infer<typeof ResetFrameSchema>;

/** Control frames that concern one stream (the Mux consumes these). */
export type StreamControlFrame = Extract<ControlFrame, { streamId: number }>;
/** Control frames the Mux hands to the caller untouched (handshake, heartbeats, errors, app frames). */
export type ConnectionControlFrame = Exclude<ControlFrame, { streamId: number }>;
