import type { GitSource } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { createBody, initialForm, pollText, randomSecret, updateBody } from './gitForm.ts';

const at = '2026-01-01T00:00:00.000Z';
const source: GitSource = {
  id: 1, stackId: 2, environmentId: 3, url: 'https://git.example/app.git', ref: 'main', composePath: 'compose.yaml', extraPaths: [],
  auth: { kind: 'token', username: 'bot' }, pollIntervalSeconds: 300, webhook: { enabled: true, path: '/api/git-sources/1/webhook' },
  lastSeenCommit: null, lastSeenAt: null, lastDeployedCommit: null, lastDeployedAt: null, lastFetchAt: null, lastError: null, lastErrorAt: null,
  consecutiveFailures: 0, createdAt: at, updatedAt: at,
};

describe('git source form', () => {
  it('creates with the server making the webhook secret, or none', () => {
    const form = { ...initialForm(), url: ' https://git.example/app.git ', auth: 'token' as const, token: 't0k' };
    expect(createBody(form)).toEqual({ url: 'https://git.example/app.git', ref: 'main', composePath: 'compose.yaml', extraPaths: [], auth: { kind: 'token', username: 'x-access-token', token: 't0k' }, pollIntervalSeconds: 300 });
    expect(createBody({ ...form, webhook: false }).webhookSecret).toBeNull();
  });

  it('updates only what changed, keeping stored credentials', () => {
    const form = initialForm(source);
    expect(form.auth).toBe('keep');
    expect(form.username).toBe('bot');
    expect(updateBody(form, source, 's')).toBeNull();
    expect(updateBody({ ...form, ref: 'prod', pollIntervalSeconds: 0 }, source, 's')).toEqual({ ref: 'prod', pollIntervalSeconds: 0 });
    expect(updateBody({ ...form, webhook: false }, source, 's')).toEqual({ webhookSecret: null });
    expect(updateBody(form, { ...source, webhook: { ...source.webhook, enabled: false } }, 'new-secret')).toEqual({ webhookSecret: 'new-secret' });
    expect(updateBody({ ...form, auth: 'none' }, source, 's')).toEqual({ auth: { kind: 'none' } });
  });

  it('makes secrets and reads poll intervals', () => {
    expect(randomSecret()).toMatch(/^[0-9a-f]{64}$/);
    expect(randomSecret()).not.toBe(randomSecret());
    expect(pollText(0)).toContain('no polling');
    expect(pollText(300)).toBe('every 5 min');
    expect(pollText(7200)).toBe('every 2 h');
    expect(pollText(45)).toBe('every 45 s');
  });
});
