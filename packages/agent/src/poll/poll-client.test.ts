import { describe, expect, it } from 'vitest';
import { classifyAnswer } from './poll-client.ts';

const nonce = 'n'.repeat(43);
const answer = {
  serverTime: '2026-01-01T00:00:00.000Z',
  nonce,
  mode: 'async',
  intervals: { pollIntervalMs: 60_000, jitterMs: 6_000 },
  snapshot: 'stored',
  commands: [],
  more: false,
};
const problem = (status: number, code: string, extra: object = {}) => ({ type: 'about:blank', title: code, status, code, detail: `it is ${code}`, ...extra });

describe('classifyAnswer', () => {
  it('reads a poll answer', () => {
    expect(classifyAnswer(200, answer)).toEqual({ kind: 'answer', answer });
  });

  it('counts a malformed answer as a failed poll', () => {
    expect(classifyAnswer(200, { ...answer, mode: 'sometimes' })).toMatchObject({ kind: 'failed', reason: expect.stringContaining('mode') });
    expect(classifyAnswer(200, undefined)).toMatchObject({ kind: 'failed' });
  });

  it('takes the nonce of a challenge_required problem', () => {
    expect(classifyAnswer(401, problem(401, 'challenge_required', { details: { nonce, serverTime: 't' } }))).toEqual({ kind: 'challenge', nonce });
    expect(classifyAnswer(401, problem(401, 'challenge_required'))).toMatchObject({ kind: 'failed' });
  });

  it('treats other 401/403 problems as refusals and the rest as failures', () => {
    expect(classifyAnswer(401, problem(401, 'challenge_failed'))).toEqual({ kind: 'refused', reason: 'it is challenge_failed (challenge_failed)' });
    expect(classifyAnswer(403, problem(403, 'agent_revoked'))).toMatchObject({ kind: 'refused' });
    expect(classifyAnswer(503, problem(503, 'internal_error'))).toMatchObject({ kind: 'failed', reason: expect.stringContaining('HTTP 503') });
    expect(classifyAnswer(502, '<html>')).toEqual({ kind: 'failed', reason: 'the server answered the poll with HTTP 502' });
  });
});
