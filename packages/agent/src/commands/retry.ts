// Retries of a failed attempt, as pure decisions: which policy a command runs under, which failures
// are worth another attempt (the engine or the network was in trouble, not the command), and when.
import { defaultRetryPolicy, type CommandFrame, type RetryPolicy } from '@capstan/protocol';
import type { ExecutionOutcome } from './decide.ts';

/** Error codes that no later attempt can turn into a success, whatever an executor says. */
const NEVER_RETRIED: ReadonlySet<string> = new Set(['invalid_command', 'unsupported_command']);

/** The command's policy, or its kind's default when it names none. */
export function retryPolicyOf(command: Pick<CommandFrame, 'kind' | 'retry'>): RetryPolicy {
  return command.retry ?? defaultRetryPolicy(command.kind);
}

/** After attempt `attempt` ended with `outcome`: try again after `delayMs`, or stop with this outcome. */
export function retryDecision(outcome: ExecutionOutcome, attempt: number, policy: RetryPolicy): { retry: true; delayMs: number } | { retry: false } {
  if (outcome.status === 'succeeded' || outcome.retryable !== true) return { retry: false };
  if (outcome.error && NEVER_RETRIED.has(outcome.error.code)) return { retry: false };
  if (attempt >= policy.attempts) return { retry: false };
  return { retry: true, delayMs: policy.delayMs };
}

/** An engine answer worth another attempt: the engine failed (5xx) or no HTTP status came back. */
export function retryableStatus(status: number): boolean {
  return status === 0 || status >= 500;
}

const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOENT',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Whether a thrown error is the engine connection failing (unreachable socket, reset, hang-up). */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return /socket hang up|ECONNRESET|ECONNREFUSED/.test(err.message);
}

/** Registry answers that another attempt will not change (the image or tag does not exist, a bad name). */
const PERMANENT_PULL = /manifest unknown|not found|does not exist|invalid reference|no matching manifest|unsupported media type/i;

/** Whether a pull failure the registry-auth check did not claim is network or registry trouble worth retrying. */
export function pullFailureRetryable(message: string): boolean {
  return !PERMANENT_PULL.test(message);
}
