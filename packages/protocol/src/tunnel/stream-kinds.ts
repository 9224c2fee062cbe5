import * as z from 'zod/mini';

// What a stream carries is fixed when it opens: `kind` picks the schema of the open header and of
// the open-ack header. Adding a kind = one entry in each list below (gate its use on a capability,
// because an older peer rejects an unknown kind as a malformed frame).

/** HTTP method token as the Docker Engine API uses it (upper-case, short). */
export const HttpMethodSchema = z
  .string()
  .check(z.regex(/^[A-Z]{1,16}$/, 'must be an upper-case HTTP method'));

/**
 * Request target with query: printable ASCII without spaces, starting with '/'. The agent writes it
 * into an HTTP request line, so CR/LF/space must be impossible (request smuggling).
 */
export const HttpPathSchema = z
  .string()
  .check(
    z.maxLength(8192),
    z.regex(/^\/[\x21-\x7e]*$/, 'must be an absolute path of printable ASCII without spaces'),
  );

const headerName = z
  .string()
  .check(z.regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/, 'must be an HTTP header name'));
// Header values: no CR, LF or NUL for the same reason as the path (header injection).
const headerValue = z
  .string()
  .check(z.maxLength(65536), z.regex(/^[^\r\n\0]*$/, 'must not contain CR, LF or NUL'));

/** HTTP header map; repeated headers are arrays. Bounded so one open cannot pin much memory. */
export const HttpHeadersSchema = z
  .record(headerName, z.union([headerValue, z.array(headerValue).check(z.maxLength(64))]))
  .check(z.refine((h) => Object.keys(h).length <= 128, 'must have at most 128 headers'));
export type HttpHeaders = z.infer<typeof HttpHeadersSchema>;

/** Request head of a stream that carries one HTTP exchange (body = the opener's data). */
export const HttpRequestHeadSchema = z.object({
  method: HttpMethodSchema,
  path: HttpPathSchema,
  headers: HttpHeadersSchema,
});
export type HttpRequestHead = z.infer<typeof HttpRequestHeadSchema>;

/** Response head sent in open-ack (body = the acceptor's data). */
export const HttpResponseHeadSchema = z.object({
  status: z.int().check(z.minimum(100), z.maximum(599)),
  headers: HttpHeadersSchema,
});
export type HttpResponseHead = z.infer<typeof HttpResponseHeadSchema>;

const streamId = z.int().check(z.minimum(1), z.maximum(0xffff_ffff));

/**
 * Open frames, one per stream kind.
 * - docker-http: one Docker Engine API request/response; chunked/log bodies are plain data frames.
 * - docker-hijack: exec/attach; after the ack both directions are raw bytes until each side ends.
 */
export const OPEN_FRAME_SCHEMAS = [
  z.object({
    type: z.literal('open'),
    streamId,
    kind: z.literal('docker-http'),
    header: HttpRequestHeadSchema,
  }),
  z.object({
    type: z.literal('open'),
    streamId,
    kind: z.literal('docker-hijack'),
    header: HttpRequestHeadSchema,
  }),
] as const;

/** Open-ack frames, one per stream kind; `kind` repeats the open's so the schema can check the header. */
export const OPEN_ACK_FRAME_SCHEMAS = [
  z.object({
    type: z.literal('open-ack'),
    streamId,
    kind: z.literal('docker-http'),
    header: HttpResponseHeadSchema,
  }),
  z.object({
    type: z.literal('open-ack'),
    streamId,
    kind: z.literal('docker-hijack'),
    header: HttpResponseHeadSchema,
  }),
] as const;

/** Opening a stream: the kind and its request header. */
export const OpenFrameSchema = z.discriminatedUnion('kind', OPEN_FRAME_SCHEMAS);
export type OpenFrame = z.infer<typeof OpenFrameSchema>;

/** Accepting a stream: the kind again and its response header. */
export const OpenAckFrameSchema = z.discriminatedUnion('kind', OPEN_ACK_FRAME_SCHEMAS);
export type OpenAckFrame = z.infer<typeof OpenAckFrameSchema>;

/** Every stream kind this version knows. */
export type StreamKind = OpenFrame['kind'];
/** The header an opener sends for a given kind. */
export type OpenHeader<K extends StreamKind> = Extract<OpenFrame, { kind: K }>['header'];
/** The header an acceptor answers with for a given kind. */
export type AckHeader<K extends StreamKind> = Extract<OpenAckFrame, { kind: K }>['header'];
/** An open request without its stream id (the Mux allocates ids). */
export type OpenRequest = { [K in StreamKind]: { kind: K; header: OpenHeader<K> } }[StreamKind];
