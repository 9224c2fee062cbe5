// zod/mini: the Edge Agent reads Problem answers, and classic zod would cost it ~12 MB of memory.
import * as z from 'zod/mini';

/**
 * Stable error codes. Clients branch on `code`, never on message text, so a code is
 * never renamed or reused; each maps to one HTTP status.
 */
export const ERROR_CATALOGUE = {
  validation_failed: 400,
  malformed_json: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  route_not_found: 404,
  method_not_allowed: 405,
  not_found: 404,
  conflict: 409,
  unauthenticated: 401,
  invalid_credentials: 401,
  session_expired: 401,
  session_revoked: 401,
  api_key_invalid: 401,
  api_key_expired: 401,
  user_disabled: 403,
  forbidden: 403,
  read_only_key: 403,
  account_locked: 429,
  rate_limited: 429,
  setup_required: 503,
  setup_complete: 409,
  setup_window_expired: 403,
  password_too_weak: 400,
  password_incorrect: 400,
  last_admin: 409,
  internal_error: 500,
  join_token_invalid: 401,
  join_token_expired: 401,
  join_token_used: 401,
  agent_revoked: 403,
  challenge_failed: 401,
  environment_offline: 503,
  environment_async: 409,
  challenge_required: 401,
  agent_upstream_error: 502,
  snapshot_not_found: 404,
  agent_bundle_missing: 503,
  secret_unreadable: 500,
  template_read_only: 409,
  registry_credentials_rejected: 422,
  registry_unreachable: 422,
  registry_tls_failed: 422,
  compose_invalid: 400,
  plan_unavailable: 409,
  git_credentials_rejected: 422,
  git_ref_not_found: 422,
  git_fetch_failed: 502,
  git_files_invalid: 422,
  webhook_signature_invalid: 401,
  web_ui_not_built: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ErrorCodeSchema = z.enum(Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]]);

/** One field-level problem, with the path into the request and what to fix. */
export const FieldIssueSchema = z.object({
  location: z.enum(['body', 'query', 'params', 'headers']),
  path: z.string(),
  message: z.string(),
  /** For problems inside a submitted file (compose_invalid): which file, 1-based line and column. */
  file: z.optional(z.string()),
  line: z.optional(z.nullable(z.int())),
  column: z.optional(z.nullable(z.int())),
});
export type FieldIssue = z.infer<typeof FieldIssueSchema>;

/** RFC 9457 Problem Details, extended with a stable `code` and the request id. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  code: ErrorCodeSchema,
  detail: z.string(),
  instance: z.optional(z.string()),
  requestId: z.optional(z.string()),
  issues: z.optional(z.array(FieldIssueSchema)),
  retryAfterSeconds: z.optional(z.int()),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** The HTTP status that goes with an error code. */
export function statusForCode(code: ErrorCode): number {
  return ERROR_CATALOGUE[code];
}
