import { createHash, randomBytes } from 'node:crypto';

/** A new API key: `cap_` + 32 random bytes. High entropy, so a plain SHA-256 is a safe stored form. */
export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = `cap_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, 12), hash: hashApiKey(key) };
}

/** The stored form of a key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
