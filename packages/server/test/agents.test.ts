// Edge Agent enrolment and identity, through the API on both databases: join tokens, one-time
// enrolment, per-connection challenges, revocation (with the live-connection hook) and rotation.
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { signChallenge } from '../src/modules/agents/agent-auth.ts';
import { DIALECTS } from './helpers/databases.ts';
import { createHarness, STAND_IN_AGENT_BUNDLE, type Harness } from './helpers/harness.ts';
import { AGENT_NODE_OPTIONS } from '@capstan/protocol';

const STAND_IN_SHA256 = createHash('sha256').update(STAND_IN_AGENT_BUNDLE).digest('hex');

function agentKeys(): { privateKey: KeyObject; publicKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

describe.each(DIALECTS)('Edge Agent enrolment and identity (%s)', (dialect) => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('join token → enrol once → challenge → revoke → rotate', async () => {
    h = await createHarness(dialect, { publicUrl: 'https://capstan.example.com:9443' });
    const admin = await h.setupAdmin();
    const agents = h.app.services.agents;
    const env = await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'customer-1' } });
    expect(env.status, JSON.stringify(env.body)).toBe(201);
    const envId = env.body.id as number;

    // A join token and the exact command, pointing at the public URL.
    const jt = await h.call({ method: 'POST', url: `/api/environments/${envId}/join-tokens`, token: admin, body: { ttl: 600 } });
    expect(jt.status, JSON.stringify(jt.body)).toBe(201);
    const token = jt.body.token as string;
    expect(token).toMatch(/^cjt_[A-Za-z0-9_-]{43}$/);
    expect(jt.body.command).toBe(
      `curl -fsS -o capstan-agent.js https://capstan.example.com:9443/api/agents/capstan-agent.js && echo '${STAND_IN_SHA256}  capstan-agent.js' | sha256sum -c && ` +
        `node ${AGENT_NODE_OPTIONS.join(' ')} capstan-agent.js --server https://capstan.example.com:9443 --join-token ${token}`,
    );
    expect(jt.body.dockerCommand).toContain(`--server https://capstan.example.com:9443 --join-token ${token}`);
    expect(Date.parse(jt.body.expiresAt) - Date.now()).toBeGreaterThan(590_000);
    expect(Date.parse(jt.body.expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);
    // Only a hash is stored.
    const stored = await h.store.db.selectFrom('joinTokens').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(token.slice(4));

    // Enrol with a key pair the agent made itself.
    const keys = agentKeys();
    const enrol = { token, publicKey: keys.publicKey, hostname: 'host-1.customer', agentVersion: '0.1.0' };
    const e = await h.call({ method: 'POST', url: '/api/agents/enrol', body: enrol });
    expect(e.status, JSON.stringify(e.body)).toBe(201);
    expect(e.body).toMatchObject({ agentId: expect.any(Number), environmentId: envId });
    expect(Math.abs(Date.parse(e.body.serverTime) - Date.now())).toBeLessThan(60_000);
    const agentId = e.body.agentId as number;

    // One-time: the same token again is refused, whatever key comes with it.
    const again = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { ...enrol, publicKey: agentKeys().publicKey } });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('join_token_used');
    const bogus = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { ...enrol, token: `cjt_${'A'.repeat(43)}` } });
    expect(bogus.body.code).toBe('join_token_invalid');
    const notAKey = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { ...enrol, publicKey: 'AAAA' } });
    expect(notAKey.status).toBe(400);
    expect(notAKey.body.issues).toContainEqual(expect.objectContaining({ location: 'body', path: 'publicKey' }));

    // Expired tokens are refused (and stay unused).
    const env2 = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'customer-2' } })).body.id as number;
    const old = await h.call({ method: 'POST', url: `/api/environments/${env2}/join-tokens`, token: admin, body: {} });
    expect(old.status).toBe(201);
    await h.store.db.updateTable('joinTokens').set({ expiresAt: new Date(Date.now() - 1000).toISOString() }).where('environmentId', '=', env2).execute();
    const expired = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { ...enrol, token: old.body.token } });
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('join_token_expired');

    // A second agent for an environment that has one is a conflict; the token stays usable.
    const second = await h.call({ method: 'POST', url: `/api/environments/${envId}/join-tokens`, token: admin, body: {} });
    const conflict = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { ...enrol, token: second.body.token, publicKey: agentKeys().publicKey } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('conflict');

    // The agent as administrators see it.
    const list = await h.call({ method: 'GET', url: `/api/environments/${envId}/agents`, token: admin });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: agentId, environmentId: envId, hostname: 'host-1.customer', agentVersion: '0.1.0', credentialVersion: 1, lastSeenAt: null, revokedAt: null }),
    ]);
    expect(list.body.items[0].fingerprint).toMatch(/^SHA256:/);
    expect(list.body.items[0]).not.toHaveProperty('publicKey');

    // Per-connection challenge: a fresh nonce, signed once.
    const c1 = agents.createChallenge();
    expect(c1.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const sig1 = signChallenge(keys.privateKey, 'connect', agentId, c1.nonce);
    await expect(agents.verifyChallenge(agentId, c1.nonce, sig1)).resolves.toEqual({ agentId, environmentId: envId, publicKey: expect.any(String) });
    // Replaying the same answer fails: the nonce was consumed.
    await expect(agents.verifyChallenge(agentId, c1.nonce, sig1)).rejects.toMatchObject({ code: 'challenge_failed' });
    // An old signature over a previous nonce does not answer a new challenge.
    const c2 = agents.createChallenge();
    await expect(agents.verifyChallenge(agentId, c2.nonce, sig1)).rejects.toMatchObject({ code: 'challenge_failed' });
    // Another key cannot answer for this agent; a signature for another agent id does not transfer.
    const c3 = agents.createChallenge();
    await expect(agents.verifyChallenge(agentId, c3.nonce, signChallenge(agentKeys().privateKey, 'connect', agentId, c3.nonce))).rejects.toMatchObject({
      code: 'challenge_failed',
    });
    const c4 = agents.createChallenge();
    await expect(agents.verifyChallenge(agentId + 1, c4.nonce, signChallenge(keys.privateKey, 'connect', agentId, c4.nonce))).rejects.toMatchObject({
      code: 'challenge_failed',
    });
    // A nonce the server never issued is refused even with a valid signature over it.
    const forged = 'B'.repeat(43);
    await expect(agents.verifyChallenge(agentId, forged, signChallenge(keys.privateKey, 'connect', agentId, forged))).rejects.toMatchObject({
      code: 'challenge_failed',
    });
    const seen = await h.call({ method: 'GET', url: `/api/environments/${envId}/agents`, token: admin });
    expect(seen.body.items[0].lastSeenAt).not.toBeNull();
    expect(await agents.isRevoked(agentId)).toBe(false);

    // Rotation: the old key stops verifying at once, the live connection is told, and the new
    // token re-enrols the same agent with a new key.
    const rotations: string[] = [];
    const stopRotation = agents.onRevoke(agentId, (reason) => rotations.push(reason));
    const rot = await h.call({ method: 'POST', url: `/api/agents/${agentId}/rotate`, token: admin, body: { ttl: 300 } });
    expect(rot.status, JSON.stringify(rot.body)).toBe(201);
    expect(rot.body.command).toContain(`--join-token ${rot.body.token}`);
    expect(rotations).toEqual(['rotated']);
    stopRotation();
    const c5 = agents.createChallenge();
    await expect(agents.verifyChallenge(agentId, c5.nonce, signChallenge(keys.privateKey, 'connect', agentId, c5.nonce))).rejects.toMatchObject({
      code: 'challenge_failed',
    });
    const newKeys = agentKeys();
    const re = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { ...enrol, token: rot.body.token, publicKey: newKeys.publicKey, agentVersion: '0.1.1' } });
    expect(re.status, JSON.stringify(re.body)).toBe(201);
    expect(re.body).toMatchObject({ agentId, environmentId: envId });
    const c6 = agents.createChallenge();
    await expect(agents.verifyChallenge(agentId, c6.nonce, signChallenge(newKeys.privateKey, 'connect', agentId, c6.nonce))).resolves.toEqual({ agentId, environmentId: envId, publicKey: expect.any(String) });
    const c7 = agents.createChallenge();
    await expect(agents.verifyChallenge(agentId, c7.nonce, signChallenge(keys.privateKey, 'connect', agentId, c7.nonce))).rejects.toMatchObject({
      code: 'challenge_failed',
    });
    const after = await h.call({ method: 'GET', url: `/api/environments/${envId}/agents`, token: admin });
    expect(after.body.items[0]).toMatchObject({ credentialVersion: 2, agentVersion: '0.1.1' });
    expect(after.body.items[0].fingerprint).not.toBe(list.body.items[0].fingerprint);
    // A rotation token is one-time too.
    const reuse = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { ...enrol, token: rot.body.token, publicKey: agentKeys().publicKey } });
    expect(reuse.body.code).toBe('join_token_used');

    // Revocation: the live connection closes at once; every later challenge is refused.
    const closed: string[] = [];
    agents.onRevoke(agentId, (reason) => closed.push(reason));
    const pendingRotation = await h.call({ method: 'POST', url: `/api/agents/${agentId}/rotate`, token: admin, body: {} });
    expect(pendingRotation.status).toBe(201);
    const rev = await h.call({ method: 'POST', url: `/api/agents/${agentId}/revoke`, token: admin });
    expect(rev.status, JSON.stringify(rev.body)).toBe(200);
    expect(rev.body.revokedAt).not.toBeNull();
    expect(closed).toEqual(['rotated', 'revoked']);
    expect(await agents.isRevoked(agentId)).toBe(true);
    // The rotation token issued before the revocation cannot bring the agent back.
    const resurrect = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { ...enrol, token: pendingRotation.body.token, publicKey: agentKeys().publicKey } });
    expect(resurrect.status).toBe(401);
    expect(resurrect.body.code).toBe('join_token_invalid');
    // Revoked while a rotation was pending (no key on file): verifying fails like any unknown key.
    const c8 = agents.createChallenge();
    await expect(agents.verifyChallenge(agentId, c8.nonce, signChallenge(newKeys.privateKey, 'connect', agentId, c8.nonce))).rejects.toMatchObject({
      code: 'challenge_failed',
    });
    const rotRevoked = await h.call({ method: 'POST', url: `/api/agents/${agentId}/rotate`, token: admin, body: {} });
    expect(rotRevoked.status).toBe(409);

    // Now the environment may enrol a new agent: the token refused earlier still works.
    const replacement = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { ...enrol, token: second.body.token, publicKey: agentKeys().publicKey } });
    expect(replacement.status, JSON.stringify(replacement.body)).toBe(201);
    expect(replacement.body.agentId).not.toBe(agentId);

    // Audit: enrolments are recorded with the agent as actor; every mutating call has a record.
    await h.expectAllAudited();
    const audit = await h.call({ method: 'GET', url: '/api/audit?action=agents.*&limit=1000', token: admin });
    expect(audit.status).toBe(200);
    const enrols = (audit.body.items as Array<{ action: string; actorName: string | null; outcome: string; targetId: string | null }>).filter((r) => r.action === 'agents.enrol');
    expect(enrols.length).toBeGreaterThanOrEqual(8);
    expect(enrols.every((r) => r.actorName === 'agent')).toBe(true);
    expect(enrols.filter((r) => r.outcome === 'success').map((r) => r.targetId)).toEqual(
      expect.arrayContaining([String(agentId), String(replacement.body.agentId)]),
    );
    expect(JSON.stringify(audit.body)).not.toContain(token.slice(4));
  });

  it('revokes an agent whose key is on file: verification answers agent_revoked', async () => {
    h = await createHarness(dialect);
    const admin = await h.setupAdmin();
    const envId = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'e' } })).body.id as number;
    const jt = await h.call({ method: 'POST', url: `/api/environments/${envId}/join-tokens`, token: admin });
    // Without --public-url the command points where the request came in.
    expect(jt.body.command).toMatch(/^curl -fsS -o capstan-agent\.js http:\/\/localhost:80\/api\/agents\/capstan-agent\.js && /);
    expect(jt.body.command).toContain(`&& node ${AGENT_NODE_OPTIONS.join(' ')} capstan-agent.js --server http://localhost:80 --join-token ${jt.body.token}`);
    const keys = agentKeys();
    const e = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { token: jt.body.token, publicKey: keys.publicKey, hostname: 'h', agentVersion: '1' } });
    expect(e.status).toBe(201);
    const agentId = e.body.agentId as number;
    let fired = 0;
    h.app.services.agents.onRevoke(agentId, () => fired++);
    expect((await h.call({ method: 'POST', url: `/api/agents/${agentId}/revoke`, token: admin })).status).toBe(200);
    expect(fired).toBe(1);
    const c = h.app.services.agents.createChallenge();
    await expect(h.app.services.agents.verifyChallenge(agentId, c.nonce, signChallenge(keys.privateKey, 'connect', agentId, c.nonce))).rejects.toMatchObject({
      code: 'agent_revoked',
    });
    // Revoking again is harmless.
    expect((await h.call({ method: 'POST', url: `/api/agents/${agentId}/revoke`, token: admin })).status).toBe(200);
    expect((await h.call({ method: 'POST', url: '/api/agents/999999/revoke', token: admin })).body.code).toBe('not_found');
    expect((await h.call({ method: 'POST', url: '/api/environments/999999/join-tokens', token: admin })).body.code).toBe('not_found');
    // Deleting the environment takes its agents along.
    expect((await h.call({ method: 'DELETE', url: `/api/environments/${envId}`, token: admin })).status).toBe(204);
    expect(await h.app.services.agents.isRevoked(agentId)).toBe(true);
    await h.expectAllAudited();
  });
});
