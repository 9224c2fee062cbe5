// The one place that speaks HTTP: sends JSON, validates answers against the protocol, maps failures.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { CAPSTAN_VERSION, ProblemSchema } from '@capstan/protocol';
import { z } from 'zod';
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

/** Request options with the target's TLS trust, and the module that speaks the URL's protocol. */
function connection(
  target: Target,
  url: URL,
  method: HttpMethod,
  headers: Record<string, string>,
): { options: https.RequestOptions; transport: typeof https | typeof http } {
  const options: https.RequestOptions = { method, headers };
  if (url.protocol === 'https:') {
    options.rejectUnauthorized = !target.insecure;
    if (target.caFile !== null) options.ca = readCa(target.caFile);
  }
  return { options, transport: url.protocol === 'https:' ? https : http };
}

function exchange(target: Target, req: ApiRequest): Promise<RawResponse> {
  const url = requestUrl(target, req);
  const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
  const { options, transport } = connection(target, url, req.method, headersFor(target, payload !== undefined));
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

/** Sends a request and validates the answer with `schema` (classic or mini zod); throws ApiError, or CliError when it cannot. */
export async function callApi<S extends z.core.$ZodType>(
  target: Target,
  req: ApiRequest,
  schema: S,
): Promise<ApiAnswer<z.output<S>>> {
  const raw = interpret(target, req, await exchange(target, req));
  const parsed = z.safeParse(schema, raw);
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

/**
 * Opens a long GET (Server-Sent Events at `path`, `headers` added) and hands each text chunk to
 * `onText` until the server ends the response. Throws ApiError / CliError like callApi when it is
 * refused, CliError when the connection fails or nothing (not even a keep-alive) arrives for
 * `idleMs`; an exception from `onText` closes the stream and is thrown.
 */
export function streamApi(
  target: Target,
  path: string,
  headers: Readonly<Record<string, string>>,
  onText: (text: string) => void,
  idleMs = 60_000,
): Promise<void> {
  const req: ApiRequest = { method: 'GET', path };
  const url = requestUrl(target, req);
  const { options, transport } = connection(target, url, 'GET', {
    ...headersFor(target, false),
    accept: 'text/event-stream',
    ...headers,
  });
  return new Promise((resolve, reject) => {
    const fail = (err: unknown): void => {
      reject(err instanceof CliError || err instanceof ApiError ? err : new CliError(describeConnectionError(err as Error, target.url)));
    };
    const request = transport.request(url, options, (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          try {
            interpret(target, req, { status, text: Buffer.concat(chunks).toString('utf8') });
            fail(new CliError(`GET ${target.url}${path} answered HTTP ${status} instead of an event stream`));
          } catch (err) {
            fail(err);
          }
        });
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        try {
          onText(text);
        } catch (err) {
          request.destroy();
          fail(err);
        }
      });
      res.on('error', fail);
      res.on('end', () => resolve());
      // A connection cut mid-stream may close the response without 'end' or 'error'.
      res.on('close', () => {
        if (!res.complete) fail(new CliError(`the event stream from ${target.url} was cut`));
      });
    });
    request.setTimeout(idleMs, () => {
      request.destroy(new CliError(`${target.url} sent nothing on the event stream for ${idleMs / 1000}s`));
    });
    request.on('error', fail);
    request.end();
  });
}
