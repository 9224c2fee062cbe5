// Pure Edge Agent identity primitives: join tokens, public keys, nonces and Ed25519 signatures.
// Nothing here touches the database; the service composes these with storage.
import { createHash, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import {
  JOIN_TOKEN_PATTERN,
  JOIN_TOKEN_PREFIX,
  agentAuthSigningInput,
  type AgentAuthPurpose,
  type AgentChallenge,
} from '@capstan/protocol';

/** A new join token and the hash the server keeps. */
export function newJoinToken(): { token: string; hash: string } {
  const token = `${JOIN_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashJoinToken(token) };
}

/** SHA-256 (hex) of a join token: the only form stored. */
export function hashJoinToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True when `token` has the shape of a join token (checked before any lookup). */
export function isJoinTokenShaped(token: string): boolean {
  return JOIN_TOKEN_PATTERN.test(token);
}

/** An agent public key, normalised: SPKI DER (base64, as stored) and its fingerprint. */
export interface AgentPublicKey {
  spki: string;
  fingerprint: string;
  key: KeyObject;
}

/** `SHA256:` + base64 (no padding) of the SHA-256 of the SPKI DER, as OpenSSH prints fingerprints. */
export function fingerprintOf(spkiDer: Buffer): string {
  return `SHA256:${createHash('sha256').update(spkiDer).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Parses an Ed25519 SubjectPublicKeyInfo given as PEM or base64 DER.
 * Returns the key, or a sentence saying what is wrong with it.
 */
export function parseAgentPublicKey(text: string): AgentPublicKey | { error: string } {
  let key: KeyObject;
  try {
    key = text.includes('-----BEGIN')
      ? createPublicKey({ key: text, format: 'pem' })
      : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  } catch {
    return { error: 'is not a public key: send the SubjectPublicKeyInfo as PEM or base64 DER' };
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    return { error: `must be an Ed25519 key, got ${key.asymmetricKeyType ?? 'an unknown type'}` };
  }
  const der = key.export({ format: 'der', type: 'spki' });
  return { spki: der.toString('base64'), fingerprint: fingerprintOf(der), key };
}

/** The public key stored as base64 SPKI DER. */
export function storedPublicKey(spki: string): KeyObject {
  return createPublicKey({ key: Buffer.from(spki, 'base64'), format: 'der', type: 'spki' });
}

/** A fresh challenge: 32 random bytes (base64url) and the server's clock. */
export function newChallenge(now: Date = new Date()): AgentChallenge {
  return { nonce: randomBytes(32).toString('base64url'), serverTime: now.toISOString() };
}

const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;

/** Signs a challenge the way an agent does (tests, and the reference for the agent package). */
export function signChallenge(privateKey: KeyObject, purpose: AgentAuthPurpose, agentId: number, nonce: string): string {
  return sign(null, Buffer.from(agentAuthSigningInput(purpose, agentId, nonce), 'utf8'), privateKey).toString('base64url');
}

/** True when `signature` is the agent's Ed25519 signature over the canonical input for this nonce, agent and purpose. */
export function verifyChallengeSignature(
  publicKey: KeyObject,
  purpose: AgentAuthPurpose,
  agentId: number,
  nonce: string,
  signature: string,
): boolean {
  if (!SIGNATURE.test(signature)) return false;
  const raw = Buffer.from(signature, 'base64url');
  // base64url with stray low bits decodes to the same bytes: insist on the canonical encoding.
  if (raw.length !== 64 || raw.toString('base64url') !== signature) return false;
  try {
    return verify(null, Buffer.from(agentAuthSigningInput(purpose, agentId, nonce), 'utf8'), publicKey, raw);
  } catch {
    return false;
  }
}

/**
 * Nonces the server issued and has not yet seen answered. A nonce is accepted once, within its
 * lifetime; the oldest are dropped beyond `max` so unanswered challenges cannot exhaust memory.
 */
export class ChallengeStore {
  private readonly issued = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(opts: { ttlMs?: number; max?: number; now?: () => number } = {}) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.max = opts.max ?? 100_000;
    this.now = opts.now ?? Date.now;
  }

  issue(): AgentChallenge {
    const at = this.now();
    const challenge = newChallenge(new Date(at));
    this.issued.set(challenge.nonce, at + this.ttlMs);
    // Insertion order is expiry order: drop the expired, then the oldest beyond the cap.
    for (const [n, expires] of this.issued) {
      if (expires > at) break;
      this.issued.delete(n);
    }
    while (this.issued.size > this.max) {
      const oldest = this.issued.keys().next().value;
      if (oldest === undefined) break;
      this.issued.delete(oldest);
    }
    return challenge;
  }

  /** Removes the nonce; true when it was issued here and has not expired. */
  consume(nonce: string): boolean {
    const expires = this.issued.get(nonce);
    this.issued.delete(nonce);
    return expires !== undefined && expires > this.now();
  }

  get size(): number {
    return this.issued.size;
  }
}
