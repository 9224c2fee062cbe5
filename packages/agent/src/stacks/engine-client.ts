// The engine calls the stack executors make: JSON in, status and parsed JSON out, with an error
// that carries the engine's own message.
import type { EngineConnector } from '../engine/engine-connector.ts';
import { engineMessage, engineRequest, readBody, type EngineAnswer } from '../commands/engine-api.ts';

/** An engine answer that was not what the step needed. */
export class EngineCallError extends Error {
  readonly status: number;
  constructor(what: string, answer: EngineAnswer) {
    super(`${what}: ${engineMessage(answer)}`);
    this.name = 'EngineCallError';
    this.status = answer.status;
  }
}

/** One call: the status and the (bounded) body. */
export async function call(engine: EngineConnector, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<EngineAnswer> {
  const res = await engineRequest(engine, method, path, body, headers ? { headers } : {});
  return { status: res.statusCode ?? 0, body: await readBody(res) };
}

/** Parsed JSON of an answer ({} when it has no JSON body). */
export function json(answer: EngineAnswer): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(answer.body.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A call that must answer one of `ok` statuses; throws EngineCallError (saying `what` failed) otherwise. */
export async function expectCall(engine: EngineConnector, what: string, ok: readonly number[], method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<EngineAnswer> {
  const answer = await call(engine, method, path, body, headers);
  if (!ok.includes(answer.status)) throw new EngineCallError(what, answer);
  return answer;
}

/** `?a=1&b=2` from defined values. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** The `filters` query value for label filters. */
export function labelFilter(labels: Record<string, string>): string {
  return JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });
}

/** A path segment (container/network/volume name or id). */
export const seg = (s: string): string => encodeURIComponent(s);
