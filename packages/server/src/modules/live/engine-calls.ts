// Engine calls the server makes itself through the tunnel (inspect, exec create/inspect/resize) and
// the opening of the long-lived streams the live features relay.
import type { HttpResponseHead, OpenRequest } from '@capstan/protocol';
import { AppError } from '../../errors.ts';
import { awaitHeadOrCancel } from '../tunnel/stream-head.ts';
import type { TunnelStream } from '../tunnel/tunnel-stream.ts';
import type { TunnelRegistry } from '../tunnel/tunnel.registry.ts';

// The console waits for its hijacked exec start's head through this module too.
export { awaitHead } from '../tunnel/stream-head.ts';

/** Largest body of a plain engine call we collect (inspect answers are a few KiB). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The request header of an engine call with an optional JSON body (Content-Length set: agents rely on it). */
export function engineRequest(kind: OpenRequest['kind'], method: string, path: string, body?: unknown): { request: OpenRequest; bytes: Uint8Array | null } {
  const bytes = body === undefined ? null : new TextEncoder().encode(JSON.stringify(body));
  const headers: Record<string, string> = bytes ? { 'content-type': 'application/json', 'content-length': String(bytes.length) } : {};
  return { request: { kind, header: { method, path, headers } }, bytes };
}

/**
 * Opens a plain (docker-http) engine call, sends its body and ends the request, then waits for the
 * engine's response head; the stream is cancelled and an AppError thrown when the agent refuses.
 */
export async function openEngineCall(
  tunnel: TunnelRegistry,
  environmentId: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ stream: TunnelStream; head: HttpResponseHead }> {
  const { request, bytes } = engineRequest('docker-http', method, path, body);
  const stream = tunnel.openStream(environmentId, request);
  if (bytes) stream.write(bytes);
  stream.end();
  return { stream, head: await awaitHeadOrCancel(stream, environmentId) };
}

export interface EngineAnswer {
  status: number;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
}

/** One plain engine call through the tunnel, body collected; rejects with AppError when the tunnel fails. */
export async function engineCall(tunnel: TunnelRegistry, environmentId: number, method: string, path: string, body?: unknown): Promise<EngineAnswer> {
  const { stream, head } = await openEngineCall(tunnel, environmentId, method, path, body);
  const chunks: Uint8Array[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (payload) => {
      size += payload.length;
      if (size > MAX_BODY_BYTES) {
        stream.reset('cancelled', 'answer too large');
        reject(new AppError('agent_upstream_error', `environment ${environmentId}: the engine's answer to ${method} ${path} is too large`));
        return;
      }
      chunks.push(payload);
      stream.consumed(payload.length);
    });
    stream.once('end', () => resolve());
    stream.once('reset', (code, message) =>
      reject(new AppError('agent_upstream_error', `environment ${environmentId}: the engine call failed (${code}${message ? `: ${message}` : ''})`, { reason: code })),
    );
    stream.once('close', () => resolve());
  });
  const text = Buffer.concat(chunks).toString('utf8');
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: head.status, json };
}

/** The engine's error message from a JSON error body (`{"message": …}`), else a fallback. */
export function engineMessage(json: unknown, fallback: string): string {
  if (typeof json === 'object' && json !== null && 'message' in json && typeof json.message === 'string') return json.message.slice(0, 500);
  return fallback;
}

/** Maps a non-success engine status about a container to the AppError the client gets. */
export function containerError(status: number, json: unknown, environmentId: number, containerId: string): AppError {
  const detail = engineMessage(json, `the engine answered ${status}`);
  if (status === 404) return new AppError('not_found', `container ${containerId} does not exist in environment ${environmentId} (${detail})`, { resource: 'container', id: containerId });
  if (status === 409) return new AppError('conflict', `container ${containerId}: ${detail} (start it first)`);
  return new AppError('agent_upstream_error', `environment ${environmentId}: the engine refused the call (${status}: ${detail})`, { reason: 'engine_error', status });
}

/** Inspects a container: its full id and whether it has a TTY; AppError when missing. */
export async function inspectContainer(tunnel: TunnelRegistry, environmentId: number, containerId: string): Promise<{ id: string; tty: boolean; running: boolean }> {
  const answer = await engineCall(tunnel, environmentId, 'GET', `/containers/${encodeURIComponent(containerId)}/json`);
  if (answer.status !== 200) throw containerError(answer.status, answer.json, environmentId, containerId);
  const info = answer.json as { Id?: unknown; Config?: { Tty?: unknown }; State?: { Running?: unknown } } | undefined;
  if (typeof info?.Id !== 'string') throw new AppError('agent_upstream_error', `environment ${environmentId}: the engine's inspect answer has no container id`);
  return { id: info.Id, tty: info.Config?.Tty === true, running: info.State?.Running === true };
}
