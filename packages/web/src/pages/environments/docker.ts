// The Docker passthrough for removals the command log does not carry (images, volumes, networks):
// `/api/environments/:id/docker/<Engine API path>` on the server, which checks the matching
// permission (images.manage, …) and relays the call through the agent's tunnel. Refusals come as the
// server's Problem JSON; the engine's own refusals as Docker's `{message}`.
import { ProblemSchema, type Problem } from '@capstan/protocol';
import { z } from 'zod';
import { ApiError } from '../../api/client.ts';

const DockerMessageSchema = z.object({ message: z.string() });

/** Why the passthrough is not available for an environment, or null when it is. */
export function passthroughUnavailable(env: { mode: 'standard' | 'async'; status: 'pending' | 'up' | 'down' }): string | null {
  if (env.mode === 'async') return 'Removing images, volumes and networks needs a live connection; this async environment only polls.';
  if (env.status !== 'up') return 'Removing images, volumes and networks needs the agent online.';
  return null;
}

/** The Problem an error answer of the passthrough stands for. */
export function dockerProblem(status: number, body: unknown): Problem {
  const problem = ProblemSchema.safeParse(body);
  if (problem.success) return problem.data;
  const docker = DockerMessageSchema.safeParse(body);
  const code = status === 404 ? 'not_found' : status === 409 ? 'conflict' : 'agent_upstream_error';
  const detail = docker.success ? `Docker: ${docker.data.message}` : `the Docker passthrough answered ${status}`;
  return { type: 'about:blank', title: status === 409 ? 'Docker refused' : 'Docker error', status, code, detail };
}

/** DELETE an Engine API object (`images/sha256:…`, `volumes/data`, `networks/abc`); throws ApiError when refused. */
export async function dockerDelete(environmentId: number, objectPath: string, query: Record<string, string> = {}): Promise<void> {
  const qs = new URLSearchParams(query).toString();
  const url = `/api/environments/${environmentId}/docker/${objectPath}${qs ? `?${qs}` : ''}`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'DELETE', credentials: 'same-origin', headers: { accept: 'application/json' } });
  } catch {
    throw new ApiError({ type: 'about:blank', title: 'Unreachable', status: 0, code: 'internal_error', detail: 'the server cannot be reached: check your network connection' });
  }
  if (res.ok) return;
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: dockerProblem says what status came back
  }
  throw new ApiError(dockerProblem(res.status, body));
}

/** The Engine API path of an object (ids and names are URL-encoded). */
export function objectPath(kind: 'images' | 'volumes' | 'networks', idOrName: string): string {
  return `${kind}/${encodeURIComponent(idOrName)}`;
}
