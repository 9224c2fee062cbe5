// The command log on real databases (SQLite and PostgreSQL): seq allocation under concurrency,
// delivery in order and again after reconnects, idempotent results, expiry, cancel, permissions
// and bad input. The tunnel side is driven through CommandsTunnel with a recording link: the
// transport under test is the service's contract, not WebSocket framing (tunnel.test.ts does that).
import { randomUUID } from 'node:crypto';
import type { AgentAppFrame, ServerAppFrame } from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandsRepository } from '../src/modules/commands/commands.repository.ts';
import { CommandsService } from '../src/modules/commands/commands.service.ts';
import { CommandsTunnel } from '../src/modules/commands/commands.tunnel.ts';
import type { AppLink } from '../src/modules/tunnel/tunnel-apps.ts';
import { DIALECTS } from './helpers/databases.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const silentLog = { warn: () => undefined, error: () => undefined, info: () => undefined, debug: () => undefined, child: () => silentLog };

/** A stand-in connection that records what the server pushes. */
function recordingLink(environmentId: number, connection: number, capabilities = ['commands.v1']) {
  const frames: ServerAppFrame[] = [];
  let open = true;
  const link: AppLink = {
    environmentId,
    agentId: 1,
    connection,
    has: (c) => capabilities.includes(c),
    send: (f) => {
      if (open) frames.push(f);
      return open;
    },
  };
  return { link, frames, close: () => (open = false) };
}

describe.each(DIALECTS)('command log (%s)', (dialect) => {
  let h: Harness;
  let admin: string;
  let operator: { id: number; token: string };
  let helpdesk: { id: number; token: string };
  let envId: number;
  let otherEnvId: number;
  let tunnel: CommandsTunnel;

  const enqueue = (body: unknown, token = admin, env = envId) => h.call({ method: 'POST', url: `/api/environments/${env}/commands`, token, body });
  const get = (id: string, env = envId, token = admin) => h.call({ method: 'GET', url: `/api/environments/${env}/commands/${id}`, token });
  const exec = (n: number) => ({ kind: 'container.exec', payload: { containerId: 'web', cmd: ['sh', '-c', `echo ${n}`] } });
  const agentFrame = (env: number, frame: AgentAppFrame) => tunnel.frame(recordingLink(env, 99).link, frame);

  beforeAll(async () => {
    h = await createHarness(dialect);
    admin = await h.setupAdmin();
    envId = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'cmd-env' } })).body.id;
    otherEnvId = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'cmd-other' } })).body.id;
    operator = await h.user(admin, 'op');
    helpdesk = await h.user(admin, 'desk');
    await h.grant(admin, operator.id, envId, 'operator');
    await h.grant(admin, helpdesk.id, envId, 'helpdesk');
    tunnel = new CommandsTunnel(h.app.services.commands, silentLog as never);
  });

  afterAll(async () => {
    await tunnel?.settled();
    await h?.close();
  });

  it('queues with increasing seq, answers 202 with the command, and writes its audit record in the same transaction', async () => {
    const a = await enqueue(exec(1));
    expect(a.status, JSON.stringify(a.body)).toBe(202);
    expect(a.body).toMatchObject({ environmentId: envId, seq: 1, kind: 'container.exec', status: 'queued', attempts: 0, expiresAt: null, output: null, error: null });
    expect(a.body.payload).toEqual({ containerId: 'web', cmd: ['sh', '-c', 'echo 1'] });
    const b = await enqueue({ ...exec(2), ttlSeconds: 3600 });
    expect(b.body.seq).toBe(2);
    expect(Date.parse(b.body.expiresAt) - Date.parse(b.body.createdAt)).toBe(3_600_000);
    // Another environment has its own sequence.
    expect((await enqueue(exec(1), admin, otherEnvId)).body.seq).toBe(1);

    const one = await get(a.body.id);
    expect(one.status).toBe(200);
    expect(one.body.history).toEqual([{ at: a.body.createdAt, event: 'queued', detail: { by: 'admin' } }]);
    await h.app.services.audit.flush();
    const audit = await h.call({ method: 'GET', url: `/api/audit?action=commands.enqueue&targetId=${envId}`, token: admin });
    expect(audit.body.items.map((r: { details: { commandId: string } }) => r.details.commandId)).toEqual([b.body.id, a.body.id]);
    expect(audit.body.items[1].details).toEqual({ commandId: a.body.id, seq: 1, kind: 'container.exec', target: 'web', ttlSeconds: null });

    const newest = await h.call({ method: 'GET', url: `/api/environments/${envId}/commands`, token: admin });
    expect(newest.body.items.map((c: { seq: number }) => c.seq)).toEqual([2, 1]);
    const bySeq = await h.call({ method: 'GET', url: `/api/environments/${envId}/commands?order=seq&limit=1&offset=1`, token: admin });
    expect(bySeq.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(bySeq.body.items.map((c: { seq: number }) => c.seq)).toEqual([2]);
  });

  it('gives concurrent enqueues unique, gap-free, increasing seqs', async () => {
    const env = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: `burst-${dialect}` } })).body.id as number;
    const answers = await Promise.all(Array.from({ length: 30 }, (_v, i) => enqueue(exec(i), admin, env)));
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(202);
    const seqs = answers.map((a) => a.body.seq as number).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 30 }, (_v, i) => i + 1));
    const listed = await h.call({ method: 'GET', url: `/api/environments/${env}/commands?order=seq&limit=1000`, token: admin });
    expect(listed.body.items.map((c: { seq: number }) => c.seq)).toEqual(seqs);
  });

  it('pushes unfinished commands in seq order on connect, new ones at once, and again after a reconnect; results land once', async () => {
    const env = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: `push-${dialect}` } })).body.id as number;
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) ids.push((await enqueue(exec(i), admin, env)).body.id);

    // An agent without the capability gets nothing.
    const old = recordingLink(env, 1, []);
    tunnel.connected(old.link);
    await tunnel.settled();
    expect(old.frames).toEqual([]);

    const first = recordingLink(env, 2);
    tunnel.connected(first.link);
    await tunnel.settled();
    expect(first.frames.map((f) => f.type === 'command' && f.seq)).toEqual([1, 2, 3]);
    expect(first.frames[0]).toMatchObject({ type: 'command', id: ids[0], kind: 'container.exec', payload: { containerId: 'web' }, expiresAt: null });
    ids.push((await enqueue(exec(4), admin, env)).body.id);
    await tunnel.settled();
    expect(first.frames.map((f) => f.type === 'command' && f.seq)).toEqual([1, 2, 3, 4]);
    expect((await get(ids[0]!, env)).body).toMatchObject({ status: 'sent', attempts: 1 });

    agentFrame(env, { type: 'command-accepted', id: ids[0]!, seq: 1 });
    agentFrame(env, {
      type: 'command-result',
      id: ids[0]!,
      seq: 1,
      status: 'succeeded',
      output: { exitCode: 0, stdout: '1\n', stderr: '', truncated: false },
      startedAt: '2030-01-01T00:00:00.000Z',
      finishedAt: '2030-01-01T00:00:01.000Z',
    });
    agentFrame(env, { type: 'command-accepted', id: ids[1]!, seq: 2 });
    agentFrame(env, {
      type: 'command-result',
      id: ids[1]!,
      seq: 2,
      status: 'failed',
      output: { exitCode: 3, stdout: '', stderr: 'boom', truncated: false },
      error: { code: 'exit_code', message: 'exited with 3' },
      startedAt: null,
      finishedAt: 'not a date',
    });
    await tunnel.settled();
    const done = (await get(ids[0]!, env)).body;
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, startedAt: '2030-01-01T00:00:00.000Z', finishedAt: '2030-01-01T00:00:01.000Z' });
    expect(done.output).toEqual({ exitCode: 0, stdout: '1\n', stderr: '', truncated: false });
    expect(done.history.map((e: { event: string }) => e.event)).toEqual(['queued', 'sent', 'accepted', 'succeeded']);
    const failed = (await get(ids[1]!, env)).body;
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'exit_code', message: 'exited with 3' }, output: { exitCode: 3 } });
    expect(Number.isFinite(Date.parse(failed.finishedAt))).toBe(true);

    // The same result again (agent re-sends after a reconnect), even a different one: nothing changes.
    const service = h.app.services.commands;
    expect(await service.result(env, { id: ids[0]!, seq: 1, status: 'failed', startedAt: null, finishedAt: '2031-01-01T00:00:00Z' })).toBe('duplicate');
    expect(await service.accepted(env, { id: ids[0]!, seq: 1 })).toBe('duplicate');
    // A wrong seq, another environment's command, an unknown id: refused.
    expect(await service.result(env, { id: ids[2]!, seq: 9, status: 'succeeded', startedAt: null, finishedAt: '2030-01-01T00:00:00Z' })).toBe('unknown');
    expect(await service.result(otherEnvId, { id: ids[2]!, seq: 3, status: 'succeeded', startedAt: null, finishedAt: '2030-01-01T00:00:00Z' })).toBe('unknown');
    expect(await service.accepted(env, { id: randomUUID(), seq: 3 })).toBe('unknown');
    const again = (await get(ids[0]!, env)).body;
    expect(again).toEqual(done);
    expect((await get(ids[2]!, env)).body.status).toBe('sent');

    // Reconnect: only the unfinished ones (3 and 4) again, in order, each a second attempt.
    first.close();
    tunnel.disconnected(env);
    const second = recordingLink(env, 3);
    tunnel.connected(second.link);
    await tunnel.settled();
    expect(second.frames.map((f) => f.type === 'command' && f.id)).toEqual([ids[2], ids[3]]);
    const third = (await get(ids[2]!, env)).body;
    expect(third).toMatchObject({ status: 'sent', attempts: 2 });
    expect(third.history.filter((e: { event: string }) => e.event === 'sent').map((e: { detail: unknown }) => e.detail)).toEqual([
      { attempt: 1, connection: 2 },
      { attempt: 2, connection: 3 },
    ]);
    // An accepted-but-unfinished command is pushed again too (the agent answers from its journal).
    agentFrame(env, { type: 'command-accepted', id: ids[2]!, seq: 3 });
    await tunnel.settled();
    tunnel.disconnected(env);
    const fourth = recordingLink(env, 4);
    tunnel.connected(fourth.link);
    await tunnel.settled();
    expect(fourth.frames.map((f) => f.type === 'command' && f.seq)).toEqual([3, 4]);
    expect((await get(ids[2]!, env)).body).toMatchObject({ status: 'accepted', attempts: 3 });
    tunnel.disconnected(env);
  });

  it('expires a command whose time ran out before it was sent, without sending it', async () => {
    const env = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: `expiry-${dialect}` } })).body.id as number;
    const short = (await enqueue({ ...exec(1), ttlSeconds: 60 }, admin, env)).body;
    const long = (await enqueue({ ...exec(2), ttlSeconds: 3600 }, admin, env)).body;
    expect((await get(short.id, env)).body.status).toBe('queued');
    // The same log seen two minutes later: a service over the same database with a later clock.
    const later = new CommandsService({
      repo: new CommandsRepository(h.store.db),
      db: h.store.db,
      access: h.app.services.access,
      audit: h.app.services.audit,
      now: () => new Date(Date.now() + 120_000),
    });
    const laterTunnel = new CommandsTunnel(later, silentLog as never);
    const link = recordingLink(env, 1);
    laterTunnel.connected(link.link);
    await laterTunnel.settled();
    expect(link.frames.map((f) => f.type === 'command' && f.id)).toEqual([long.id]);
    const expired = (await get(short.id, env)).body;
    expect(expired).toMatchObject({ status: 'expired', attempts: 0, sentAt: null, error: { code: 'expired' } });
    expect(expired.history.map((e: { event: string }) => e.event)).toEqual(['queued', 'expired']);
    // A late result for it changes nothing.
    expect(await later.result(env, { id: short.id, seq: short.seq, status: 'succeeded', startedAt: null, finishedAt: '2030-01-01T00:00:00Z' })).toBe('duplicate');
    laterTunnel.disconnected(env);
  });

  it('cancels a queued command (never sent), and refuses to cancel one already sent or finished', async () => {
    const env = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: `cancel-${dialect}` } })).body.id as number;
    const a = (await enqueue(exec(1), admin, env)).body;
    const cancel = (id: string, token = admin) => h.call({ method: 'POST', url: `/api/environments/${env}/commands/${id}/cancel`, token });
    const c = await cancel(a.id);
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body).toMatchObject({ status: 'cancelled' });
    const twice = await cancel(a.id);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'conflict' });
    expect(twice.body.detail).toContain('is cancelled');

    const b = (await enqueue(exec(2), admin, env)).body;
    const link = recordingLink(env, 1);
    tunnel.connected(link.link);
    await tunnel.settled();
    expect(link.frames.map((f) => f.type === 'command' && f.id)).toEqual([b.id]); // the cancelled one is never pushed
    const late = await cancel(b.id);
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain('is sent');
    tunnel.disconnected(env);
  });

  it('checks the permission of the kind: an operator may start and exec but not remove or pull; helpdesk only reads', async () => {
    const ok = await enqueue({ kind: 'container.start', payload: { containerId: 'web' } }, operator.token);
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
    expect(ok.body.createdBy).toBe(operator.id);
    expect((await enqueue(exec(7), operator.token)).status).toBe(202);
    const remove = await enqueue({ kind: 'container.remove', payload: { containerId: 'web' } }, operator.token);
    expect(remove.status).toBe(403);
    expect(remove.headers['content-type']).toContain('application/problem+json');
    expect(remove.body).toMatchObject({ code: 'forbidden' });
    expect(remove.body.detail).toContain('containers.manage');
    const pull = await enqueue({ kind: 'image.pull', payload: { image: 'busybox' } }, operator.token);
    expect(pull.body.detail).toContain('images.manage');
    const desk = await enqueue({ kind: 'container.stop', payload: { containerId: 'web' } }, helpdesk.token);
    expect(desk.status).toBe(403);
    expect(desk.body.detail).toContain('containers.operate');
    expect((await get(ok.body.id, envId, helpdesk.token)).status).toBe(200);
    expect((await h.call({ method: 'POST', url: `/api/environments/${envId}/commands/${ok.body.id}/cancel`, token: helpdesk.token })).status).toBe(403);
    // Refused enqueues left no command behind.
    const listed = await h.call({ method: 'GET', url: `/api/environments/${envId}/commands?limit=1000`, token: admin });
    expect(listed.body.items.filter((c: { createdBy: number }) => c.createdBy === helpdesk.id)).toEqual([]);
  });

  it('answers bad input with a 4xx Problem naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ kind: 'container.explode', payload: { containerId: 'web' } }, 'kind'],
      [{ kind: 'container.start', payload: { containerId: '../etc' } }, 'payload.containerId'],
      [{ kind: 'container.start', payload: { containerId: 'web', extra: 1 } }, 'payload'],
      [{ kind: 'container.exec', payload: { containerId: 'web', cmd: [] } }, 'payload.cmd'],
      [{ kind: 'container.start', payload: { containerId: 'web' }, ttlSeconds: 0 }, 'ttlSeconds'],
      [{ kind: 'image.pull', payload: { image: 'has space' } }, 'payload.image'],
      [{ payload: {} }, 'kind'],
    ];
    for (const [body, path] of cases) {
      const r = await enqueue(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('validation_failed');
      expect(r.body.issues.map((i: { path: string }) => i.path), JSON.stringify(r.body)).toContain(path);
    }
    const notUuid = await h.call({ method: 'GET', url: `/api/environments/${envId}/commands/123`, token: admin });
    expect(notUuid.status).toBe(400);
    expect((await get(randomUUID())).body.code).toBe('not_found');
    // A command is found only under its own environment.
    const mine = (await enqueue(exec(1))).body.id as string;
    expect((await get(mine, otherEnvId)).status).toBe(404);
    expect((await h.call({ method: 'GET', url: `/api/environments/${envId}/commands?status=bogus`, token: admin })).status).toBe(400);
    expect((await h.call({ method: 'POST', url: '/api/environments/999999/commands', token: admin, body: exec(1) })).status).toBe(404);
    expect((await h.call({ method: 'POST', url: '/api/environments/999999/commands', token: operator.token, body: exec(1) })).status).toBe(403);
  });

  it('deletes an environment with its commands, and audited every mutating call', async () => {
    const env = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: `gone-${dialect}` } })).body.id as number;
    const id = (await enqueue(exec(1), admin, env)).body.id as string;
    expect((await h.call({ method: 'DELETE', url: `/api/environments/${env}`, token: admin })).status).toBe(204);
    expect(await h.store.db.selectFrom('commands').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    expect(await h.store.db.selectFrom('commandHistory').select('id').where('commandId', '=', id).executeTakeFirst()).toBeUndefined();
    await h.expectAllAudited();
  });
});
