// Async mode's transport on real databases (SQLite and PostgreSQL): agents enrolled through the
// API poll POST /api/agents/poll signed with their own Ed25519 keys. Covers the nonce handshake,
// refusals, idempotent results, batched delivery in seq order, snapshots (full, delta, unchanged),
// the environment's poll fields and status, bad bodies; and mTLS plus --tunnel-port on a real
// HTTPS server.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  POLL_COMMAND_BATCH,
  POLL_MAX_REPORTS,
  PollAnswerSchema,
  canonicalSnapshot,
  diffSnapshots,
  pollIntervals,
  type CommandResultFrame,
  type PollAnswer,
} from '@capstan/protocol';
import * as z from 'zod/mini';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signChallenge } from '../src/modules/agents/agent-auth.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { DIALECTS } from './helpers/databases.ts';
import { container, FIXTURE_ENGINE as engine, hashOf, snapshot } from './helpers/snapshot-fixtures.ts';
import { ADMIN, createHarness, type Answer, type Harness } from './helpers/harness.ts';
import { fetchJson, type Fetched } from './helpers/https-client.ts';
import { testConfig } from './helpers/server-config.ts';

const POLL = '/api/agents/poll';

/** An enrolled agent as a host holds it: its ids, its key, and the nonce its next poll signs. */
interface PollingAgent {
  envId: number;
  agentId: number;
  privateKey: KeyObject;
  nonce: string | null;
}

const keyPem = (k: KeyObject) => k.export({ format: 'pem', type: 'spki' }).toString();

/** A poll body with nothing to report. */
function idle(agentId: number): Record<string, unknown> {
  return { agentId, protocolVersion: 1, agentVersion: '0.9.0', lastCompletedSeq: 0, accepted: [], results: [] };
}

function result(command: { id: string; seq: number }, status: CommandResultFrame['status'] = 'succeeded'): CommandResultFrame {
  return { type: 'command-result', id: command.id, seq: command.seq, status, output: { ok: true }, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z' };
}

describe.each(DIALECTS)('agent polls (%s)', (dialect) => {
  let h: Harness;
  let admin = '';
  let counter = 0;

  const post = (body: unknown): Promise<Answer> => h.call({ method: 'POST', url: POLL, body });

  /** An environment (async unless told) with an agent enrolled through the API. */
  async function enrol(opts: { mode?: 'standard' | 'async'; pollIntervalSeconds?: number } = {}): Promise<PollingAgent> {
    const name = `poll-${++counter}`;
    const env = await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name, mode: opts.mode ?? 'async', ...(opts.pollIntervalSeconds ? { pollIntervalSeconds: opts.pollIntervalSeconds } : {}) } });
    expect(env.status, JSON.stringify(env.body)).toBe(201);
    const jt = await h.call({ method: 'POST', url: `/api/environments/${env.body.id}/join-tokens`, token: admin, body: {} });
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const e = await h.call({ method: 'POST', url: '/api/agents/enrol', body: { token: jt.body.token, publicKey: keyPem(publicKey), hostname: name, agentVersion: '0.9.0' } });
    expect(e.status, JSON.stringify(e.body)).toBe(201);
    return { envId: env.body.id, agentId: e.body.agentId, privateKey, nonce: null };
  }

  /** A fresh nonce for the agent, the way an agent without one gets it: a poll answered challenge_required. */
  async function challenge(agentId: number): Promise<string> {
    const r = await post(idle(agentId));
    expect(r.status, JSON.stringify(r.body)).toBe(401);
    expect(r.body.code).toBe('challenge_required');
    return r.body.details.nonce as string;
  }

  /** The body signed with the agent's key over its next nonce (asked for when it holds none). */
  async function signed(a: PollingAgent, extra: Record<string, unknown> = {}, key: KeyObject = a.privateKey): Promise<Record<string, unknown>> {
    const nonce = a.nonce ?? (await challenge(a.agentId));
    a.nonce = null;
    return { ...idle(a.agentId), ...extra, nonce, signature: signChallenge(key, 'poll', a.agentId, nonce) };
  }

  /** A signed poll that must succeed; keeps the answer's nonce for the next one. */
  async function poll(a: PollingAgent, extra: Record<string, unknown> = {}): Promise<PollAnswer> {
    const r = await post(await signed(a, extra));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const answer = PollAnswerSchema.parse(r.body);
    a.nonce = answer.nonce;
    return answer;
  }

  const enqueue = async (envId: number, containerId = 'web'): Promise<{ id: string; seq: number }> => {
    const r = await h.call({ method: 'POST', url: `/api/environments/${envId}/commands`, token: admin, body: { kind: 'container.start', payload: { containerId } } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    return r.body;
  };
  const command = (envId: number, id: string) => h.call({ method: 'GET', url: `/api/environments/${envId}/commands/${id}`, token: admin });
  const environment = async (envId: number) => (await h.call({ method: 'GET', url: `/api/environments/${envId}`, token: admin })).body;

  beforeAll(async () => {
    h = await createHarness(dialect);
    admin = await h.setupAdmin();
  });
  afterAll(async () => h?.close());

  it('answers challenge_required with a nonce to sign, then a signed poll; a nonce works once, for its own agent', async () => {
    const a = await enrol();
    const first = await post(idle(a.agentId));
    expect(first.status).toBe(401);
    expect(first.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(first.body).toMatchObject({ code: 'challenge_required', status: 401, details: { nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), serverTime: expect.any(String) } });

    const body = { ...idle(a.agentId), nonce: first.body.details.nonce, signature: signChallenge(a.privateKey, 'poll', a.agentId, first.body.details.nonce) };
    const ok = await post(body);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toEqual({
      serverTime: expect.any(String),
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      mode: 'async',
      intervals: pollIntervals(60),
      snapshot: 'none',
      commands: [],
      more: false,
    });
    expect(ok.body.nonce).not.toBe(first.body.details.nonce);

    // The same poll again (a replay): its nonce is used, so it is refused with a fresh one.
    const replay = await post(body);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('challenge_required');
    expect(replay.body.detail).toMatch(/used already/);

    // Another agent cannot spend this agent's nonce, even with a valid signature of its own.
    const b = await enrol();
    const stolen = await post({ ...idle(b.agentId), nonce: ok.body.nonce, signature: signChallenge(b.privateKey, 'poll', b.agentId, ok.body.nonce) });
    expect(stolen.body.code).toBe('challenge_required');
    // The answer's nonce still works for its agent.
    a.nonce = ok.body.nonce;
    await poll(a);
    // A nonce signed for another purpose does not verify.
    const n = await challenge(a.agentId);
    const connectSig = await post({ ...idle(a.agentId), nonce: n, signature: signChallenge(a.privateKey, 'connect', a.agentId, n) });
    expect(connectSig.status).toBe(401);
    expect(connectSig.body.code).toBe('challenge_failed');
  });

  it('refuses another key with challenge_failed and a revoked agent with agent_revoked', async () => {
    const a = await enrol();
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const wrong = await post(await signed(a, {}, stranger));
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('challenge_failed');
    const unknown = await post(await signed({ ...a, agentId: 987_654 }));
    expect(unknown.body.code).toBe('challenge_failed');

    await poll(a);
    const revoked = await h.call({ method: 'POST', url: `/api/agents/${a.agentId}/revoke`, token: admin });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    const refused = await post(await signed(a));
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('agent_revoked');

    // Refusals are audited; answered polls are transport and are not recorded one by one.
    await h.app.services.audit.flush();
    const audit = await h.call({ method: 'GET', url: `/api/audit?action=agents.poll&targetId=${a.agentId}&limit=100`, token: admin });
    const outcomes = (audit.body.items as Array<{ statusCode: number; actorName: string }>).map((r) => r.statusCode);
    expect(outcomes).toContain(403);
    expect(outcomes).toContain(401);
    expect(outcomes).not.toContain(200);
    expect(audit.body.items[0].actorName).toBe('agent');
  });

  it('applies acceptances and results once, even when the same poll is sent again (with new nonces, at once)', async () => {
    const a = await enrol();
    const c = await enqueue(a.envId);
    const delivered = await poll(a);
    expect(delivered.commands).toEqual([expect.objectContaining({ type: 'command', id: c.id, seq: c.seq, kind: 'container.start', payload: { containerId: 'web' } })]);

    const report = { accepted: [{ type: 'command-accepted', id: c.id, seq: c.seq }], results: [result(c)], lastCompletedSeq: c.seq };
    const b = { ...a, nonce: null };
    // The agent did not see the first answer and sends the same report twice more, concurrently.
    const [first, second] = await Promise.all([post(await signed(a, report)), post(await signed(b, report))]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body.commands).toEqual([]);
    expect(second.body.commands).toEqual([]);
    a.nonce = first.body.nonce;
    await poll(a, report);

    const got = await command(a.envId, c.id);
    expect(got.body).toMatchObject({ status: 'succeeded', attempts: 1, output: { ok: true } });
    const events = (got.body.history as Array<{ event: string; detail: unknown }>).map((e) => e.event);
    expect(events).toEqual(['queued', 'sent', 'accepted', 'succeeded']);
    expect(got.body.history[1].detail).toEqual({ attempt: 1, transport: 'poll' });
  });

  it(`delivers unfinished commands in seq order, ${POLL_COMMAND_BATCH} at a time with more, again until their results arrive`, async () => {
    const a = await enrol();
    const queued: Array<{ id: string; seq: number }> = [];
    for (let i = 0; i < 2 * POLL_COMMAND_BATCH + 1; i++) queued.push(await enqueue(a.envId, `c${i}`));

    const first = await poll(a);
    expect(first.commands.map((c) => c.seq)).toEqual(queued.slice(0, POLL_COMMAND_BATCH).map((c) => c.seq));
    expect(first.more).toBe(true);
    // No results yet: the same batch again (at least once until a result lands).
    const again = await poll(a);
    expect(again.commands.map((c) => c.id)).toEqual(first.commands.map((c) => c.id));
    expect((await command(a.envId, queued[0]!.id)).body.attempts).toBe(2);

    const second = await poll(a, { results: first.commands.map((c) => result(c)).reverse() });
    expect(second.commands.map((c) => c.seq)).toEqual(queued.slice(POLL_COMMAND_BATCH, 2 * POLL_COMMAND_BATCH).map((c) => c.seq));
    expect(second.more).toBe(true);
    const third = await poll(a, { results: second.commands.map((c) => result(c, 'failed')) });
    expect(third.commands.map((c) => c.id)).toEqual([queued[2 * POLL_COMMAND_BATCH]!.id]);
    expect(third.more).toBe(false);
    const done = await poll(a, { results: third.commands.map((c) => result(c)) });
    expect(done).toMatchObject({ commands: [], more: false });
    expect((await environment(a.envId)).queueLength).toBe(0);
  });

  it('sends a busy agent only the commands after the ones it holds (heldUpTo), and everything unfinished to a fresh process', async () => {
    const a = await enrol();
    const queued: Array<{ id: string; seq: number }> = [];
    for (let i = 0; i < 5; i++) queued.push(await enqueue(a.envId, `h${i}`));
    const first = await poll(a);
    expect(first.commands.map((c) => c.seq)).toEqual(queued.map((c) => c.seq));
    // Still working through them: nothing is sent again.
    const busy = await poll(a, { heldUpTo: queued[4]!.seq, results: [result(first.commands[0]!)] });
    expect(busy.commands).toEqual([]);
    expect((await command(a.envId, queued[1]!.id)).body.attempts).toBe(1);
    const later = await enqueue(a.envId, 'h5');
    const next = await poll(a, { heldUpTo: queued[4]!.seq });
    expect(next.commands.map((c) => c.id)).toEqual([later.id]);
    // A restarted agent holds nothing: every unfinished command comes again, in order.
    const fresh = await poll(a, { heldUpTo: 0 });
    expect(fresh.commands.map((c) => c.id)).toEqual([...queued.slice(1).map((c) => c.id), later.id]);
  });

  it('answers a standard environment mode standard and no commands (they go over the tunnel), applying its results', async () => {
    const a = await enrol({ mode: 'standard' });
    const c = await enqueue(a.envId);
    const answer = await poll(a);
    expect(answer).toMatchObject({ mode: 'standard', commands: [], more: false });
    expect((await command(a.envId, c.id)).body.status).toBe('queued');
    // A result the agent still held from its async days lands all the same.
    await h.store.db.updateTable('commands').set({ status: 'sent' }).where('id', '=', c.id).execute();
    await poll(a, { results: [result(c)] });
    expect((await command(a.envId, c.id)).body.status).toBe('succeeded');
  });

  it('stores a full snapshot, applies deltas to it, confirms unchanged, and asks for a full one on any mismatch', async () => {
    const a = await enrol();
    const s1 = snapshot([container('a', 'running'), container('b', 'exited')]);
    expect((await poll(a, { snapshot: { type: 'snapshot-unchanged', hash: hashOf(s1) } })).snapshot).toBe('full-required'); // nothing stored yet
    expect((await poll(a, { snapshot: { type: 'snapshot', hash: hashOf(s1), snapshot: s1 } })).snapshot).toBe('stored');
    const stored = await h.call({ method: 'GET', url: `/api/environments/${a.envId}/snapshot`, token: admin });
    expect(canonicalSnapshot(stored.body.snapshot)).toBe(canonicalSnapshot(s1));

    const s2 = snapshot([container('a', 'exited'), container('c', 'running')], '2026-01-01T00:05:00.000Z');
    const delta = { type: 'snapshot-delta', baseHash: hashOf(s1), hash: hashOf(s2), delta: diffSnapshots(s1, s2) };
    expect((await poll(a, { snapshot: delta })).snapshot).toBe('stored');
    const afterDelta = await h.call({ method: 'GET', url: `/api/environments/${a.envId}/snapshot`, token: admin });
    expect(afterDelta.body.hash).toBe(hashOf(s2));
    expect(canonicalSnapshot(afterDelta.body.snapshot)).toBe(canonicalSnapshot(s2));

    expect((await poll(a, { snapshot: { type: 'snapshot-unchanged', hash: hashOf(s2) } })).snapshot).toBe('unchanged');
    expect((await poll(a, { snapshot: { type: 'snapshot-unchanged', hash: hashOf(s1) } })).snapshot).toBe('full-required');
    // The same wrong base twice in a row: each answer says so (no rate limit on polls).
    expect((await poll(a, { snapshot: delta })).snapshot).toBe('full-required');
    expect((await poll(a, { snapshot: delta })).snapshot).toBe('full-required');
    expect((await poll(a, { snapshot: { type: 'snapshot', hash: 'f'.repeat(64), snapshot: s1 } })).snapshot).toBe('full-required');
    expect((await h.call({ method: 'GET', url: `/api/environments/${a.envId}/snapshot`, token: admin })).body.hash).toBe(hashOf(s2));
    expect((await environment(a.envId)).stateAsOf).toBe(s2.takenAt);
  });

  it('shows poll times, queue length, state age and an up → down status on the environment, its list and its status', async () => {
    const a = await enrol({ pollIntervalSeconds: 5 });
    const before = await environment(a.envId);
    expect(before).toMatchObject({ mode: 'async', status: 'pending', pollIntervalSeconds: 5, lastPollAt: null, nextPollAt: null, queueLength: 0, stateAsOf: null });
    await enqueue(a.envId);
    await enqueue(a.envId);
    const s = snapshot([container('a', 'running')], '2026-02-02T00:00:00.000Z');
    const answer = await poll(a, { snapshot: { type: 'snapshot', hash: hashOf(s), snapshot: s }, engine: { version: '28.2.2', apiVersion: '1.50' } });
    expect(answer.intervals).toEqual({ pollIntervalMs: 5_000, jitterMs: 500 });
    expect(answer.commands).toHaveLength(2);

    // Read through memory before the batched write, and from the database after it.
    for (const phase of ['memory', 'database']) {
      if (phase === 'database') await h.app.services.pollContacts.flush();
      const env = await environment(a.envId);
      expect(env, phase).toMatchObject({ status: 'up', queueLength: 2, stateAsOf: s.takenAt, agentVersion: '0.9.0', engineVersion: '28.2.2' });
      expect(Date.parse(env.nextPollAt) - Date.parse(env.lastPollAt)).toBe(5_500);
      expect(env.lastSeenAt).toBe(env.lastPollAt);
      const listed = await h.call({ method: 'GET', url: `/api/environments?search=${encodeURIComponent(env.name)}`, token: admin });
      expect(listed.body.items[0]).toEqual(env);
      const status = await h.call({ method: 'GET', url: `/api/environments/${a.envId}/status`, token: admin });
      expect(status.body).toMatchObject({ status: 'up', connected: false, mode: 'async', lastPollAt: env.lastPollAt, nextPollAt: env.nextPollAt, lastSeenAt: env.lastPollAt });
    }
    const agents = await h.call({ method: 'GET', url: `/api/environments/${a.envId}/agents`, token: admin });
    expect(agents.body.items[0].lastSeenAt).not.toBeNull();

    // Overdue by more than the grace (10 s): down.
    const overdue = new Date(Date.now() - 11_000).toISOString();
    await h.store.db.updateTable('environments').set({ nextPollAt: overdue }).where('id', '=', a.envId).execute();
    expect((await environment(a.envId)).status).toBe('down');
    expect((await h.call({ method: 'GET', url: `/api/environments/${a.envId}/status`, token: admin })).body.status).toBe('down');
    // The next poll brings it back up.
    await poll(a);
    expect((await environment(a.envId)).status).toBe('up');

    // The interval is set on PATCH (audited), and the next answer carries it.
    const patched = await h.call({ method: 'PATCH', url: `/api/environments/${a.envId}`, token: admin, body: { pollIntervalSeconds: 120 } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.pollIntervalSeconds).toBe(120);
    expect((await poll(a)).intervals).toEqual(pollIntervals(120));
    const bad = await h.call({ method: 'PATCH', url: `/api/environments/${a.envId}`, token: admin, body: { pollIntervalSeconds: 0 } });
    expect(bad.status).toBe(400);
    await h.app.services.audit.flush();
    const audit = await h.call({ method: 'GET', url: `/api/audit?action=environments.update&targetId=${a.envId}&outcome=success`, token: admin });
    expect(audit.body.items[0].details).toMatchObject({ changes: { pollIntervalSeconds: 120 } });
    const created = await h.call({ method: 'GET', url: `/api/audit?action=environments.create&targetId=${a.envId}`, token: admin });
    expect(created.body.items[0].details).toMatchObject({ mode: 'async', pollIntervalSeconds: 5 });
  });

  it('turns an environment switched back to Standard down until its agent opens a tunnel (polls no longer count)', async () => {
    const a = await enrol();
    await poll(a);
    await h.app.services.pollContacts.flush();
    expect((await environment(a.envId)).status).toBe('up');
    const patched = await h.call({ method: 'PATCH', url: `/api/environments/${a.envId}`, token: admin, body: { mode: 'standard' } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await h.app.services.tunnel.settled();
    expect((await environment(a.envId)).status).toBe('down');
  });

  it('keeps an unchanged poll and its answer small', async () => {
    const a = await enrol();
    const s = snapshot([container('a', 'running')]);
    await poll(a, { snapshot: { type: 'snapshot', hash: hashOf(s), snapshot: s } });
    const body = await signed(a, { snapshot: { type: 'snapshot-unchanged', hash: hashOf(s) }, engine: { version: '28.2.2', apiVersion: '1.50' }, lastCompletedSeq: 12 });
    const request = JSON.stringify(body);
    const res = await h.app.fastify.inject({ method: 'POST', url: POLL, headers: { 'content-type': 'application/json' }, payload: request });
    expect(res.statusCode, res.body).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ snapshot: 'unchanged', commands: [], more: false });
    const requestBytes = Buffer.byteLength(request);
    const answerBytes = Buffer.byteLength(res.body);
    console.log(`unchanged poll (${dialect}): request ${requestBytes} bytes, answer ${answerBytes} bytes`);
    expect(requestBytes).toBeLessThan(1024);
    expect(answerBytes).toBeLessThan(1024);
  });

  it('answers malformed polls 400 Problem, never 500', async () => {
    const a = await enrol();
    const raw = (payload: string, contentType = 'application/json') =>
      h.app.fastify.inject({ method: 'POST', url: POLL, headers: { 'content-type': contentType }, payload });
    const notJson = await raw('{"agentId": 1,');
    expect(notJson.statusCode).toBe(400);
    expect(JSON.parse(notJson.body).code).toBe('malformed_json');
    expect((await raw('agentId=1', 'text/plain')).statusCode).toBe(415);

    const base = await signed(a);
    const nul = String.fromCharCode(0);
    const cases: Array<[string, unknown]> = [
      ['empty body', undefined],
      ['an array', [base]],
      ['agentId as a string', { ...base, agentId: String(a.agentId) }],
      ['agentId zero', { ...base, agentId: 0 }],
      ['no protocolVersion', { ...base, protocolVersion: undefined }],
      ['a nonce of the wrong shape', { ...base, nonce: 'short' }],
      ['a signature of the wrong shape', { ...base, signature: 'x'.repeat(10) }],
      ['a result without its id', { ...base, results: [{ type: 'command-result', seq: 1, status: 'succeeded', startedAt: null, finishedAt: 'x' }] }],
      ['too many results', { ...base, results: Array.from({ length: POLL_MAX_REPORTS + 1 }, (_v, i) => result({ id: '00000000-0000-4000-8000-000000000000', seq: i + 1 })) }],
      ['an unknown snapshot type', { ...base, snapshot: { type: 'snapshot-maybe', hash: 'a'.repeat(64) } }],
      ['a bad snapshot hash', { ...base, snapshot: { type: 'snapshot-unchanged', hash: 'nothex' } }],
      ['a full snapshot without containers', { ...base, snapshot: { type: 'snapshot', hash: 'a'.repeat(64), snapshot: { takenAt: 'x', engine } } }],
      ['NUL in agentVersion', { ...base, agentVersion: `a${nul}b` }],
    ];
    for (const [name, body] of cases) {
      const r = await h.call({ method: 'POST', url: POLL, ...(body === undefined ? {} : { body }) });
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.code, name).toBe('validation_failed');
      expect(r.headers['content-type'], name).toMatch(/^application\/problem\+json/);
    }
    // A result for a command the environment does not have changes nothing and fails nothing.
    const stray = await poll(a, { results: [result({ id: '00000000-0000-4000-8000-000000000000', seq: 1 })] });
    expect(stray.commands).toEqual([]);
  });
});

/** POST over HTTPS, optionally with a client certificate (mTLS). */
function postTls(url: string, body: unknown, client?: { cert: string; key: KeyObject }): Promise<Pick<Fetched, 'status' | 'body'>> {
  const payload = JSON.stringify(body);
  const tls = client ? { cert: client.cert, key: client.key.export({ type: 'pkcs8', format: 'pem' }) } : {};
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, agent: false, rejectUnauthorized: false, ...tls },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('agent polls over --tunnel-port with --require-agent-mtls (real HTTPS server)', () => {
  let server: RunningServer;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-polls-'));
    server = await startServer(testConfig(path.join(dataDir, 'server'), { tunnelPort: 0, requireAgentMtls: true }));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves polls on the tunnel port and accepts only the client certificate of that agent', async () => {
    const api = `https://127.0.0.1:${server.port}`;
    const tunnelPort = server.tunnelPort;
    expect(tunnelPort).not.toBeNull();
    const agentUrl = `https://127.0.0.1:${tunnelPort}`;
    const admin = (await fetchJson(`${api}/api/setup/admin`, { method: 'POST', body: ADMIN })).body.token as string;
    const enrol = async (name: string) => {
      const env = await fetchJson(`${api}/api/environments`, { method: 'POST', token: admin, body: { name, mode: 'async' } });
      const jt = await fetchJson(`${api}/api/environments/${env.body.id}/join-tokens`, { method: 'POST', token: admin, body: {} });
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const e = await postTls(`${agentUrl}/api/agents/enrol`, { token: jt.body.token, publicKey: keyPem(publicKey), hostname: name, agentVersion: '0.9.0' });
      expect(e.status, JSON.stringify(e.body)).toBe(201);
      return { agentId: e.body.agentId as number, privateKey, cert: e.body.clientCertificate as string };
    };
    const mine = await enrol('mtls-poll');
    const other = await enrol('mtls-other');
    const pollWith = async (a: { agentId: number; privateKey: KeyObject }, client?: { cert: string; key: KeyObject }) => {
      const challenged = await postTls(`${agentUrl}${POLL}`, idle(a.agentId), client);
      expect(challenged.body.code).toBe('challenge_required');
      const nonce = challenged.body.details.nonce as string;
      return postTls(`${agentUrl}${POLL}`, { ...idle(a.agentId), nonce, signature: signChallenge(a.privateKey, 'poll', a.agentId, nonce) }, client);
    };

    const ok = await pollWith(mine, { cert: mine.cert, key: mine.privateKey });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(z.safeParse(PollAnswerSchema, ok.body).success).toBe(true);
    const none = await pollWith(mine);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 'challenge_failed', detail: expect.stringMatching(/requires agent mTLS/) });
    const borrowed = await pollWith(other, { cert: mine.cert, key: mine.privateKey });
    expect(borrowed.body).toMatchObject({ code: 'challenge_failed', detail: expect.stringMatching(/does not belong to this agent/) });
    // The API port serves polls too.
    expect((await postTls(`${api}${POLL}`, idle(mine.agentId))).body.code).toBe('challenge_required');
  });
});
