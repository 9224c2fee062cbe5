import type { ErrorCode, FieldIssue } from '@capstan/protocol';

/**
 * The one error type domain code throws. `code` is stable and picks the HTTP status;
 * `message` tells the caller what to fix; `details` carries structured extras.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: { issues?: FieldIssue[]; retryAfterSeconds?: number; [key: string]: unknown };

  constructor(code: ErrorCode, message: string, details: AppError['details'] = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

/** Shorthand for the common "no such thing" error. */
export function notFound(what: string, id: number | string): AppError {
  return new AppError('not_found', `${what} ${id} does not exist`, { resource: what, id });
}
