// The agent's Ed25519 key pair and the challenge signature that proves it on every connection.
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { agentAuthSigningInput } from '@capstan/protocol';

/** A fresh key pair as PEM: the private key in PKCS#8, the public key as SPKI (the enrol schema's PEM form). */
export function generateAgentKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The hello signature: Ed25519 over agentAuthSigningInput('connect', agentId, nonce), base64url. */
export function signConnectChallenge(privateKeyPem: string, agentId: number, nonce: string): string {
  const input = Buffer.from(agentAuthSigningInput('connect', agentId, nonce), 'utf8');
  return sign(null, input, createPrivateKey(privateKeyPem)).toString('base64url');
}
