import { statusForCode, type ErrorCode, type FieldIssue, type Problem } from '@capstan/protocol';
import type { ZodError } from 'zod';
import { AppError } from '../errors.ts';

const TITLES: Partial<Record<ErrorCode, string>> = {
  validation_failed: 'The request is not valid',
  malformed_json: 'The body is not valid JSON',
  payload_too_large: 'The body is too large',
  unsupported_media_type: 'Unsupported content type',
  route_not_found: 'No such route',
  not_found: 'Not found',
  conflict: 'Conflict',
  unauthenticated: 'Authentication required',
  forbidden: 'Not allowed',
  internal_error: 'Internal error',
};

/** Problem JSON, with `details` where a code hands the caller something to continue with. */
export type ProblemAnswer = Problem & { details?: Record<string, unknown> };

/** Turns any thrown value into Problem JSON. Unknown errors become a 500 without internals. */
export function toProblem(err: unknown, requestId: string, instance: string): ProblemAnswer {
  const app = err instanceof AppError ? err : fromFrameworkError(err);
  const status = statusForCode(app.code);
  const problem: Problem = {
    type: `https://capstan.dev/problems/${app.code.replace(/_/g, '-')}`,
    title: TITLES[app.code] ?? app.code.replace(/_/g, ' '),
    status,
    code: app.code,
    detail: app.message,
    instance,
    requestId,
  };
  if (app.details.issues) problem.issues = app.details.issues;
  if (app.details.retryAfterSeconds !== undefined) problem.retryAfterSeconds = app.details.retryAfterSeconds;
  // A poll without a valid nonce: the agent signs this one and sends the poll again at once.
  if (app.code === 'challenge_required') return { ...problem, details: { nonce: app.details.nonce, serverTime: app.details.serverTime } };
  return problem;
}

interface FrameworkError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/** Maps Fastify's own errors (body parsing, limits) to stable codes. */
function fromFrameworkError(err: unknown): AppError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as FrameworkError;
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'the request body exceeds the limit (1 MiB; agent polls 8 MiB); send less data');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'send the body as application/json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('malformed_json', `the body is not valid JSON: ${String(e.message)}`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('validation_failed', 'the Content-Length header does not match the body');
  }
  if (err instanceof SyntaxError || (status === 400 && /JSON|proto/i.test(String(e.message)))) {
    return new AppError('malformed_json', `the body is not valid JSON: ${String(e.message)}`);
  }
  if (status === 413) return new AppError('payload_too_large', 'the request is too large');
  if (status === 415) return new AppError('unsupported_media_type', 'send the body as application/json');
  if (status >= 400 && status < 500) return new AppError('validation_failed', typeof e.message === 'string' ? e.message : 'bad request');
  return new AppError('internal_error', 'an unexpected error occurred; the request id identifies it in the server log');
}

/** Converts zod issues into field issues that name the field and what to fix. */
export function zodIssues(location: FieldIssue['location'], error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return {
        location,
        path: path || '(root)',
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'}`,
      };
    }
    return { location, path: path || '(root)', message: issue.message };
  });
}
