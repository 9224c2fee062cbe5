// The agent's Ed25519 key pair and the challenge signature that proves it on every connection.
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { agentAuthSigningInput, type AgentAuthPurpose } from '@capstan/protocol';

/** A fresh key pair as PEM: the private key in PKCS#8, the public key as SPKI (the enrol schema's PEM form). */
export function generateAgentKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Ed25519 over agentAuthSigningInput(purpose, agentId, nonce), base64url (hello: 'connect', polls: 'poll'). */
export function signAgentAuth(privateKey: string | KeyObject, purpose: AgentAuthPurpose, agentId: number, nonce: string): string {
  const input = Buffer.from(agentAuthSigningInput(purpose, agentId, nonce), 'utf8');
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign(null, input, key).toString('base64url');
}

/** The hello signature: Ed25519 over agentAuthSigningInput('connect', agentId, nonce), base64url. */
export function signConnectChallenge(privateKeyPem: string, agentId: number, nonce: string): string {
  return signAgentAuth(privateKeyPem, 'connect', agentId, nonce);
}
