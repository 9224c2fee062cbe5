import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ChallengeStore,
  fingerprintOf,
  hashJoinToken,
  isJoinTokenShaped,
  newChallenge,
  newJoinToken,
  parseAgentPublicKey,
  signChallenge,
  storedPublicKey,
  verifyChallengeSignature,
} from './agent-auth.ts';

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const parsed = parseAgentPublicKey(pem);
  if ('error' in parsed) throw new Error(parsed.error);
  return { privateKey, pem, parsed };
}

describe('join tokens', () => {
  it('are 256 random bits with a prefix, stored only as their SHA-256', () => {
    const a = newJoinToken();
    const b = newJoinToken();
    expect(a.token).toMatch(/^cjt_[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toBe(hashJoinToken(a.token));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).not.toContain(a.token.slice(4));
    expect(isJoinTokenShaped(a.token)).toBe(true);
    expect(isJoinTokenShaped(`${a.token}x`)).toBe(false);
    expect(isJoinTokenShaped('cap_whatever')).toBe(false);
  });
});

describe('agent public keys', () => {
  it('accept Ed25519 SPKI as PEM or base64 DER, with the same fingerprint', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const der = publicKey.export({ format: 'der', type: 'spki' });
    const fromPem = parseAgentPublicKey(publicKey.export({ format: 'pem', type: 'spki' }).toString());
    const fromDer = parseAgentPublicKey(der.toString('base64'));
    expect('error' in fromPem || 'error' in fromDer).toBe(false);
    if ('error' in fromPem || 'error' in fromDer) return;
    expect(fromPem.spki).toBe(der.toString('base64'));
    expect(fromDer.spki).toBe(fromPem.spki);
    expect(fromPem.fingerprint).toBe(fingerprintOf(der));
    expect(fromPem.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('refuse other key types and garbage', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    expect(parseAgentPublicKey(rsa)).toEqual({ error: expect.stringMatching(/Ed25519/) });
    expect(parseAgentPublicKey(ec)).toEqual({ error: expect.stringMatching(/Ed25519/) });
    expect(parseAgentPublicKey('AAAA')).toEqual({ error: expect.stringMatching(/not a public key/) });
    expect(parseAgentPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).toHaveProperty('error');
    expect(parseAgentPublicKey('')).toHaveProperty('error');
  });
});

describe('challenge signatures', () => {
  it('round-trip with a fresh key pair', () => {
    const { privateKey, parsed } = keyPair();
    const { nonce } = newChallenge();
    const sig = signChallenge(privateKey, 'connect', 7, nonce);
    expect(sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(verifyChallengeSignature(parsed.key, 'connect', 7, nonce, sig)).toBe(true);
    // The stored form verifies the same.
    expect(verifyChallengeSignature(storedPublicKey(parsed.spki), 'connect', 7, nonce, sig)).toBe(true);
  });

  it('fail over another nonce, another agent id, or with another key', () => {
    const { privateKey, parsed } = keyPair();
    const other = keyPair();
    const n1 = newChallenge().nonce;
    const n2 = newChallenge().nonce;
    const sig = signChallenge(privateKey, 'connect', 7, n1);
    expect(verifyChallengeSignature(parsed.key, 'connect', 7, n2, sig)).toBe(false);
    expect(verifyChallengeSignature(parsed.key, 'connect', 8, n1, sig)).toBe(false);
    expect(verifyChallengeSignature(other.parsed.key, 'connect', 7, n1, sig)).toBe(false);
  });

  it('fail when tampered with', () => {
    const { privateKey, parsed } = keyPair();
    const { nonce } = newChallenge();
    const sig = signChallenge(privateKey, 'connect', 7, nonce);
    const raw = Buffer.from(sig, 'base64url');
    for (const i of [0, 31, 32, 63]) {
      const flipped = Buffer.from(raw);
      flipped[i] = (flipped[i] ?? 0) ^ 0x01;
      expect(verifyChallengeSignature(parsed.key, 'connect', 7, nonce, flipped.toString('base64url')), `byte ${i}`).toBe(false);
    }
    expect(verifyChallengeSignature(parsed.key, 'connect', 7, nonce, sig.slice(0, -1))).toBe(false);
    expect(verifyChallengeSignature(parsed.key, 'connect', 7, nonce, `${sig}A`)).toBe(false);
    expect(verifyChallengeSignature(parsed.key, 'connect', 7, nonce, '')).toBe(false);
    expect(verifyChallengeSignature(parsed.key, 'connect', 7, nonce, 'A'.repeat(86))).toBe(false);
    // Non-canonical base64url (stray low bits in the last character) decodes to the same bytes: refused.
    const last = sig.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';
    expect(verifyChallengeSignature(parsed.key, 'connect', 7, nonce, `${sig.slice(0, -1)}${sibling}`)).toBe(false);
  });
});

describe('ChallengeStore', () => {
  it('accepts each issued nonce once, within its lifetime', () => {
    let now = 1_000_000;
    const store = new ChallengeStore({ ttlMs: 1000, now: () => now });
    const a = store.issue();
    const b = store.issue();
    expect(a.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.serverTime).toBe(new Date(1_000_000).toISOString());
    expect(store.consume(a.nonce)).toBe(true);
    expect(store.consume(a.nonce)).toBe(false);
    expect(store.consume(newChallenge().nonce)).toBe(false);
    now += 1000;
    expect(store.consume(b.nonce)).toBe(false);
  });

  it('stays bounded: expired and the oldest unanswered nonces are dropped', () => {
    let now = 0;
    const store = new ChallengeStore({ ttlMs: 1000, max: 3, now: () => now });
    const first = store.issue();
    store.issue();
    store.issue();
    store.issue();
    expect(store.size).toBe(3);
    expect(store.consume(first.nonce)).toBe(false);
    now = 5000;
    store.issue();
    expect(store.size).toBe(1);
  });
});
