import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/databases.ts';
import { ADMIN, createHarness, type Harness } from './helpers/harness.ts';

describe.each(DIALECTS)('first run and identity (%s)', (dialect) => {
  let h: Harness;
  afterEach(async () => {
    await h?.expectAllAudited();
    await h?.close();
  });

  it('answers only health and setup until an administrator exists', async () => {
    h = await createHarness(dialect);
    const health = await h.call({ method: 'GET', url: '/api/health' });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', setupRequired: true });
    for (const url of ['/api/users', '/api/environments', '/api/openapi.json']) {
      const r = await h.call({ method: 'GET', url });
      expect(r.status).toBe(503);
      expect(r.body.code).toBe('setup_required');
    }
    const login = await h.call({ method: 'POST', url: '/api/auth/login', body: ADMIN });
    expect(login.body.code).toBe('setup_required');
    const token = await h.setupAdmin();
    const again = await h.call({ method: 'POST', url: '/api/setup/admin', body: ADMIN });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('setup_complete');
    const me = await h.call({ method: 'GET', url: '/api/auth/me', token });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ username: 'admin', isAdmin: true });
  });

  it('refuses setup once the setup window has passed', async () => {
    h = await createHarness(dialect, { setupWindowMs: 1 });
    await new Promise((r) => setTimeout(r, 10));
    const r = await h.call({ method: 'POST', url: '/api/setup/admin', body: ADMIN });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('setup_window_expired');
    expect((await h.call({ method: 'GET', url: '/api/health' })).body.setupRequired).toBe(true);
  });

  it('logs in, logs out, and refuses the ended session at once', async () => {
    h = await createHarness(dialect);
    await h.setupAdmin();
    const login = await h.call({ method: 'POST', url: '/api/auth/login', body: ADMIN });
    expect(login.status).toBe(200);
    expect(String(login.headers['set-cookie'])).toContain('capstan_session=');
    const token = login.body.token as string;
    expect((await h.call({ method: 'GET', url: '/api/users', token })).status).toBe(200);
    // The cookie works as well as the bearer header.
    const viaCookie = await h.call({ method: 'GET', url: '/api/auth/me', headers: { cookie: `capstan_session=${token}` } });
    expect(viaCookie.status).toBe(200);
    expect((await h.call({ method: 'POST', url: '/api/auth/logout', token })).status).toBe(204);
    const after = await h.call({ method: 'GET', url: '/api/users', token });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('session_revoked');
  });

  it('rejects wrong passwords without telling which part was wrong, then locks the account', async () => {
    h = await createHarness(dialect, { loginMaxFailures: 3, loginLockoutMs: 60_000 });
    const admin = await h.setupAdmin();
    await h.user(admin, 'alice');
    for (let i = 0; i < 3; i++) {
      const r = await h.call({ method: 'POST', url: '/api/auth/login', body: { username: 'alice', password: 'wrong-password-1' } });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('invalid_credentials');
    }
    const unknown = await h.call({ method: 'POST', url: '/api/auth/login', body: { username: 'nobody', password: 'wrong-password-1' } });
    expect(unknown.body.code).toBe('invalid_credentials');
    const locked = await h.call({ method: 'POST', url: '/api/auth/login', body: { username: 'alice', password: 'alice-password-123' } });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('account_locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const list = await h.call({ method: 'GET', url: '/api/users?search=alice', token: admin });
    const alice = list.body.items[0];
    expect(alice.lockedUntil).not.toBeNull();
    expect((await h.call({ method: 'PATCH', url: `/api/users/${alice.id}`, token: admin, body: { unlock: true } })).status).toBe(200);
    const ok = await h.call({ method: 'POST', url: '/api/auth/login', body: { username: 'alice', password: 'alice-password-123' } });
    expect(ok.status).toBe(200);
    const audit = await h.call({ method: 'GET', url: '/api/audit?action=auth.login&outcome=denied', token: admin });
    expect(audit.body.total).toBeGreaterThanOrEqual(4);
  });

  it('rate-limits login attempts per source address', async () => {
    h = await createHarness(dialect, { loginAttemptsPerMinute: 3 });
    await h.setupAdmin();
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await h.call({ method: 'POST', url: '/api/auth/login', body: ADMIN });
      codes.push(r.status === 200 ? 'ok' : r.body.code);
    }
    expect(codes).toEqual(['ok', 'ok', 'ok', 'rate_limited', 'rate_limited']);
  });

  it('ends every session of a user on password change and on disable', async () => {
    h = await createHarness(dialect);
    const admin = await h.setupAdmin();
    const bob = await h.user(admin, 'bob');
    const change = await h.call({
      method: 'PUT',
      url: `/api/users/${bob.id}/password`,
      token: bob.token,
      body: { currentPassword: 'bob-password-123', newPassword: 'a brand new password' },
    });
    expect(change.status).toBe(204);
    expect((await h.call({ method: 'GET', url: '/api/auth/me', token: bob.token })).body.code).toBe('session_revoked');
    const relog = await h.call({ method: 'POST', url: '/api/auth/login', body: { username: 'bob', password: 'a brand new password' } });
    expect(relog.status).toBe(200);
    expect((await h.call({ method: 'PATCH', url: `/api/users/${bob.id}`, token: admin, body: { disabled: true } })).status).toBe(200);
    const refused = await h.call({ method: 'GET', url: '/api/auth/me', token: relog.body.token });
    expect(refused.status).toBe(401);
    const login = await h.call({ method: 'POST', url: '/api/auth/login', body: { username: 'bob', password: 'a brand new password' } });
    expect(login.status).toBe(403);
    expect(login.body.code).toBe('user_disabled');
  });

  it('accepts API keys by header, honours read-only scope, expiry and deletion at once', async () => {
    h = await createHarness(dialect);
    const admin = await h.setupAdmin();
    const full = await h.call({ method: 'POST', url: '/api/api-keys', token: admin, body: { name: 'ci' } });
    expect(full.status).toBe(201);
    expect(full.body.key).toMatch(/^cap_/);
    const ro = await h.call({ method: 'POST', url: '/api/api-keys', token: admin, body: { name: 'dash', readOnly: true } });
    expect((await h.call({ method: 'GET', url: '/api/environments', apiKey: ro.body.key })).status).toBe(200);
    const denied = await h.call({ method: 'POST', url: '/api/environments', apiKey: ro.body.key, body: { name: 'x' } });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('read_only_key');
    expect((await h.call({ method: 'POST', url: '/api/environments', apiKey: full.body.key, body: { name: 'x' } })).status).toBe(201);
    // The key is stored only as a hash.
    const stored = await h.store.db.selectFrom('apiKeys').select(['keyHash', 'prefix']).execute();
    expect(stored.map((s) => s.keyHash)).not.toContain(full.body.key);
    expect(JSON.stringify(stored)).not.toContain(full.body.key.slice(12));
    const del = await h.call({ method: 'DELETE', url: `/api/api-keys/${full.body.id}`, token: admin });
    expect(del.status).toBe(204);
    const gone = await h.call({ method: 'GET', url: '/api/environments', apiKey: full.body.key });
    expect(gone.status).toBe(401);
    expect(gone.body.code).toBe('api_key_invalid');
    // Expiry: a key whose expiry has passed is refused.
    const soon = await h.call({
      method: 'POST',
      url: '/api/api-keys',
      token: admin,
      body: { name: 'short', expiresAt: new Date(Date.now() + 1500).toISOString() },
    });
    expect((await h.call({ method: 'GET', url: '/api/environments', apiKey: soon.body.key })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    const expired = await h.call({ method: 'GET', url: '/api/environments', apiKey: soon.body.key });
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('api_key_expired');
  });
});
