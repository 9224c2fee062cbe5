// The typed API client: every call names an operation of the protocol's API table, and its
// params, query, body and answer types come from that operation's schemas. Answers are parsed
// with the same schemas, so a server/web mismatch fails loudly at the boundary, not deep in a view.
import { API, ProblemSchema, type Api, type ApiOperation, type Problem } from '@capstan/protocol';
import type { z } from 'zod';
import { safeParse } from 'zod/v4/core';

type Part<O, K extends string> = O extends Record<K, infer S extends z.core.$ZodType> ? z.input<S> : undefined;
type Answer<O> = O extends { response: infer S extends z.core.$ZodType } ? z.output<S> : void;

/** What one call takes: only the parts its operation declares are allowed (and required). */
export type CallInput<K extends ApiOperation> = ([Part<Api[K], 'params'>] extends [undefined] ? { params?: undefined } : { params: Part<Api[K], 'params'> }) &
  ([Part<Api[K], 'query'>] extends [undefined] ? { query?: undefined } : { query?: Part<Api[K], 'query'> }) &
  ([Part<Api[K], 'body'>] extends [undefined] ? { body?: undefined } : { body: Part<Api[K], 'body'> });

/** The parsed answer of an operation (void for 204 operations). */
export type CallResult<K extends ApiOperation> = Answer<Api[K]>;

/** A failed call: the server's Problem (stable `code`, a `detail` saying what to fix, field issues). */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail);
    this.name = 'ApiError';
    this.problem = problem;
  }
  get code(): string {
    return this.problem.code;
  }
  get status(): number {
    return this.problem.status;
  }
}

/** Codes meaning "sign in again": the session ended, expired, or was never there. */
export const SIGNED_OUT_CODES = new Set(['unauthenticated', 'session_expired', 'session_revoked']);

type SignedOutListener = (problem: Problem) => void;
const signedOutListeners = new Set<SignedOutListener>();

/** Calls `listener` whenever an answer says the session is gone; returns the unsubscribe. */
export function onSignedOut(listener: SignedOutListener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/** `/api/stacks/:id/versions/:versionId` + {id: 3, versionId: 9} → `/api/stacks/3/versions/9`. */
export function fillPath(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(String(value));
  });
}

/** Query object → `?a=1&b=x` (undefined and empty values left out; arrays repeat the key). */
export function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, String(v));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function localProblem(code: Problem['code'], status: number, detail: string): Problem {
  return { type: 'about:blank', title: code, status, code, detail };
}

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    const parsed = ProblemSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: a proxy or the network answered, not the Server
  }
  return localProblem('internal_error', res.status, `the server answered ${res.status} ${res.statusText || ''}`.trim());
}

/** Performs one API operation with the session cookie; throws ApiError with the server's Problem. */
export async function call<K extends ApiOperation>(operation: K, input: CallInput<K> = {} as CallInput<K>, signal?: AbortSignal): Promise<CallResult<K>> {
  const [method, template] = operation.split(' ') as [string, string];
  const { params, query, body } = input as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
  const url = fillPath(template, params) + queryString(query);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(localProblem('internal_error', 0, 'the server cannot be reached: check your network connection'));
  }
  if (!res.ok) {
    const problem = await problemOf(res);
    if (res.status === 401 && SIGNED_OUT_CODES.has(problem.code) && operation !== 'POST /api/auth/login') {
      for (const listener of signedOutListeners) listener(problem);
    }
    throw new ApiError(problem);
  }
  const schema = (API as Record<string, { response?: z.core.$ZodType }>)[operation]?.response;
  if (!schema || res.status === 204) return undefined as CallResult<K>;
  const json: unknown = await res.json();
  const parsed = safeParse(schema, json);
  if (!parsed.success) {
    throw new ApiError(localProblem('internal_error', res.status, `the answer to ${operation} does not match the protocol: ${parsed.error.issues[0]?.message ?? 'invalid'}`));
  }
  return parsed.data as CallResult<K>;
}
