// Webhook authenticity: an HMAC-SHA256 of the raw request body under the source's webhook secret
// (GitHub, Gitea, Forgejo, Gogs), or GitLab's shared token header. Compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Which header proved the delivery. */
export type WebhookScheme = 'hub-signature-256' | 'gitea-signature' | 'gitlab-token';

export type WebhookVerdict = { ok: true; scheme: WebhookScheme } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' };

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function hmac(secret: string, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

/** `sha256=<hex>` as GitHub sends it in X-Hub-Signature-256 (for tests, docs and senders). */
export function signWebhook(secret: string, body: Buffer | string): string {
  return `sha256=${hmac(secret, body).toString('hex')}`;
}

function hexMatches(given: string, expected: Buffer): WebhookVerdict['ok'] | 'malformed' {
  if (!HEX_SHA256.test(given)) return 'malformed';
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}

/**
 * Verifies a delivery against `secret`. Headers are lower-case (Node). The first scheme present
 * decides: X-Hub-Signature-256 (`sha256=<hex>`), then X-Gitea-Signature / X-Gogs-Signature
 * (`<hex>`), then X-Gitlab-Token (the secret itself). No header at all is `missing`.
 */
export function verifyWebhook(secret: string, headers: Headers, rawBody: Buffer | string): WebhookVerdict {
  const expected = hmac(secret, rawBody);
  const hub = header(headers, 'x-hub-signature-256');
  if (hub !== undefined) {
    const m = /^sha256=(.*)$/.exec(hub.trim());
    const r = m?.[1] === undefined ? 'malformed' : hexMatches(m[1], expected);
    return r === true ? { ok: true, scheme: 'hub-signature-256' } : { ok: false, reason: r === 'malformed' ? 'malformed' : 'mismatch' };
  }
  const gitea = header(headers, 'x-gitea-signature') ?? header(headers, 'x-gogs-signature');
  if (gitea !== undefined) {
    const r = hexMatches(gitea.trim(), expected);
    return r === true ? { ok: true, scheme: 'gitea-signature' } : { ok: false, reason: r === 'malformed' ? 'malformed' : 'mismatch' };
  }
  const token = header(headers, 'x-gitlab-token');
  if (token !== undefined) {
    // Equal-length digests, so neither the secret's length nor a prefix match leaks through timing.
    const same = timingSafeEqual(hmac('gitlab-token', token), hmac('gitlab-token', secret));
    return same ? { ok: true, scheme: 'gitlab-token' } : { ok: false, reason: 'mismatch' };
  }
  return { ok: false, reason: 'missing' };
}
