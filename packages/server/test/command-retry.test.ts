// Retry policies and re-queueing on real databases (SQLite and PostgreSQL): the policy a command
// is queued with (or its kind's default) is shown and delivered in its frame, results record how
// many attempts they took, and POST …/commands/{id}/retry queues a copy of a failed or expired
// command (sealed payloads sealed again for the copy), with the permission of its kind, audited.
import { randomUUID } from 'node:crypto';
import type { ServerAppFrame } from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandsRepository } from '../src/modules/commands/commands.repository.ts';
import { CommandsService } from '../src/modules/commands/commands.service.ts';
import { CommandsTunnel } from '../src/modules/commands/commands.tunnel.ts';
import type { AppLink } from '../src/modules/tunnel/tunnel-apps.ts';
import { DIALECTS } from './helpers/databases.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const silentLog = { warn: () => undefined, error: () => undefined, info: () => undefined, debug: () => undefined, child: () => silentLog };
const FINISHED = '2030-01-01T00:00:01.000Z';

describe.each(DIALECTS)('command retry (%s)', (dialect) => {
  let h: Harness;
  let admin: string;
  let operator: { id: number; token: string };
  let helpdesk: { id: number; token: string };
  let envId: number;

  const enqueue = (body: unknown, token = admin) => h.call({ method: 'POST', url: `/api/environments/${envId}/commands`, token, body });
  const get = (id: string) => h.call({ method: 'GET', url: `/api/environments/${envId}/commands/${id}`, token: admin });
  const retry = (id: string, token = admin) => h.call({ method: 'POST', url: `/api/environments/${envId}/commands/${id}/retry`, token });
  const exec = (n: number) => ({ kind: 'container.exec', payload: { containerId: 'web', cmd: ['sh', '-c', `exit ${n}`] } });
  const fail = (c: { id: string; seq: number }, extra: Record<string, unknown> = {}) =>
    h.app.services.commands.result(envId, { id: c.id, seq: c.seq, status: 'failed', error: { code: 'engine_error', message: 'boom' }, startedAt: null, finishedAt: FINISHED, ...extra });

  beforeAll(async () => {
    h = await createHarness(dialect);
    admin = await h.setupAdmin();
    envId = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'retry-env' } })).body.id;
    operator = await h.user(admin, 'op');
    helpdesk = await h.user(admin, 'desk');
    await h.grant(admin, operator.id, envId, 'operator');
    await h.grant(admin, helpdesk.id, envId, 'helpdesk');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('shows and delivers the retry policy: the one given, else the kind default', async () => {
    const given = await enqueue({ ...exec(1), retry: { attempts: 4, delaySeconds: 5 } });
    expect(given.status, JSON.stringify(given.body)).toBe(202);
    expect(given.body).toMatchObject({ retry: { attempts: 4, delayMs: 5000 }, retryOf: null });
    const delayDefault = await enqueue({ ...exec(2), retry: { attempts: 2 } });
    expect(delayDefault.body.retry).toEqual({ attempts: 2, delayMs: 10_000 });
    const plain = await enqueue(exec(3));
    expect(plain.body.retry).toEqual({ attempts: 1, delayMs: 0 });
    const pull = await enqueue({ kind: 'image.pull', payload: { image: 'busybox:1' } });
    expect(pull.body.retry).toEqual({ attempts: 3, delayMs: 10_000 });

    const frames: ServerAppFrame[] = [];
    const link: AppLink = { environmentId: envId, agentId: 1, connection: 1, has: (c) => c === 'commands.v1', send: (f) => frames.push(f) > 0 };
    const tunnel = new CommandsTunnel(h.app.services.commands, silentLog as never);
    tunnel.connected(link);
    await tunnel.settled();
    tunnel.disconnected(envId);
    const retryOf = (id: string) => frames.find((f) => f.type === 'command' && f.id === id);
    expect(retryOf(given.body.id)).toMatchObject({ retry: { attempts: 4, delayMs: 5000 } });
    expect(retryOf(plain.body.id)).toMatchObject({ retry: { attempts: 1, delayMs: 0 } });
    expect(retryOf(pull.body.id)).toMatchObject({ retry: { attempts: 3, delayMs: 10_000 } });

    await h.app.services.audit.flush();
    const audit = await h.call({ method: 'GET', url: `/api/audit?action=commands.enqueue&targetId=${envId}`, token: admin });
    const detailsOf = (id: string) => audit.body.items.find((r: { details: { commandId: string } }) => r.details.commandId === id)?.details;
    expect(detailsOf(given.body.id)).toMatchObject({ retry: { attempts: 4, delaySeconds: 5 } });
    expect(detailsOf(plain.body.id)).not.toHaveProperty('retry');

    const bad = await enqueue({ ...exec(4), retry: { attempts: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toContain('retry.attempts');
    const tooLate = await enqueue({ ...exec(4), retry: { attempts: 2, delaySeconds: 3601 } });
    expect(tooLate.status).toBe(400);
  });

  it('records the attempts a result took, and whether the agent recovered it, in the final history event', async () => {
    const a = (await enqueue(exec(5))).body;
    expect(await fail(a, { attempts: 3 })).toBe('applied');
    const failed = (await get(a.id)).body;
    expect(failed.history.at(-1)).toMatchObject({ event: 'failed', detail: { code: 'engine_error', attempts: 3 } });
    const b = (await enqueue(exec(6))).body;
    await h.app.services.commands.result(envId, { id: b.id, seq: b.seq, status: 'succeeded', startedAt: null, finishedAt: FINISHED, recovered: true, attempts: 1 });
    expect((await get(b.id)).body.history.at(-1)).toMatchObject({ event: 'succeeded', detail: { attempts: 1, recovered: true } });
    const c = (await enqueue(exec(7))).body;
    await h.app.services.commands.result(envId, { id: c.id, seq: c.seq, status: 'succeeded', startedAt: null, finishedAt: FINISHED });
    expect((await get(c.id)).body.history.at(-1)).toMatchObject({ event: 'succeeded', detail: null });
  });

  it('queues a copy of a failed command: same kind, payload and policy, a new seq, retryOf the original; audited', async () => {
    const original = (await enqueue({ ...exec(8), retry: { attempts: 2, delaySeconds: 1 } })).body;
    await fail(original);
    const r = await retry(original.id);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toMatchObject({
      kind: 'container.exec',
      payload: original.payload,
      status: 'queued',
      attempts: 0,
      retry: { attempts: 2, delayMs: 1000 },
      retryOf: original.id,
      expiresAt: null,
      createdBy: 1,
    });
    expect(r.body.id).not.toBe(original.id);
    expect(r.body.seq).toBeGreaterThan(original.seq);
    expect((await get(r.body.id)).body.history).toEqual([{ at: r.body.createdAt, event: 'queued', detail: { by: 'admin', retryOf: original.id } }]);
    // The original is unchanged; a failed command may be retried again (each copy is its own command).
    expect((await get(original.id)).body).toMatchObject({ status: 'failed', retryOf: null });
    expect((await retry(original.id)).status).toBe(202);

    await h.app.services.audit.flush();
    const audit = await h.call({ method: 'GET', url: `/api/audit?action=commands.retry&targetId=${envId}`, token: admin });
    expect(audit.body.items.at(-1)).toMatchObject({
      outcome: 'success',
      details: { commandId: r.body.id, kind: 'container.exec', retryOf: original.id, originalStatus: 'failed' },
    });
  });

  it('retries an expired command with the same time to live', async () => {
    const short = (await enqueue({ ...exec(9), ttlSeconds: 60 })).body;
    const later = new CommandsService({
      repo: new CommandsRepository(h.store.db),
      db: h.store.db,
      access: h.app.services.access,
      audit: h.app.services.audit,
      now: () => new Date(Date.now() + 120_000),
    });
    await later.expireDue(envId);
    expect((await get(short.id)).body.status).toBe('expired');
    const copy = await retry(short.id);
    expect(copy.status, JSON.stringify(copy.body)).toBe(202);
    expect(Date.parse(copy.body.expiresAt) - Date.parse(copy.body.createdAt)).toBe(60_000);
    expect(copy.body.retryOf).toBe(short.id);
  });

  it('refuses commands that did not end failed or expired, and stack commands, with 409; unknown ids with 404', async () => {
    const queued = (await enqueue(exec(10))).body;
    const r = await retry(queued.id);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'conflict', status: 409 });
    expect(r.body.detail).toContain(`command ${queued.id} is queued: only a command that ended failed or expired can be retried`);
    await h.app.services.commands.result(envId, { id: queued.id, seq: queued.seq, status: 'succeeded', startedAt: null, finishedAt: FINISHED });
    expect((await retry(queued.id)).body.detail).toContain('is succeeded');
    const cancelled = (await enqueue(exec(11))).body;
    await h.call({ method: 'POST', url: `/api/environments/${envId}/commands/${cancelled.id}/cancel`, token: admin });
    expect((await retry(cancelled.id)).body.detail).toContain('is cancelled');

    const stack = await h.store.db.transaction().execute((trx) =>
      h.app.services.commands.enqueueInternal(trx, { environmentId: envId, kind: 'stack.remove', payload: { project: 'shop' }, createdBy: null, by: 'server' }),
    );
    await h.app.services.commands.result(envId, { id: stack.id, seq: Number(stack.seq), status: 'failed', startedAt: null, finishedAt: FINISHED });
    const refused = await retry(stack.id);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('re-run it through the stack');

    expect((await retry(randomUUID())).status).toBe(404);
    const notUuid = await h.call({ method: 'POST', url: `/api/environments/${envId}/commands/nope/retry`, token: admin });
    expect(notUuid.status).toBe(400);
  });

  it("checks the permission of the command's kind", async () => {
    const ex = (await enqueue(exec(12))).body;
    await fail(ex);
    expect((await retry(ex.id, operator.token)).status).toBe(202);
    expect((await retry(ex.id, helpdesk.token)).status).toBe(403);
    const pull = (await enqueue({ kind: 'image.pull', payload: { image: 'busybox:1' } })).body;
    await fail(pull);
    const denied = await retry(pull.id, operator.token);
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toContain('images.manage');
  });

  it('seals the payload again for the copy: it opens under the copy id only', async () => {
    const reg = await h.call({
      method: 'POST',
      url: '/api/registries',
      token: admin,
      body: { name: 'private', host: 'registry.retry.test:5000', username: 'ci', password: 'retry-secret-password' },
    });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const image = 'registry.retry.test:5000/app:1';
    const pull = (await enqueue({ kind: 'image.pull', payload: { image } })).body;
    expect(pull.payload).toEqual({ image, sealed: true });
    await fail(pull);
    const copy = await retry(pull.id);
    expect(copy.status, JSON.stringify(copy.body)).toBe(202);
    expect(copy.body.payload).toEqual({ image, sealed: true });
    const row = await h.store.db.selectFrom('commands').selectAll().where('id', '=', copy.body.id).executeTakeFirstOrThrow();
    expect(row.payload).not.toContain('retry-secret-password');
    const frame = h.app.services.commands.frame(row);
    expect(frame.payload).toEqual({ image, registryAuth: [{ serverAddress: 'registry.retry.test:5000', username: 'ci', password: 'retry-secret-password' }] });
    expect(frame.retry).toEqual({ attempts: 3, delayMs: 10_000 });
    await h.expectAllAudited();
  });
});
