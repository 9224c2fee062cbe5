// Enrolling an agent the way a host does, through the public API: an environment, a join token,
// and the agent's own Ed25519 key.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { expect } from 'vitest';
import { fetchJson } from './https-client.ts';

/** An enrolled agent: its environment, its id and the private key it signs its hello with. */
export interface Enrolled {
  envId: number;
  agentId: number;
  privateKey: KeyObject;
}

/** Creates environment `name` on the server at `base` as `admin` and enrols a fresh agent key for it. */
export async function enrolAgent(base: string, admin: string, name: string): Promise<Enrolled> {
  const env = await fetchJson(`${base}/api/environments`, { method: 'POST', token: admin, body: { name } });
  expect(env.status, JSON.stringify(env.body)).toBe(201);
  const jt = await fetchJson(`${base}/api/environments/${env.body.id}/join-tokens`, { method: 'POST', token: admin, body: { ttl: 600 } });
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const e = await fetchJson(`${base}/api/agents/enrol`, {
    method: 'POST',
    body: { token: jt.body.token, publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(), hostname: name, agentVersion: '0.0.0' },
  });
  expect(e.status, JSON.stringify(e.body)).toBe(201);
  return { envId: env.body.id, agentId: e.body.agentId, privateKey };
}
