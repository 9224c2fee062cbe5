// Small Docker Engine API client over the EngineConnector: one request, its status and body.
import type { IncomingMessage } from 'node:http';
import type { EngineConnector } from '../engine/engine-connector.ts';

/** A finished engine call. */
export interface EngineAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/** Largest body kept from an answer we only read for its status and message. */
const MAX_SMALL_BODY = 1024 * 1024;

/** Starts a request with an optional JSON body and resolves with the response head (body unread). */
export function engineRequest(
  engine: EngineConnector,
  method: string,
  path: string,
  body?: unknown,
  opts: { dedicated?: boolean; headers?: Record<string, string> } = {},
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { ...opts.headers, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) };
    const req = engine.request({ method, path, headers, ...(opts.dedicated ? { dedicated: true } : {}) });
    req.once('response', resolve);
    req.once('error', reject);
    req.end(payload);
  });
}

/** Reads a response to the end, keeping at most MAX_SMALL_BODY bytes. */
export function readBody(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size < MAX_SMALL_BODY) chunks.push(c);
      size += c.length;
    });
    res.once('end', () => resolve(Buffer.concat(chunks)));
    res.once('error', reject);
    res.once('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** One complete call: request, then the whole (bounded) answer. */
export async function engineCall(engine: EngineConnector, method: string, path: string, body?: unknown): Promise<EngineAnswer> {
  const res = await engineRequest(engine, method, path, body);
  return { status: res.statusCode ?? 0, body: await readBody(res) };
}

/** The engine's error text: `message` of its JSON error body, else the body itself, else the status. */
export function engineMessage(answer: EngineAnswer): string {
  const text = answer.body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string' && parsed.message) return parsed.message.slice(0, 4000);
  } catch {
    /* not JSON */
  }
  return (text || `HTTP ${answer.status}`).slice(0, 4000);
}

/** A stable error code for an engine status. */
export function engineErrorCode(status: number): string {
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 400) return 'bad_request';
  return 'engine_error';
}
