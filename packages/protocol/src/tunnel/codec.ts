import { ControlFrameSchema, type ControlFrame } from './control.ts';
import type { TunnelError } from './errors.ts';
import {
  CONTROL_HEADER_BYTES,
  DATA_HEADER_BYTES,
  MAX_CONTROL_PAYLOAD,
  MAX_DATA_PAYLOAD,
  MAX_STREAM_ID,
} from './limits.ts';

// Wire format: every WebSocket message is one *binary* message holding one frame; text messages are
// malformed. Byte 0 is the frame kind:
//   0x01 control: UTF-8 JSON of a ControlFrame follows (1 ≤ length ≤ MAX_CONTROL_PAYLOAD).
//   0x02 data:    stream id (uint32 big-endian, ≠ 0) · flags (uint8, must be 0 in v1) · payload
//                 (1 ≤ length ≤ MAX_DATA_PAYLOAD).
// One path for both kinds keeps decoding branch-free of the WebSocket library's text/binary flag, and
// data payloads are never base64'd.

/** Kind byte of a control frame. */
export const FRAME_KIND_CONTROL = 0x01;
/** Kind byte of a data frame. */
export const FRAME_KIND_DATA = 0x02;
/** Flag bits a v1 sender may set on a data frame (none: flags are reserved for later versions). */
export const DATA_FLAGS_KNOWN = 0x00;

/** Bytes on one stream. `payload` may be a view into the received message; copy to keep it. */
export interface DataFrame {
  readonly type: 'data';
  readonly streamId: number;
  readonly payload: Uint8Array;
}

/** Any frame of the tunnel. */
export type Frame = ControlFrame | DataFrame;

/** Why bytes did not decode; `reason` is for logs and tests, `code` goes on the wire. */
export interface FrameDecodeError extends TunnelError {
  readonly code: 'malformed_frame';
  readonly reason:
    | 'empty'
    | 'unknown_kind'
    | 'too_short'
    | 'too_long'
    | 'invalid_stream_id'
    | 'reserved_flags'
    | 'invalid_utf8'
    | 'invalid_json'
    | 'invalid_control';
}

/** Outcome of decodeFrame: a frame or a typed error, never an exception. */
export type DecodeResult =
  { readonly ok: true; readonly frame: Frame } | { readonly ok: false; readonly error: FrameDecodeError };

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

function fail(reason: FrameDecodeError['reason'], message: string): DecodeResult {
  return { ok: false, error: { code: 'malformed_frame', reason, message } };
}

/** Decodes one WebSocket binary message; never throws, never reads outside `bytes`. */
export function decodeFrame(bytes: Uint8Array): DecodeResult {
  try {
    if (bytes.length === 0) return fail('empty', 'empty message');
    const kind = bytes[0];
    if (kind === FRAME_KIND_DATA) return decodeData(bytes);
    if (kind === FRAME_KIND_CONTROL) return decodeControl(bytes);
    return fail('unknown_kind', `unknown frame kind 0x${(kind ?? 0).toString(16).padStart(2, '0')}`);
  } catch (err) {
    // Defensive: nothing above should throw, but a decoder that throws would take the process path
    // instead of the close-this-connection path.
    return fail(
      'invalid_control',
      `undecodable frame: ${err instanceof Error ? err.message : 'unknown error'}`,
    );
  }
}

function decodeData(bytes: Uint8Array): DecodeResult {
  if (bytes.length <= DATA_HEADER_BYTES)
    return fail('too_short', `data frame of ${bytes.length} bytes has no payload`);
  const payloadLength = bytes.length - DATA_HEADER_BYTES;
  if (payloadLength > MAX_DATA_PAYLOAD)
    return fail('too_long', `data payload of ${payloadLength} bytes exceeds ${MAX_DATA_PAYLOAD}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const streamId = view.getUint32(1, false);
  if (streamId === 0) return fail('invalid_stream_id', 'data frame on stream 0');
  const flags = view.getUint8(5);
  if ((flags & ~DATA_FLAGS_KNOWN) !== 0)
    return fail('reserved_flags', `data frame with reserved flags 0x${flags.toString(16)}`);
  return { ok: true, frame: { type: 'data', streamId, payload: bytes.subarray(DATA_HEADER_BYTES) } };
}

function decodeControl(bytes: Uint8Array): DecodeResult {
  const length = bytes.length - CONTROL_HEADER_BYTES;
  if (length === 0) return fail('too_short', 'control frame without body');
  if (length > MAX_CONTROL_PAYLOAD)
    return fail('too_long', `control frame of ${length} bytes exceeds ${MAX_CONTROL_PAYLOAD}`);
  let text: string;
  try {
    text = utf8Decoder.decode(bytes.subarray(CONTROL_HEADER_BYTES));
  } catch {
    return fail('invalid_utf8', 'control frame is not UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail('invalid_json', 'control frame is not JSON');
  }
  const parsed = ControlFrameSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return fail('invalid_control', `invalid control frame: ${where}${issue?.message ?? 'schema mismatch'}`);
  }
  return { ok: true, frame: parsed.data };
}

/**
 * Encodes one frame into one binary WebSocket message. Control frames are validated first (both
 * ends validate); throws RangeError/TypeError only for frames this side built wrongly (a bug).
 */
export function encodeFrame(frame: Frame): Uint8Array {
  if (frame.type === 'data') return encodeData(frame);
  const parsed = ControlFrameSchema.safeParse(frame);
  if (!parsed.success)
    throw new TypeError(
      `refusing to send invalid ${frame.type} frame: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  const body = utf8Encoder.encode(JSON.stringify(parsed.data));
  if (body.length > MAX_CONTROL_PAYLOAD)
    throw new RangeError(`${frame.type} frame of ${body.length} bytes exceeds ${MAX_CONTROL_PAYLOAD}`);
  const out = new Uint8Array(CONTROL_HEADER_BYTES + body.length);
  out[0] = FRAME_KIND_CONTROL;
  out.set(body, CONTROL_HEADER_BYTES);
  return out;
}

function encodeData(frame: DataFrame): Uint8Array {
  const { streamId, payload } = frame;
  if (!Number.isInteger(streamId) || streamId < 1 || streamId > MAX_STREAM_ID)
    throw new RangeError(`invalid stream id ${streamId}`);
  if (payload.length < 1 || payload.length > MAX_DATA_PAYLOAD)
    throw new RangeError(`data payload of ${payload.length} bytes out of range`);
  const out = new Uint8Array(DATA_HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, FRAME_KIND_DATA);
  view.setUint32(1, streamId, false);
  view.setUint8(5, 0);
  out.set(payload, DATA_HEADER_BYTES);
  return out;
}
