import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN } from './helpers/harness.ts';
import { fetchJson } from './helpers/https-client.ts';
import { freePort } from './helpers/server-process.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** `npm start` is `bash scripts/start.sh`; run the script itself with a private data dir and port. */
async function start(dataDir: string, port: number): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn('bash', ['scripts/start.sh', '--data-dir', dataDir, '--port', String(port), '--log-level', 'warn'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!(await fetchJson(`https://127.0.0.1:${port}/api/health`).then((r) => r.status === 200, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`not ready: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, exited };
}

function refusesTls11(port: number): Promise<string> {
  return new Promise((resolve) => {
    const c = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0']);
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (out += d.toString()));
    c.on('close', () => resolve(out));
    c.stdin.end();
  });
}

describe("the README's run command", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-readme-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves health over HTTPS, refuses TLS 1.1, and keeps certificate and data across a restart', async () => {
    const dataDir = path.join(dir, 'data');
    const port = await freePort();
    const first = await start(dataDir, port);
    children.push(first.child);
    const health = await fetchJson(`https://127.0.0.1:${port}/api/health`);
    expect(health.body).toMatchObject({ status: 'ok', setupRequired: true });
    expect(await refusesTls11(port)).toMatch(/alert protocol version/);
    const setup = await fetchJson(`https://127.0.0.1:${port}/api/setup/admin`, { method: 'POST', body: ADMIN });
    expect(setup.status).toBe(201);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await start(dataDir, port);
    children.push(second.child);
    const again = await fetchJson(`https://127.0.0.1:${port}/api/health`);
    expect(again.fingerprint).toBe(health.fingerprint);
    expect(again.body.setupRequired).toBe(false);
    const me = await fetchJson(`https://127.0.0.1:${port}/api/auth/me`, { token: setup.body.token });
    expect(me.body.user.username).toBe('admin');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
