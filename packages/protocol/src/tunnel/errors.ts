import * as z from 'zod/mini';

/**
 * Connection-level error codes carried by the `error` control frame. After sending one the
 * sender closes the WebSocket; codes are stable (peers and logs branch on them, never on text).
 */
export const TUNNEL_ERROR_CODES = [
  'malformed_frame', // bytes that do not decode (bad header, bad JSON, schema mismatch)
  'unexpected_frame', // a valid frame at the wrong time (e.g. data before hello)
  'unsupported_version', // hello with a protocol version the server does not speak
  'flow_control', // data beyond the granted window, or a grant overflowing it
  'unknown_stream', // a frame for a stream id that was never opened
  'stream_state', // data after end, duplicate open, wrong id parity, reused id
  'too_many_streams', // opener exceeded MAX_STREAMS_PER_SIDE (the opener should have known)
  'heartbeat_timeout', // the peer stopped answering heartbeats
  'unauthorized', // the agent's identity was refused
  'going_away', // orderly shutdown of either end
  'internal_error',
] as const;
export type TunnelErrorCode = (typeof TUNNEL_ERROR_CODES)[number];
export const TunnelErrorCodeSchema = z.enum(TUNNEL_ERROR_CODES);

/** Why one stream was refused (open-reject) or aborted (reset); the connection stays up. */
export const STREAM_ERROR_CODES = [
  'refused', // the receiver will not serve this request (policy, unknown kind)
  'unsupported_kind',
  'too_many_streams',
  'upstream_unavailable', // e.g. the agent cannot reach its Docker socket
  'upstream_error', // the upstream broke mid-stream
  'cancelled', // the opener's client went away
  'timeout',
  'internal_error',
] as const;
export type StreamErrorCode = (typeof STREAM_ERROR_CODES)[number];
export const StreamErrorCodeSchema = z.enum(STREAM_ERROR_CODES);

/** A protocol violation found by the codec or the multiplexer: close the connection with it. */
export interface TunnelError {
  readonly code: TunnelErrorCode;
  readonly message: string;
}

/** Builds a TunnelError value (plain data, so it crosses every boundary without instanceof). */
export function tunnelError(code: TunnelErrorCode, message: string): TunnelError {
  return { code, message };
}
