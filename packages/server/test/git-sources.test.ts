// Git stacks against real Git servers (Debian's `git http-backend` behind a token-checking HTTP
// server, and `git daemon`), on both databases, through the real stacks feature: each redeploy is
// a stack version carrying the commit (no agent here, so its stack.deploy command stays queued).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../src/modules/git-sources/webhook-signature.ts';
import { DIALECTS } from './helpers/databases.ts';
import { GitDaemon, GitHttpServer, GitRepos } from './helpers/git-server.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { until } from './helpers/until.ts';

const TOKEN = 'glpat-the-right-token-123';
const PUSHER = { user: 'dev', token: TOKEN };

const compose = (greeting: string): string =>
  ['services:', '  web:', '    image: busybox:latest', '    command: ["sleep", "3600"]', '    env_file: ./app.env', '    environment:', `      GREETING: ${greeting}`, ''].join('\n');

describe.each(DIALECTS)('Git stacks (%s)', (dialect) => {
  let h: Harness;
  let admin: string;
  let envId: number;
  let repos: GitRepos;
  let http: GitHttpServer;
  let daemon: GitDaemon;
  let seq = 0;

  beforeAll(async () => {
    repos = new GitRepos();
    http = new GitHttpServer(repos, { token: TOKEN });
    await http.start();
    daemon = new GitDaemon(repos);
    await daemon.start();
    h = await createHarness(dialect);
    admin = await h.setupAdmin();
    const env = await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'git-env' } });
    expect(env.status, JSON.stringify(env.body)).toBe(201);
    envId = env.body.id as number;
  });

  afterAll(async () => {
    await h?.close();
    await http?.stop();
    await daemon?.stop();
    repos?.cleanup();
  });

  /** A fresh repository (compose in stack/, a referenced env file, an unrelated README) and a stack; answers both. */
  async function fixture(): Promise<{ name: string; stackId: number; first: string }> {
    const name = `app${++seq}`;
    const first = repos.create(name, { 'stack/compose.yaml': compose('one'), 'stack/app.env': 'MODE=one\n', 'README.md': 'docs\n' });
    const stack = await h.call({ method: 'POST', url: '/api/stacks', token: admin, body: { name, environmentId: envId, compose: 'services:\n  web:\n    image: busybox:latest\n' } });
    expect(stack.status, JSON.stringify(stack.body)).toBe(201);
    return { name, stackId: stack.body.id as number, first };
  }

  const source = (stackId: number) => h.call({ method: 'GET', url: `/api/stacks/${stackId}/git`, token: admin });
  const versions = async (stackId: number): Promise<Array<{ id: number; number: number; gitCommit: string | null }>> => {
    const r = await h.call({ method: 'GET', url: `/api/stacks/${stackId}/versions`, token: admin });
    expect(r.status).toBe(200);
    return r.body.items;
  };
  const version = async (stackId: number, versionId: number) => (await h.call({ method: 'GET', url: `/api/stacks/${stackId}/versions/${versionId}`, token: admin })).body;

  it('refuses a wrong token with a clear error and stores nothing', async () => {
    const { name, stackId } = await fixture();
    const wrong = await h.call({
      method: 'POST',
      url: `/api/stacks/${stackId}/git`,
      token: admin,
      body: { url: http.url(name), composePath: 'stack/compose.yaml', auth: { kind: 'token', username: 'dev', token: 'not-the-token' } },
    });
    expect(wrong.status, JSON.stringify(wrong.body)).toBe(422);
    expect(wrong.body.code).toBe('git_credentials_rejected');
    expect(wrong.body.detail).toMatch(/refused the credentials: check the token/);
    expect(JSON.stringify(wrong.body)).not.toContain('not-the-token');
    const none = await h.call({ method: 'POST', url: `/api/stacks/${stackId}/git`, token: admin, body: { url: http.url(name), composePath: 'stack/compose.yaml' } });
    expect(none.status).toBe(422);
    expect(none.body.detail).toMatch(/asks for credentials/);
    expect((await source(stackId)).status).toBe(404);
    expect(await versions(stackId)).toEqual([]);
    // Credentials in the URL are refused outright (they would be stored and shown).
    const inUrl = await h.call({ method: 'POST', url: `/api/stacks/${stackId}/git`, token: admin, body: { url: http.url(name, PUSHER) } });
    expect(inUrl.status).toBe(400);
    // A compose path that is not in the repository.
    const missing = await h.call({ method: 'POST', url: `/api/stacks/${stackId}/git`, token: admin, body: { url: http.url(name), composePath: 'compose.yaml', auth: { kind: 'token', token: TOKEN } } });
    expect(missing.status, JSON.stringify(missing.body)).toBe(422);
    expect(missing.body.code).toBe('git_files_invalid');
    expect(missing.body.detail).toMatch(/compose\.yaml is not in commit/);
  });

  it('deploys at the ref, redeploys within a poll interval when its files change, and not for other paths', async () => {
    const { name, stackId, first } = await fixture();
    const created = await h.call({
      method: 'POST',
      url: `/api/stacks/${stackId}/git`,
      token: admin,
      body: { url: http.url(name), ref: 'main', composePath: 'stack/compose.yaml', auth: { kind: 'token', username: 'dev', token: TOKEN }, pollIntervalSeconds: 1 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ stackId, environmentId: envId, auth: { kind: 'token', username: 'dev' }, lastSeenCommit: first, lastDeployedCommit: first, lastError: null });
    expect(created.body.webhookSecret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(JSON.stringify(created.body)).not.toContain(TOKEN);

    // The initial deploy read the compose file and the env file it references, at the ref.
    const v1 = await versions(stackId);
    expect(v1.map((v) => v.gitCommit)).toEqual([first]);
    const content = await version(stackId, v1[0]!.id);
    expect(content.compose).toBe(compose('one'));
    expect(content.files).toEqual([{ name: 'app.env', content: 'MODE=one\n' }]);

    // A push to the compose file: found by the poller, redeployed with the new files and commit.
    const second = await repos.push(name, { 'stack/compose.yaml': compose('two') }, http.url(name, PUSHER));
    const v2 = await until('the redeploy of the pushed commit', 20_000, async () => {
      const list = await versions(stackId);
      return list.length === 2 && list;
    });
    expect(v2[0]!.gitCommit).toBe(second);
    expect((await version(stackId, v2[0]!.id)).compose).toBe(compose('two'));
    expect((await source(stackId)).body).toMatchObject({ lastSeenCommit: second, lastDeployedCommit: second });

    // A push touching only other paths: seen, not deployed.
    const third = await repos.push(name, { 'README.md': 'more docs\n', 'other/compose.yaml': compose('elsewhere') }, http.url(name, PUSHER));
    await until('the poller to see the README-only commit', 20_000, async () => (await source(stackId)).body.lastSeenCommit === third);
    // A sync queues behind any poll still running, so its answer is the settled decision.
    const settled = await h.call({ method: 'POST', url: `/api/stacks/${stackId}/git/sync`, token: admin, body: {} });
    expect(settled.body).toMatchObject({ commit: third, redeployed: false, reason: 'only_other_paths', changedPaths: [] });
    expect((await source(stackId)).body.lastDeployedCommit).toBe(second);
    expect(await versions(stackId)).toHaveLength(2);

    // A push to a file the compose file references (not the compose file itself) redeploys.
    const fourth = await repos.push(name, { 'stack/app.env': 'MODE=four\n' }, http.url(name, PUSHER));
    const v3 = await until('the redeploy after the env file changed', 20_000, async () => {
      const list = await versions(stackId);
      return list.length === 3 && list;
    });
    expect(v3[0]!.gitCommit).toBe(fourth);
    expect((await version(stackId, v3[0]!.id)).files).toEqual([{ name: 'app.env', content: 'MODE=four\n' }]);

    // A manual sync with nothing new redeploys nothing.
    const sync = await h.call({ method: 'POST', url: `/api/stacks/${stackId}/git/sync`, token: admin, body: {} });
    expect(sync.status, JSON.stringify(sync.body)).toBe(200);
    expect(sync.body).toMatchObject({ commit: fourth, fetched: true, redeployed: false, reason: 'same_commit' });

    // The stack says where its content comes from: Git while attached, the editor after.
    expect((await h.call({ method: 'GET', url: `/api/stacks/${stackId}`, token: admin })).body.source).toBe('git');
    const del = await h.call({ method: 'DELETE', url: `/api/stacks/${stackId}/git`, token: admin });
    expect(del.status).toBe(204);
    expect((await h.call({ method: 'GET', url: `/api/stacks/${stackId}`, token: admin })).body.source).toBe('editor');
    expect(existsSync(path.join(h.dataDir, 'git', String(created.body.id)))).toBe(false);
    expect((await source(stackId)).status).toBe(404);
    await h.expectAllAudited();
  });

  it('webhooks: a wrong or missing signature is 401; a right one fetches at once', async () => {
    const { name, stackId } = await fixture();
    const secret = 'the shared webhook secret 42';
    const created = await h.call({
      method: 'POST',
      url: `/api/stacks/${stackId}/git`,
      token: admin,
      body: { url: http.url(name), composePath: 'stack/compose.yaml', auth: { kind: 'token', token: TOKEN }, pollIntervalSeconds: 0, webhookSecret: secret },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.webhookSecret).toBeNull();
    expect(created.body.webhook).toEqual({ enabled: true, path: `/api/git-sources/${created.body.id}/webhook` });
    const hook = created.body.webhook.path as string;
    const pushed = await repos.push(name, { 'stack/compose.yaml': compose('hooked') }, http.url(name, PUSHER));
    const payload = JSON.stringify({ ref: 'refs/heads/main', after: pushed });

    const deliver = (headers: Record<string, string>, url = hook) => h.call({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });
    for (const [what, headers] of [
      ['wrong secret', { 'x-hub-signature-256': signWebhook('another secret entirely', payload) }],
      ['signature of another body', { 'x-hub-signature-256': signWebhook(secret, `${payload} `) }],
      ['no signature', {}],
      ['wrong GitLab token', { 'x-gitlab-token': 'nope' }],
    ] as const) {
      const r = await deliver(headers);
      expect(r.status, what).toBe(401);
      expect(r.body.code, what).toBe('webhook_signature_invalid');
    }
    // Unknown sources answer the same as bad signatures (ids cannot be probed).
    const unknown = await deliver({ 'x-hub-signature-256': signWebhook(secret, payload) }, '/api/git-sources/999999/webhook');
    expect(unknown.status).toBe(401);
    // Nothing was fetched: polling is off and every delivery was refused.
    expect((await source(stackId)).body.lastDeployedCommit).not.toBe(pushed);
    expect(await versions(stackId)).toHaveLength(1);

    const ok = await deliver({ 'x-hub-signature-256': signWebhook(secret, payload), 'x-github-event': 'push' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
    expect(ok.body).toEqual({ accepted: true });
    const list = await until('the webhook-triggered redeploy', 20_000, async () => {
      const l = await versions(stackId);
      return l.length === 2 && l;
    });
    expect(list[0]!.gitCommit).toBe(pushed);

    // GitLab's token header works too; with nothing new it changes nothing.
    const gitlab = await deliver({ 'x-gitlab-token': secret });
    expect(gitlab.status).toBe(202);
    // Turning the webhook off: the right signature is refused from then on.
    expect((await h.call({ method: 'PATCH', url: `/api/stacks/${stackId}/git`, token: admin, body: { webhookSecret: null } })).status).toBe(200);
    expect((await deliver({ 'x-hub-signature-256': signWebhook(secret, payload) })).status).toBe(401);
    await h.expectAllAudited();
  });

  it('keeps the last good checkout: with the Git server down the fetch fails and is recorded, a redeploy still works', async () => {
    const { name, stackId, first } = await fixture();
    const created = await h.call({
      method: 'POST',
      url: `/api/stacks/${stackId}/git`,
      token: admin,
      body: { url: http.url(name), composePath: 'stack/compose.yaml', auth: { kind: 'token', token: TOKEN }, pollIntervalSeconds: 0 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await http.stop();
    try {
      const failed = await h.call({ method: 'POST', url: `/api/stacks/${stackId}/git/sync`, token: admin, body: {} });
      expect(failed.status, JSON.stringify(failed.body)).toBe(502);
      expect(failed.body.code).toBe('git_fetch_failed');
      expect(failed.body.detail).toMatch(/could not be reached/);
      const shown = (await source(stackId)).body;
      expect(shown.lastError).toMatch(/could not be reached/);
      expect(shown.consecutiveFailures).toBe(1);
      expect(shown.lastSeenCommit).toBe(first);

      const forced = await h.call({ method: 'POST', url: `/api/stacks/${stackId}/git/sync`, token: admin, body: { redeploy: true } });
      expect(forced.status, JSON.stringify(forced.body)).toBe(200);
      expect(forced.body).toMatchObject({ commit: first, fetched: false, redeployed: true, reason: 'forced' });
      expect(forced.body.fetchError).toMatch(/could not be reached/);
      const list = await versions(stackId);
      expect(list.map((v) => v.gitCommit)).toEqual([first, first]);
      expect((await version(stackId, list[0]!.id)).compose).toBe(compose('one'));
    } finally {
      await http.start();
    }
    // Back up: the next sync succeeds and clears the error.
    const again = await h.call({ method: 'POST', url: `/api/stacks/${stackId}/git/sync`, token: admin, body: {} });
    expect(again.status).toBe(200);
    expect(again.body.source).toMatchObject({ lastError: null, consecutiveFailures: 0 });
  });

  it('checks changed credentials before storing them, and never shows or logs them', async () => {
    const { name, stackId } = await fixture();
    const created = await h.call({
      method: 'POST',
      url: `/api/stacks/${stackId}/git`,
      token: admin,
      body: { url: http.url(name), composePath: 'stack/compose.yaml', auth: { kind: 'token', token: TOKEN }, pollIntervalSeconds: 0 },
    });
    expect(created.status).toBe(201);
    const bad = await h.call({ method: 'PATCH', url: `/api/stacks/${stackId}/git`, token: admin, body: { auth: { kind: 'token', token: 'a-wrong-token' } } });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('git_credentials_rejected');
    // Still the stored, working token.
    expect((await h.call({ method: 'POST', url: `/api/stacks/${stackId}/git/sync`, token: admin, body: {} })).status).toBe(200);
    const badRef = await h.call({ method: 'PATCH', url: `/api/stacks/${stackId}/git`, token: admin, body: { ref: 'no-such-branch' } });
    expect(badRef.status).toBe(422);
    expect(badRef.body.code).toBe('git_ref_not_found');
    const ok = await h.call({ method: 'PATCH', url: `/api/stacks/${stackId}/git`, token: admin, body: { pollIntervalSeconds: 60 } });
    expect(ok.status).toBe(200);
    expect(ok.body.pollIntervalSeconds).toBe(60);
    await h.app.services.audit.flush();
    const rows = await h.store.audit.selectFrom('auditLog').select(['details']).execute();
    expect(rows.map((r) => r.details).join('\n')).not.toMatch(new RegExp(`${TOKEN}|a-wrong-token`));
    const stored = await h.store.db.withTables<{ gitSources: { stackId: number; authSecret: string | null } }>().selectFrom('gitSources').select('authSecret').where('stackId', '=', stackId).executeTakeFirstOrThrow();
    expect(stored.authSecret).toMatch(/^v1:/);
    expect(stored.authSecret).not.toContain(TOKEN);
  });

  it('SSH sources: the key goes to a temporary 0600 file that is gone afterwards; an unreachable host is a clear 502', async () => {
    const { stackId } = await fixture();
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith('capstan-ssh-'));
    const privateKey = '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n';
    const r = await h.call({ method: 'POST', url: `/api/stacks/${stackId}/git`, token: admin, body: { url: 'ssh://git@127.0.0.1:1/shop.git', auth: { kind: 'ssh', privateKey } } });
    expect(r.status, JSON.stringify(r.body)).toBe(502);
    expect(r.body.code).toBe('git_fetch_failed');
    expect(r.body.detail).toMatch(/could not be reached/);
    expect(JSON.stringify(r.body)).not.toContain('not-a-real-key');
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('capstan-ssh-'))).toEqual(before);
    expect((await source(stackId)).status).toBe(404);
  });

  it('fetches over git:// (git daemon) as well', async () => {
    const { name, stackId, first } = await fixture();
    const created = await h.call({ method: 'POST', url: `/api/stacks/${stackId}/git`, token: admin, body: { url: daemon.url(name), composePath: 'stack/compose.yaml', pollIntervalSeconds: 0 } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.lastDeployedCommit).toBe(first);
    const pushed = await repos.push(name, { 'stack/compose.yaml': compose('daemon') }, daemon.url(name));
    const sync = await h.call({ method: 'POST', url: `/api/stacks/${stackId}/git/sync`, token: admin, body: {} });
    expect(sync.status, JSON.stringify(sync.body)).toBe(200);
    expect(sync.body).toMatchObject({ commit: pushed, redeployed: true, reason: 'own_files_changed', changedPaths: ['stack/compose.yaml'] });
  });
});

describe('Git stacks across a restart (sqlite)', () => {
  it('polls stored sources again after a restart, and records a credential it cannot open', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-git-restart-'));
    const repos = new GitRepos();
    const open = new GitHttpServer(repos);
    const guarded = new GitHttpServer(repos, { token: TOKEN });
    await open.start();
    await guarded.start();
    let h = await createHarness('sqlite', { dataDir });
    try {
      const admin = await h.setupAdmin();
      const envId = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'restart-env' } })).body.id as number;
      const first = repos.create('restart', { 'compose.yaml': compose('one'), 'app.env': 'MODE=one\n' });
      const newStack = async (name: string) =>
        (await h.call({ method: 'POST', url: '/api/stacks', token: admin, body: { name, environmentId: envId, compose: 'services:\n  web:\n    image: busybox:latest\n' } })).body.id as number;
      const plain = await newStack('plain');
      const withToken = await newStack('with-token');
      for (const [stackId, body] of [
        [plain, { url: open.url('restart'), pollIntervalSeconds: 1 }],
        [withToken, { url: guarded.url('restart'), auth: { kind: 'token', token: TOKEN }, pollIntervalSeconds: 1 }],
      ] as const) {
        const created = await h.call({ method: 'POST', url: `/api/stacks/${stackId}/git`, token: admin, body });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        expect(created.body.lastDeployedCommit).toBe(first);
      }
      await h.close();

      const pushed = await repos.push('restart', { 'compose.yaml': compose('after restart') }, open.url('restart'));
      // The harness gives each start a new secret key (the server keeps data/secret.key): the stored token cannot be opened.
      h = await createHarness('sqlite', { dataDir });
      const list = await until('the restarted poller to redeploy', 20_000, async () => {
        const r = await h.call({ method: 'GET', url: `/api/stacks/${plain}/versions`, token: admin });
        return r.body.items.length === 2 && (r.body.items as Array<{ gitCommit: string }>);
      });
      expect(list[0]!.gitCommit).toBe(pushed);
      const broken = await until('the unreadable token to be recorded', 20_000, async () => {
        const r = await h.call({ method: 'GET', url: `/api/stacks/${withToken}/git`, token: admin });
        return r.body.lastError !== null && r.body;
      });
      expect(broken.lastError).toMatch(/cannot be decrypted.*enter the secret again/);
      expect(broken.lastDeployedCommit).toBe(first);
    } finally {
      await h.close();
      await open.stop();
      await guarded.stop();
      repos.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
