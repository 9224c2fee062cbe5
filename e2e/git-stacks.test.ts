// Git stacks end to end, all real: a Git server (git http-backend behind a token-checking HTTP
// server), the Capstan server, and the agent process in a rig host with its own dockerd. A push to
// the stack's env file is picked up by polling and recreates the container; a push touching only
// other paths changes nothing; a wrongly signed webhook is refused, a rightly signed one deploys.
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../packages/server/src/modules/git-sources/webhook-signature.ts';
import { GitHttpServer, GitRepos } from '../packages/server/test/helpers/git-server.ts';
import { until } from '../packages/server/test/helpers/until.ts';
import { inHost, startJoinedAgent, type JoinedAgent } from './helpers/joined-agent.ts';
import { startHosts, stopAll, TEST_IMAGE, type Host } from './rig/index.ts';

const TOKEN = 'e2e-git-token-0123456789';
const PROJECT = 'gitshop';

const COMPOSE = ['services:', '  web:', `    image: ${TEST_IMAGE}`, '    command: ["sleep", "3600"]', '    network_mode: none', '    env_file: ./web.env', ''].join('\n');

/** POSTs a raw webhook delivery over HTTPS (self-signed server certificate). */
function deliver(url: string, raw: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, rejectUnauthorized: false, agent: false, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(raw);
  });
}

describe('Git stacks end to end (real Git server, real server, real agent)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-e2e-git-'));
  const repos = new GitRepos();
  const git = new GitHttpServer(repos, { token: TOKEN });
  let host: Host;
  let joined: JoinedAgent;
  let stackId = 0;
  let sourceId = 0;
  let webhookSecret = '';

  const api: JoinedAgent['api'] = (p, opts) => joined.api(p, opts);
  const push = (changes: Record<string, string>) => repos.push('shop', changes, git.url('shop', { user: 'dev', token: TOKEN }));
  const versions = async () => (await api(`/api/stacks/${stackId}/versions`)).body.items as Array<{ id: number; status: string; gitCommit: string | null }>;
  /** The newest version once it ended deployed, when it carries `commit`. */
  const deployed = (commit: string) =>
    until(`a deployed version of ${commit.slice(0, 8)}`, 90_000, async () => {
      const newest = (await versions())[0];
      if (newest?.gitCommit !== commit) return null;
      if (newest.status === 'failed' || newest.status === 'rolled_back') throw new Error(`version ${newest.id} ended ${newest.status}`);
      return newest.status === 'deployed' && newest;
    });
  /** The project's one container: id and GREETING. */
  const web = async (): Promise<{ id: string; env: string[] }> => {
    const id = (await host.docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`])).trim();
    expect(id.split('\n')).toHaveLength(1);
    return { id, env: JSON.parse(await host.docker(['inspect', '-f', '{{json .Config.Env}}', id])) as string[] };
  };

  beforeAll(async () => {
    await git.start();
    [host] = (await startHosts(1)) as [Host];
    joined = await startJoinedAgent({ dir, place: inHost(host), environment: 'git-site' });
    const stack = await api('/api/stacks', { method: 'POST', body: { name: PROJECT, environmentId: joined.envId, source: 'git', compose: `services:\n  web:\n    image: ${TEST_IMAGE}\n`, health: { windowSeconds: 0 } } });
    expect(stack.status, JSON.stringify(stack.body)).toBe(201);
    stackId = stack.body.id as number;
  }, 120_000);

  afterAll(async () => {
    await joined?.stop();
    await git.stop();
    await stopAll();
    repos.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deploys the stack from the repository at the ref', async () => {
    const first = repos.create('shop', { 'deploy/compose.yaml': COMPOSE, 'deploy/web.env': 'GREETING=one\n', 'README.md': 'shop\n' });
    const created = await api(`/api/stacks/${stackId}/git`, {
      method: 'POST',
      body: { url: git.url('shop'), ref: 'main', composePath: 'deploy/compose.yaml', auth: { kind: 'token', username: 'dev', token: TOKEN }, pollIntervalSeconds: 1 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.lastDeployedCommit).toBe(first);
    sourceId = created.body.id as number;
    webhookSecret = created.body.webhookSecret as string;
    await deployed(first);
    expect((await web()).env).toContain('GREETING=one');
  }, 120_000);

  it('a push to a file the stack reads redeploys within a poll interval; a push elsewhere changes nothing', async () => {
    const before = await web();
    const other = await push({ 'README.md': 'shop, documented\n' });
    await until('the poller to see the README-only commit', 20_000, async () => (await api(`/api/stacks/${stackId}/git`)).body.lastSeenCommit === other);
    // A sync queues behind any poll still running, so its answer is the settled decision.
    const settled = await api(`/api/stacks/${stackId}/git/sync`, { method: 'POST', body: {} });
    expect(settled.body).toMatchObject({ commit: other, redeployed: false, reason: 'only_other_paths' });
    expect(await versions()).toHaveLength(1);
    expect((await web()).id).toBe(before.id);

    const changed = await push({ 'deploy/web.env': 'GREETING=two\n' });
    await deployed(changed);
    const after = await web();
    expect(after.id).not.toBe(before.id);
    expect(after.env).toContain('GREETING=two');
    expect(await versions()).toHaveLength(2);
  }, 150_000);

  it('a webhook with a wrong signature is 401; a signed one deploys the pushed commit', async () => {
    expect((await api(`/api/stacks/${stackId}/git`, { method: 'PATCH', body: { pollIntervalSeconds: 0 } })).status).toBe(200);
    const pushed = await push({ 'deploy/web.env': 'GREETING=three\n' });
    const body = { ref: 'refs/heads/main', after: pushed };
    const raw = JSON.stringify(body);
    const hook = `https://127.0.0.1:${joined.server.port}/api/git-sources/${sourceId}/webhook`;
    const wrong = await deliver(hook, raw, { 'x-hub-signature-256': signWebhook('not the secret at all', raw) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('webhook_signature_invalid');
    const right = await deliver(hook, raw, { 'x-hub-signature-256': signWebhook(webhookSecret, raw), 'x-github-event': 'push' });
    expect(right.status, JSON.stringify(right.body)).toBe(202);
    await deployed(pushed);
    expect((await web()).env).toContain('GREETING=three');
  }, 150_000);
});
