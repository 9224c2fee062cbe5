// The one place that speaks HTTP: sends JSON, validates answers against the protocol, maps failures.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { CAPSTAN_VERSION, ProblemSchema } from '@capstan/protocol';
import type { z } from 'zod';
import { describeConnectionError } from './connection-errors.ts';
import { ApiError, CliError } from './errors.ts';
import type { Target } from './target.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  method: HttpMethod;
  /** Path below the base URL, starting with `/api/`. */
  path: string;
  query?: Readonly<Record<string, string | number | undefined>>;
  body?: unknown;
}

/** A validated answer plus the JSON exactly as the server sent it (for `--json`). */
export interface ApiAnswer<T> {
  data: T;
  raw: unknown;
}

interface RawResponse {
  status: number;
  text: string;
}

const TIMEOUT_MS = 30_000;

function requestUrl(target: Target, req: ApiRequest): URL {
  const url = new URL(`${target.url}${req.path}`);
  for (const [key, value] of Object.entries(req.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

function headersFor(target: Target, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': `capstan-cli/${CAPSTAN_VERSION}`,
  };
  if (hasBody) headers['content-type'] = 'application/json';
  if (target.apiKey !== null) headers['x-api-key'] = target.apiKey;
  else if (target.token !== null) headers.authorization = `Bearer ${target.token}`;
  return headers;
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new CliError(`cannot read the CA file ${file}: ${(err as Error).message}`);
  }
}

function exchange(target: Target, req: ApiRequest): Promise<RawResponse> {
  const url = requestUrl(target, req);
  const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
  const options: https.RequestOptions = {
    method: req.method,
    headers: headersFor(target, payload !== undefined),
  };
  if (url.protocol === 'https:') {
    options.rejectUnauthorized = !target.insecure;
    if (target.caFile !== null) options.ca = readCa(target.caFile);
  }
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => reject(new CliError(describeConnectionError(err, target.url))));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.setTimeout(TIMEOUT_MS, () => {
      request.destroy(new CliError(`no answer from ${target.url} within ${TIMEOUT_MS / 1000}s`));
    });
    request.on('error', (err) =>
      reject(err instanceof CliError ? err : new CliError(describeConnectionError(err, target.url))),
    );
    request.end(payload);
  });
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Throws ApiError for Problem JSON, CliError for any other failure status; returns the JSON body of a success. */
function interpret(target: Target, req: ApiRequest, res: RawResponse): unknown {
  const json = res.text === '' ? { ok: true as const, value: undefined } : parseJson(res.text);
  if (res.status >= 400) {
    const problem = json.ok ? ProblemSchema.safeParse(json.value) : null;
    if (problem?.success) throw new ApiError(problem.data);
    throw new CliError(
      `${req.method} ${target.url}${req.path} answered HTTP ${res.status}: ${res.text.slice(0, 200) || '(no body)'}`,
    );
  }
  if (!json.ok) throw new CliError(`${target.url} did not answer JSON: is it a Capstan server?`);
  return json.value;
}

/** Sends a request and validates the answer with `schema`; throws ApiError, or CliError when it cannot. */
export async function callApi<S extends z.ZodType>(
  target: Target,
  req: ApiRequest,
  schema: S,
): Promise<ApiAnswer<z.output<S>>> {
  const raw = interpret(target, req, await exchange(target, req));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'unknown';
    throw new CliError(
      `unexpected answer to ${req.method} ${req.path} (${where}): are the client and server versions the same?`,
    );
  }
  return { data: parsed.data, raw };
}

/** Sends a request whose success has no body (204); throws like callApi. */
export async function callApiNoContent(target: Target, req: ApiRequest): Promise<void> {
  interpret(target, req, await exchange(target, req));
}
