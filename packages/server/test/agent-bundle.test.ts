// The bundled agent download (GET /api/agents/capstan-agent.js) and the join command that uses it: served
// with its hash, the hash carried by the command follows the file, a missing bundle is a 503 that says what
// to run, and the command itself, pasted into sh and bash against a real HTTPS listener, downloads the
// file, verifies it and only then runs node with the agent's arguments.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.ts';
import { ADMIN, createHarness, STAND_IN_AGENT_BUNDLE, type Harness } from './helpers/harness.ts';
import { fetchJson } from './helpers/https-client.ts';
import { testConfig } from './helpers/server-config.ts';
import { AGENT_NODE_OPTIONS } from '@capstan/protocol';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const URL_PATH = '/api/agents/capstan-agent.js';

describe('the agent bundle route and the hash in join commands', () => {
  let h: Harness | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-bundle-'));
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the file with its SHA-256, answers 304 to a matching ETag, and follows a rebuilt file', async () => {
    h = await createHarness('sqlite', { publicUrl: 'https://cp.example:9443' });
    const admin = await h.setupAdmin();
    const got = await h.call({ method: 'GET', url: URL_PATH });
    expect(got.status).toBe(200);
    expect(got.body).toBe(STAND_IN_AGENT_BUNDLE);
    expect(got.headers['content-type']).toMatch(/^text\/javascript/);
    expect(got.headers['x-capstan-agent-sha256']).toBe(sha256(STAND_IN_AGENT_BUNDLE));
    expect(got.headers.etag).toBe(`"${sha256(STAND_IN_AGENT_BUNDLE)}"`);
    const again = await h.call({ method: 'GET', url: URL_PATH, headers: { 'if-none-match': String(got.headers.etag) } });
    expect(again.status).toBe(304);

    const env = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'e' } })).body.id as number;
    const first = await h.call({ method: 'POST', url: `/api/environments/${env}/join-tokens`, token: admin, body: {} });
    expect(first.body.command).toContain(`echo '${sha256(STAND_IN_AGENT_BUNDLE)}  capstan-agent.js' | sha256sum -c && node ${AGENT_NODE_OPTIONS.join(' ')} capstan-agent.js `);

    // A rebuilt bundle (other bytes, same size, other mtime) is served and hashed without a restart.
    const file = path.join(h.dataDir, 'capstan-agent.js');
    const rebuilt = STAND_IN_AGENT_BUNDLE.replace('stand-in', 'rebuilt!');
    writeFileSync(file, rebuilt);
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect((await h.call({ method: 'GET', url: URL_PATH })).body).toBe(rebuilt);
    const second = await h.call({ method: 'POST', url: `/api/environments/${env}/join-tokens`, token: admin, body: {} });
    expect(second.body.command).toContain(`echo '${sha256(rebuilt)}  capstan-agent.js'`);
  });

  it('answers 503 agent_bundle_missing saying how to build it; join tokens are still issued', async () => {
    const missing = path.join(dir, 'nowhere', 'capstan-agent.js');
    h = await createHarness('sqlite', { agentBundle: missing });
    const admin = await h.setupAdmin();
    const got = await h.call({ method: 'GET', url: URL_PATH });
    expect(got.status).toBe(503);
    expect(got.body.code).toBe('agent_bundle_missing');
    expect(got.body.detail).toContain('npm run build:agent');
    const env = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'e' } })).body.id as number;
    const jt = await h.call({ method: 'POST', url: `/api/environments/${env}/join-tokens`, token: admin, body: {} });
    expect(jt.status).toBe(201);
    // The download step fails on the 503 before anything runs; the placeholder hash can never match.
    expect(jt.body.command).toMatch(/^curl -fsS -o capstan-agent\.js \S+\/api\/agents\/capstan-agent\.js && echo '0{64}  capstan-agent\.js' \| sha256sum -c && node /);
    // Built later: served from then on.
    mkdirSync(path.dirname(missing));
    writeFileSync(missing, 'late');
    expect((await h.call({ method: 'GET', url: URL_PATH })).body).toBe('late');
  });
});

describe('the join command pasted into a shell (real HTTPS listener, self-signed certificate)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-join-sh-'));
  const bundle = path.join(dir, 'server-bundle.js');
  const fakeBin = path.join(dir, 'bin');
  let server: RunningServer;
  let token = '';
  const api = (p: string, opts: Parameters<typeof fetchJson>[1] = {}) => fetchJson(`https://127.0.0.1:${server.port}${p}`, { token, ...opts });

  beforeAll(async () => {
    writeFileSync(bundle, '// the agent, as the server has it\n');
    // `node` on this PATH records how it was called instead of running anything.
    mkdirSync(fakeBin);
    writeFileSync(path.join(fakeBin, 'node'), '#!/bin/sh\nprintf "%s\\n" "$@" > node-args\n');
    chmodSync(path.join(fakeBin, 'node'), 0o755);
    server = await startServer(testConfig(path.join(dir, 'data'), { agentBundle: bundle }));
    token = (await api('/api/setup/admin', { method: 'POST', body: ADMIN })).body.token as string;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function joinCommand(): Promise<{ command: string; token: string }> {
    const env = await api('/api/environments', { method: 'POST', body: { name: `e-${Math.random().toString(36).slice(2)}` } });
    const jt = await api(`/api/environments/${env.body.id}/join-tokens`, { method: 'POST', body: {} });
    expect(jt.status).toBe(201);
    return jt.body;
  }

  function paste(shell: 'sh' | 'bash', command: string, cwd: string): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
      execFile(shell, ['-c', command], { cwd, env: { PATH: `${fakeBin}:/usr/bin:/bin` }, timeout: 20_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, output: stdout + stderr });
      });
    });
  }

  it.each(['sh', 'bash'] as const)('%s: downloads, verifies, then runs node with its options and the agent arguments', async (shell) => {
    const jt = await joinCommand();
    const cwd = mkdtempSync(path.join(dir, `${shell}-`));
    const r = await paste(shell, jt.command, cwd);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('capstan-agent.js: OK');
    expect(readFileSync(path.join(cwd, 'capstan-agent.js'))).toEqual(readFileSync(bundle));
    const args = readFileSync(path.join(cwd, 'node-args'), 'utf8').trim().split('\n');
    expect(args).toEqual([
      ...AGENT_NODE_OPTIONS,
      'capstan-agent.js',
      '--server', `https://127.0.0.1:${server.port}`,
      '--join-token', jt.token,
      '--server-fingerprint', expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
    ]);
  });

  it('refuses to run a file that is not the one the command was made for', async () => {
    const jt = await joinCommand();
    writeFileSync(bundle, '// tampered with after the token was made\n');
    const cwd = mkdtempSync(path.join(dir, 'tampered-'));
    const r = await paste('sh', jt.command, cwd);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('FAILED');
    expect(existsSync(path.join(cwd, 'node-args'))).toBe(false);
  });
});
