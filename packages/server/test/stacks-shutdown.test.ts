// Shutdown with a client following a deploy: the Server-Sent Events stream must not keep the
// server from closing (a CLI following a deploy once held SIGTERM off for as long as it listened).
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/server.ts';
import { ADMIN } from './helpers/harness.ts';
import { fetchJson } from './helpers/https-client.ts';
import { testConfig } from './helpers/server-config.ts';

const COMPOSE = 'services:\n  web:\n    image: capstan-test/busybox:latest\n    command: ["sleep", "3600"]\n';

describe('server shutdown with an open deploy event stream', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-sse-close-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ends the stream and closes promptly', async () => {
    const server = await startServer(testConfig(dir));
    const base = `https://127.0.0.1:${server.port}`;
    const token = (await fetchJson(`${base}/api/setup/admin`, { method: 'POST', body: ADMIN })).body.token as string;
    const env = await fetchJson(`${base}/api/environments`, { method: 'POST', token, body: { name: 'offline-site' } });
    const stack = await fetchJson(`${base}/api/stacks`, { method: 'POST', token, body: { name: 'web', environmentId: env.body.id, compose: COMPOSE } });
    expect(stack.status, JSON.stringify(stack.body)).toBe(201);
    // No agent: the deploy stays queued and its event stream stays open.
    const version = await fetchJson(`${base}/api/stacks/${stack.body.id}/deploy`, { method: 'POST', token, body: {} });
    expect(version.status, JSON.stringify(version.body)).toBe(202);

    const ended = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = https.get(
        `${base}/api/stacks/${stack.body.id}/versions/${version.body.id}/events`,
        { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false, agent: false },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
    });
    // Let the stream start (it writes its retry hint and the current status at once).
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    const stream = await ended;
    expect(stream.status).toBe(200);
    expect(stream.text).toContain('event: status');
  });
});
