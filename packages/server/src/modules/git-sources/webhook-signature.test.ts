import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './webhook-signature.ts';

const SECRET = 'a webhook secret of some length';
const BODY = '{"ref":"refs/heads/main","after":"0123"}';
const hex = (secret: string, body: string): string => createHmac('sha256', secret).update(body).digest('hex');

describe('verifyWebhook', () => {
  it('accepts GitHub X-Hub-Signature-256 computed over the raw body', () => {
    expect(signWebhook(SECRET, BODY)).toBe(`sha256=${hex(SECRET, BODY)}`);
    expect(verifyWebhook(SECRET, { 'x-hub-signature-256': signWebhook(SECRET, BODY) }, BODY)).toEqual({ ok: true, scheme: 'hub-signature-256' });
    expect(verifyWebhook(SECRET, { 'x-hub-signature-256': `sha256=${hex(SECRET, BODY).toUpperCase()}` }, Buffer.from(BODY))).toEqual({
      ok: true,
      scheme: 'hub-signature-256',
    });
  });

  it('refuses a signature made with another secret, over another body, or truncated', () => {
    expect(verifyWebhook(SECRET, { 'x-hub-signature-256': signWebhook('another secret', BODY) }, BODY)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhook(SECRET, { 'x-hub-signature-256': signWebhook(SECRET, `${BODY} `) }, BODY)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhook(SECRET, { 'x-hub-signature-256': signWebhook(SECRET, BODY).slice(0, -2) }, BODY)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyWebhook(SECRET, { 'x-hub-signature-256': hex(SECRET, BODY) }, BODY)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyWebhook(SECRET, { 'x-hub-signature-256': 'sha1=abc' }, BODY)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('the first scheme present decides: a wrong GitHub header is not rescued by a right GitLab token', () => {
    const headers = { 'x-hub-signature-256': signWebhook('wrong', BODY), 'x-gitlab-token': SECRET };
    expect(verifyWebhook(SECRET, headers, BODY)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('accepts Gitea/Gogs bare hex signatures', () => {
    expect(verifyWebhook(SECRET, { 'x-gitea-signature': hex(SECRET, BODY) }, BODY)).toEqual({ ok: true, scheme: 'gitea-signature' });
    expect(verifyWebhook(SECRET, { 'x-gogs-signature': hex(SECRET, BODY) }, BODY)).toEqual({ ok: true, scheme: 'gitea-signature' });
    expect(verifyWebhook(SECRET, { 'x-gitea-signature': hex('x', BODY) }, BODY)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('accepts GitLab X-Gitlab-Token only when it equals the secret', () => {
    expect(verifyWebhook(SECRET, { 'x-gitlab-token': SECRET }, BODY)).toEqual({ ok: true, scheme: 'gitlab-token' });
    expect(verifyWebhook(SECRET, { 'x-gitlab-token': SECRET.slice(0, -1) }, BODY)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhook(SECRET, { 'x-gitlab-token': '' }, BODY)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('no signature header at all is missing; repeated headers use the first value', () => {
    expect(verifyWebhook(SECRET, { 'content-type': 'application/json' }, BODY)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyWebhook(SECRET, { 'x-hub-signature-256': [signWebhook(SECRET, BODY), 'sha256=00'] }, BODY)).toEqual({ ok: true, scheme: 'hub-signature-256' });
  });
});
