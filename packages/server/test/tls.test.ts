import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.ts';
import { ADMIN } from './helpers/harness.ts';
import { fetchJson } from './helpers/https-client.ts';
import { testConfig } from './helpers/server-config.ts';

// Asynchronous on purpose: the server under test runs in this process and must keep answering.
function s_client(port: number, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { timeout: 10_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
    child.stdin.end();
  });
}

async function makeCert(cn: string): Promise<{ cert: string; key: string }> {
  const p = await generate([{ name: 'commonName', value: cn }], { keyType: 'ec', algorithm: 'sha256' });
  return { cert: p.cert, key: p.private };
}

describe('the real HTTPS listener', () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tmp = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'capstan-tls-'));
    dirs.push(d);
    return d;
  };
  const start = async (...a: Parameters<typeof testConfig>) => {
    const s = await startServer(testConfig(...a));
    servers.push(s);
    return s;
  };

  it('serves HTTPS only, with TLS 1.2 minimum, ECDHE suites and no HTTP/2', async () => {
    const s = await start(tmp());
    const health = await fetchJson(`https://127.0.0.1:${s.port}/api/health`);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    // A client willing to speak TLS 1.1 is refused by the server (alert 70, protocol version).
    const old = await s_client(s.port, ['-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0']);
    expect(old.code).not.toBe(0);
    expect(old.out).toMatch(/alert protocol version/);
    const v12 = await s_client(s.port, ['-tls1_2']);
    expect(v12.out).toMatch(/Protocol\s*: TLSv1\.2/);
    expect(v12.out).toMatch(/Cipher\s*: ECDHE-/);
    // Static RSA key exchange is not offered at all.
    expect((await s_client(s.port, ['-tls1_2', '-cipher', 'AES128-GCM-SHA256'])).out).toMatch(/handshake failure|no cipher/i);
    expect((await s_client(s.port, ['-alpn', 'h2'])).out).toMatch(/No ALPN negotiated/);
    expect(s.httpPort).toBeNull();
  });

  it('keeps its certificate, data and sessions across a restart', async () => {
    const dir = tmp();
    const first = await start(dir);
    const setup = await fetchJson(`https://127.0.0.1:${first.port}/api/setup/admin`, { method: 'POST', body: ADMIN });
    expect(setup.status).toBe(201);
    const fp1 = (await fetchJson(`https://127.0.0.1:${first.port}/api/health`)).fingerprint;
    await first.close();
    servers.pop();

    const second = await start(dir);
    const me = await fetchJson(`https://127.0.0.1:${second.port}/api/auth/me`, { token: setup.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe('admin');
    expect(me.fingerprint).toBe(fp1);
    expect((await fetchJson(`https://127.0.0.1:${second.port}/api/health`)).body.setupRequired).toBe(false);
  });

  it('loads a custom certificate and picks up a replaced one without a restart', async () => {
    const dir = tmp();
    const a = await makeCert('first.example');
    const b = await makeCert('second.example');
    const certFile = path.join(dir, 'tls.crt');
    const keyFile = path.join(dir, 'tls.key');
    writeFileSync(certFile, a.cert);
    writeFileSync(keyFile, a.key);
    const s = await start(dir, { tlsCert: certFile, tlsKey: keyFile });
    const before = await fetchJson(`https://127.0.0.1:${s.port}/api/health`);
    // Replace the files the way cert-manager does: write new files and swap them in.
    writeFileSync(`${certFile}.new`, b.cert);
    writeFileSync(`${keyFile}.new`, b.key);
    copyFileSync(`${keyFile}.new`, keyFile);
    copyFileSync(`${certFile}.new`, certFile);
    let after = before;
    for (let i = 0; i < 50 && after.fingerprint === before.fingerprint; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await fetchJson(`https://127.0.0.1:${s.port}/api/health`);
    }
    expect(after.fingerprint).not.toBe(before.fingerprint);
    const subject = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: b.cert, encoding: 'utf8' });
    expect(subject.replace(/^.*=/, '').trim()).toBe(after.fingerprint);
  });

  it('keeps serving the old certificate while the new files do not match', async () => {
    const dir = tmp();
    const a = await makeCert('a.example');
    const b = await makeCert('b.example');
    const certFile = path.join(dir, 'tls.crt');
    const keyFile = path.join(dir, 'tls.key');
    writeFileSync(certFile, a.cert);
    writeFileSync(keyFile, a.key);
    const s = await start(dir, { tlsCert: certFile, tlsKey: keyFile, tlsReloadIntervalMs: 60_000 });
    const before = await fetchJson(`https://127.0.0.1:${s.port}/api/health`);
    writeFileSync(certFile, b.cert); // key not yet replaced: a mismatched pair
    expect(s.reloader.check()).toBe(false);
    const still = await fetchJson(`https://127.0.0.1:${s.port}/api/health`);
    expect(still.status).toBe(200);
    expect(still.fingerprint).toBe(before.fingerprint);
    writeFileSync(keyFile, b.key);
    expect(s.reloader.check()).toBe(true);
    expect((await fetchJson(`https://127.0.0.1:${s.port}/api/health`)).fingerprint).not.toBe(before.fingerprint);
  });

  it('opens a plain HTTP listener only when asked', async () => {
    const s = await start(tmp(), { httpPort: 0 as unknown as number });
    expect(s.httpPort).not.toBeNull();
    const plain = await fetchJson(`http://127.0.0.1:${s.httpPort}/api/health`);
    expect(plain.status).toBe(200);
  });
});
