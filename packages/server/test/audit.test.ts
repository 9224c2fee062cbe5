import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/databases.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

describe.each(DIALECTS)('audit log (%s)', (dialect) => {
  let h: Harness & { databaseUrl?: string };
  afterEach(async () => {
    await h?.close();
  });

  it('records who, when, from where, what, on which target, with what outcome and request id', async () => {
    h = await createHarness(dialect);
    const admin = await h.setupAdmin();
    const created = await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'edge-1' }, headers: { 'x-request-id': 'req-create-edge-1' } });
    expect(created.status).toBe(201);
    const dup = await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'EDGE-1' } });
    expect(dup.body.code).toBe('conflict');
    const r = await h.call({ method: 'GET', url: '/api/audit?action=environments.create', token: admin });
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(2);
    const [failed, ok] = r.body.items;
    expect(ok).toMatchObject({
      actorName: 'admin',
      authMethod: 'session',
      sourceIp: '127.0.0.1',
      action: 'environments.create',
      targetType: 'environment',
      targetId: String(created.body.id),
      outcome: 'success',
      statusCode: 201,
      requestId: 'req-create-edge-1',
    });
    expect(Date.parse(ok.at)).toBeGreaterThan(Date.now() - 60_000);
    expect(failed).toMatchObject({ outcome: 'failure', statusCode: 409, targetId: null });
    await h.expectAllAudited();
  });

  it('filters by user, action prefix, target, outcome and time, and pages', async () => {
    h = await createHarness(dialect);
    const admin = await h.setupAdmin();
    const alice = await h.user(admin, 'alice');
    for (let i = 0; i < 5; i++) await h.call({ method: 'POST', url: '/api/environments/tags', token: admin, body: { name: `t${i}` } });
    await h.call({ method: 'POST', url: '/api/environments/tags', token: alice.token, body: { name: 'nope' } });
    // Records carry millisecond times: step off the millisecond of the last call before taking `mid`.
    await new Promise((r) => setTimeout(r, 5));
    const mid = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await h.call({ method: 'POST', url: '/api/teams', token: admin, body: { name: 'ops' } });

    const byAlice = await h.call({ method: 'GET', url: `/api/audit?userId=${alice.id}`, token: admin });
    expect(byAlice.body.items.map((i: any) => `${i.action}:${i.outcome}`).sort()).toEqual(['auth.login:success', 'tags.create:denied']);
    const byName = await h.call({ method: 'GET', url: '/api/audit?username=alice&outcome=denied', token: admin });
    expect(byName.body.total).toBe(1);
    const tags = await h.call({ method: 'GET', url: '/api/audit?action=tags.*&outcome=success&limit=2', token: admin });
    expect(tags.body.total).toBe(5);
    expect(tags.body.items).toHaveLength(2);
    const page3 = await h.call({ method: 'GET', url: '/api/audit?action=tags.*&outcome=success&limit=2&offset=4', token: admin });
    expect(page3.body.items).toHaveLength(1);
    const all = [...tags.body.items, ...page3.body.items].map((i: any) => i.id);
    expect(new Set(all).size).toBe(3);
    const target = tags.body.items[0];
    const byTarget = await h.call({ method: 'GET', url: `/api/audit?targetType=tag&targetId=${target.targetId}`, token: admin });
    expect(byTarget.body.items.map((i: any) => i.id)).toEqual([target.id]);
    const since = await h.call({ method: 'GET', url: `/api/audit?from=${encodeURIComponent(mid)}`, token: admin });
    expect(since.body.items.map((i: any) => i.action)).toEqual(['teams.create']);
    const until = await h.call({ method: 'GET', url: `/api/audit?to=${encodeURIComponent(mid)}&action=teams.create`, token: admin });
    expect(until.body.total).toBe(0);
    const bad = await h.call({ method: 'GET', url: `/api/audit?from=${encodeURIComponent(mid)}&to=2000-01-01T00:00:00Z`, token: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    await h.expectAllAudited();
  });

  it('moves records committed before a crash into the audit log at start', async () => {
    h = await createHarness(dialect);
    await h.setupAdmin();
    const id = randomUUID();
    const record = {
      id,
      at: new Date().toISOString(),
      actorId: 1,
      actorName: 'admin',
      authMethod: 'session',
      sourceIp: '10.0.0.9',
      action: 'users.create',
      targetType: 'user',
      targetId: '42',
      outcome: 'success',
      statusCode: 201,
      requestId: 'died-before-flush',
      details: {},
    };
    // As if the process died between the commit and moving the outbox.
    await h.store.db.insertInto('auditOutbox').values({ id, record: JSON.stringify(record), createdAt: record.at }).execute();
    await h.app.close();
    const { buildApp } = await import('../src/app.ts');
    const { Metrics } = await import('../src/metrics/metrics.ts');
    const again = await buildApp({
      store: h.store,
      metrics: new Metrics(),
      auth: { sessionTtlMs: 60_000, loginMaxFailures: 5, loginLockoutMs: 60_000, loginAttemptsPerMinute: 100 },
      setupWindowMs: 60_000,
      startedAt: Date.now(),
      logLevel: 'silent',
    });
    try {
      const rows = await h.store.audit.selectFrom('auditLog').selectAll().where('requestId', '=', 'died-before-flush').execute();
      expect(rows).toHaveLength(1);
      expect(await h.store.db.selectFrom('auditOutbox').selectAll().execute()).toEqual([]);
    } finally {
      await again.close();
      h.app.close = () => Promise.resolve();
    }
  });
});
