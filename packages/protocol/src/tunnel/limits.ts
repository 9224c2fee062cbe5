// Wire limits of the tunnel. Both ends use the same constants: a change here is a protocol change
// (bump TUNNEL_PROTOCOL_VERSION), because the initial window in particular is never negotiated.

/** Tunnel wire version carried in hello/welcome; bumped on any incompatible framing or schema change. */
export const TUNNEL_PROTOCOL_VERSION = 1;

/**
 * Largest payload of one data frame. Small enough that one frame never holds the socket long
 * (other streams interleave every 64 KiB), large enough that the header overhead is < 0.01 %.
 */
export const MAX_DATA_PAYLOAD = 64 * 1024;

/** Largest JSON body of one control frame (snapshots and commands come later and must fit). */
export const MAX_CONTROL_PAYLOAD = 1024 * 1024;

/** Bytes before the payload of a data frame: kind (1) + stream id (4, big-endian) + flags (1). */
export const DATA_HEADER_BYTES = 6;

/** Bytes before the JSON of a control frame: the kind byte alone. */
export const CONTROL_HEADER_BYTES = 1;

/** Largest WebSocket message either end may send; set the socket's maxPayload to this. */
export const MAX_MESSAGE_BYTES = CONTROL_HEADER_BYTES + MAX_CONTROL_PAYLOAD;

/**
 * Credit each side starts with per stream and direction. 256 KiB keeps a log stream at full speed
 * over ~100 ms RTT links while bounding what one unread stream can pin in memory.
 */
export const INITIAL_STREAM_WINDOW = 256 * 1024;

/** Largest credit a stream may hold; a grant pushing past this is a flow-control violation. */
export const MAX_STREAM_WINDOW = 2 ** 31 - 1;

/**
 * Streams one side may have open at once (counted per opener). With the initial window this caps
 * what one peer can make the other buffer at 256 × 256 KiB = 64 MiB per connection.
 */
export const MAX_STREAMS_PER_SIDE = 256;

/** Largest stream id: ids are unsigned 32-bit and never reused within one connection. */
export const MAX_STREAM_ID = 0xffff_ffff;
