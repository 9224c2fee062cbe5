import { describe, expect, it } from 'vitest';
import type { ExecutionOutcome } from './decide.ts';
import { isConnectionError, pullFailureRetryable, retryableStatus, retryDecision, retryPolicyOf } from './retry.ts';

const failed = (code: string, retryable?: boolean): ExecutionOutcome => ({ status: 'failed', error: { code, message: code }, ...(retryable !== undefined ? { retryable } : {}) });

describe('retryPolicyOf', () => {
  it("takes the command's policy, else its kind's default", () => {
    expect(retryPolicyOf({ kind: 'container.start', retry: { attempts: 4, delayMs: 5 } })).toEqual({ attempts: 4, delayMs: 5 });
    expect(retryPolicyOf({ kind: 'container.start' })).toEqual({ attempts: 1, delayMs: 0 });
    expect(retryPolicyOf({ kind: 'image.pull' })).toEqual({ attempts: 3, delayMs: 10_000 });
  });
});

describe('retryDecision', () => {
  const policy = { attempts: 3, delayMs: 250 };
  it('retries a retryable failure until the attempts are used up', () => {
    expect(retryDecision(failed('engine_unreachable', true), 1, policy)).toEqual({ retry: true, delayMs: 250 });
    expect(retryDecision(failed('engine_error', true), 2, policy)).toEqual({ retry: true, delayMs: 250 });
    expect(retryDecision(failed('engine_error', true), 3, policy)).toEqual({ retry: false });
  });

  it('never retries a success, a failure of the command itself, or a bad command', () => {
    expect(retryDecision({ status: 'succeeded' }, 1, policy)).toEqual({ retry: false });
    expect(retryDecision(failed('not_found'), 1, policy)).toEqual({ retry: false });
    expect(retryDecision(failed('conflict', false), 1, policy)).toEqual({ retry: false });
    expect(retryDecision(failed('invalid_command', true), 1, policy)).toEqual({ retry: false });
    expect(retryDecision(failed('unsupported_command', true), 1, policy)).toEqual({ retry: false });
  });

  it('runs once under a one-attempt policy', () => {
    expect(retryDecision(failed('engine_error', true), 1, { attempts: 1, delayMs: 0 })).toEqual({ retry: false });
  });
});

describe('what is retryable', () => {
  it('engine statuses: 5xx and no answer, never 4xx', () => {
    expect([0, 500, 502, 503].map(retryableStatus)).toEqual([true, true, true, true]);
    expect([200, 304, 400, 401, 404, 409].map(retryableStatus)).toEqual([false, false, false, false, false, false]);
  });

  it('connection errors by code or message', () => {
    const withCode = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
    expect(isConnectionError(withCode('ECONNREFUSED'))).toBe(true);
    expect(isConnectionError(withCode('ENOENT'))).toBe(true);
    expect(isConnectionError(new Error('socket hang up'))).toBe(true);
    expect(isConnectionError(new SyntaxError('Unexpected token'))).toBe(false);
    expect(isConnectionError('ECONNRESET')).toBe(false);
  });

  it('pull failures: network and registry trouble, not missing images', () => {
    expect(pullFailureRetryable('Get "https://registry.example/v2/": dial tcp: lookup registry.example: no such host')).toBe(true);
    expect(pullFailureRetryable('received unexpected HTTP status: 503 Service Unavailable')).toBe(true);
    expect(pullFailureRetryable('manifest unknown: manifest unknown')).toBe(false);
    expect(pullFailureRetryable('manifest for x:1 not found')).toBe(false);
  });
});
