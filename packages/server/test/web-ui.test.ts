// The web UI build served by the server: the shell on every client-side route, hashed assets
// cached for good, security headers, no way out of the build folder, and the API's own answers
// left as they were.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../src/modules/web/web.policy.ts';
import { createHarness, type Answer, type Harness } from './helpers/harness.ts';

const SHELL = '<!doctype html><html><head><script type="module" src="/assets/app-123.js"></script></head><body><div id="root"></div></body></html>';
// Bigger than the compression threshold, so gzip applies.
const APP_JS = `console.log("capstan");\n${'export const x = 1;\n'.repeat(200)}`;
const SECRET = 'TOP-SECRET-OUTSIDE-THE-BUILD';

/** A tiny build like `vite build` writes, with a secret file beside it that must never be served. */
function fakeBuild(): { root: string; dist: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'capstan-web-'));
  const dist = path.join(root, 'dist');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), SHELL);
  writeFileSync(path.join(dist, 'assets', 'app-123.js'), APP_JS);
  writeFileSync(path.join(dist, 'assets', 'app-123.css'), 'body{margin:0}');
  writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(root, 'secret.txt'), SECRET);
  writeFileSync(path.join(dist, 'assets', '.hidden'), SECRET);
  return { root, dist };
}

function expectShell(r: Answer, what: string): void {
  expect(r.status, what).toBe(200);
  expect(r.body, what).toBe(SHELL);
  expect(r.headers['content-type'], what).toBe('text/html; charset=utf-8');
  expect(r.headers['cache-control'], what).toBe('no-cache');
  expect(r.headers['content-security-policy'], what).toBe(CONTENT_SECURITY_POLICY);
  expect(r.headers['x-content-type-options'], what).toBe('nosniff');
  expect(r.headers['referrer-policy'], what).toBe('same-origin');
  expect(r.headers['x-frame-options'], what).toBe('DENY');
}

/** One request written byte for byte on a socket: nothing resolves dot segments on the way. */
async function raw(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: capstan.test\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('web UI', () => {
  let h: Harness;
  let build: { root: string; dist: string };

  beforeAll(async () => {
    build = fakeBuild();
    h = await createHarness('sqlite', { webDir: build.dist });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(build.root, { recursive: true, force: true });
  });

  it('answers the shell on every client-side route before setup, without credentials', async () => {
    expect((await h.call({ method: 'GET', url: '/api/health' })).body.setupRequired).toBe(true);
    for (const url of ['/', '/index.html', '/setup', '/stacks/3', '/environments/2/containers/abc?tab=logs', '/audit/', '/robots.txt']) {
      expectShell(await h.call({ method: 'GET', url }), url);
    }
    const head = await h.app.fastify.inject({ method: 'HEAD', url: '/stacks/3' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(String(SHELL.length));
    expect(head.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    // The API before setup is as it was.
    const users = await h.call({ method: 'GET', url: '/api/users' });
    expect(users.status).toBe(503);
    expect(users.body.code).toBe('setup_required');
  });

  it('serves assets with their type and immutable caching, compressed when asked', async () => {
    const js = await h.call({ method: 'GET', url: '/assets/app-123.js' });
    expect(js.status).toBe(200);
    expect(js.body).toBe(APP_JS);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    const css = await h.call({ method: 'GET', url: '/assets/app-123.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await h.call({ method: 'GET', url: '/favicon.svg' });
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');

    for (let i = 0; i < 2; i++) {
      const gz = await h.app.fastify.inject({ method: 'GET', url: '/assets/app-123.js', headers: { 'accept-encoding': 'gzip, br' } });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers.vary).toBe('accept-encoding');
      expect(Number(gz.headers['content-length'])).toBe(gz.rawPayload.length);
      expect(gunzipSync(gz.rawPayload).toString('utf8')).toBe(APP_JS);
    }

    const missing = await h.call({ method: 'GET', url: '/assets/app-999.js' });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.body.code).toBe('not_found');
  });

  it('never serves a file outside the build, however the path is written', async () => {
    const attempts = [
      '/assets/../../secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2E%2E%2F%2E%2E%2Fsecret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/.hidden',
      '/assets/..%5c..%5csecret.txt',
      '/assets/x%00.js',
    ];
    for (const url of attempts) {
      const r = await h.call({ method: 'GET', url });
      expect(JSON.stringify(r.body), url).not.toContain(SECRET);
      expect([200, 404], url).toContain(r.status);
      if (r.status === 200) expect(r.body, url).toBe(SHELL);
    }
    // Over a socket, where no client resolves the dot segments first.
    await h.app.fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.fastify.server.address() as AddressInfo;
    for (const target of ['/assets/../../secret.txt', '/assets/../secret.txt', '/../secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt']) {
      const answer = await raw(port, target);
      expect(answer, target).not.toContain(SECRET);
      expect(answer, target).toMatch(/^HTTP\/1\.1 (404|200) /);
    }
  });

  it('keeps the API answers: unknown API paths and other methods are Problem 404', async () => {
    const token = await h.setupAdmin();
    for (const url of ['/api/nope', '/api', '/api/stacks/1/nope']) {
      const r = await h.call({ method: 'GET', url, token });
      expect(r.status, url).toBe(404);
      expect(r.body.code, url).toBe('route_not_found');
    }
    for (const method of ['POST', 'PUT', 'DELETE'] as const) {
      const r = await h.call({ method, url: '/stacks/3', token, body: {} });
      expect(r.status, method).toBe(404);
      expect(r.body.code, method).toBe('route_not_found');
    }
    const metrics = await h.call({ method: 'GET', url: '/metrics', token });
    expect(metrics.status).toBe(200);
    expect(String(metrics.body)).not.toContain('<!doctype html>');
    expectShell(await h.call({ method: 'GET', url: '/stacks/3', token }), 'signed in');
  });
});

describe('web UI not built', () => {
  it('answers UI paths with 503 web_ui_not_built saying how to build it', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'capstan-web-empty-'));
    for (const h of [await createHarness('sqlite'), await createHarness('sqlite', { webDir: empty })]) {
      try {
        for (const url of ['/', '/stacks/3', '/assets/app-123.js']) {
          const r = await h.call({ method: 'GET', url });
          expect(r.status, url).toBe(503);
          expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(r.body.code).toBe('web_ui_not_built');
          expect(r.body.detail).toContain('npm run build:web');
        }
        expect((await h.call({ method: 'GET', url: '/api/health' })).status).toBe(200);
        expect((await h.call({ method: 'GET', url: '/api/nope' })).body.code).toBe('setup_required');
      } finally {
        await h.close();
      }
    }
    rmSync(empty, { recursive: true, force: true });
  });
});
