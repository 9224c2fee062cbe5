// App templates against real databases: the catalogue from a file and from a URL served by a local
// HTTP server (including failures that keep the last good copy, and a restart that serves the cached
// copy), custom templates, rendering errors, permissions and the deploy seam.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NewStackFromTemplate } from '../src/modules/templates/templates.service.ts';
import { DIALECTS, freshPgDatabase } from './helpers/databases.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const TEST_IMAGE = 'capstan-test/busybox:latest';

const GOOD = {
  id: 'web',
  title: 'Web server',
  description: 'busybox httpd',
  categories: ['web'],
  compose: 'services:\n  web:\n    image: ${IMAGE}\n    ports: ["${PORT}:8080"]\n    environment:\n      TOKEN: ${TOKEN}\n',
  files: [{ name: 'conf/httpd.conf', content: 'A:*\n' }],
  variables: [
    { name: 'IMAGE', type: 'string', default: TEST_IMAGE },
    { name: 'PORT', type: 'port', default: 8080, min: 1024 },
    { name: 'TOKEN', type: 'secret', required: true, min: 8 },
    { name: 'MODE', type: 'select', options: [{ value: 'a' }, { value: 'b' }], default: 'a' },
  ],
};
const SECOND = { id: 'job', title: 'Job', compose: 'services:\n  job:\n    image: capstan-test/busybox:latest\n' };
const BAD_ENTRY = { id: 'broken', title: 'Broken', compose: 'services:\n  x:\n    image: ${NOPE}\n' };

/** A local HTTP server whose answer the test changes as it goes. */
interface CatalogueServer {
  url: string;
  answer: (res: http.ServerResponse) => void;
  requests: number;
  close(): Promise<void>;
}

async function catalogueServer(): Promise<CatalogueServer> {
  const state: CatalogueServer = {
    url: '',
    requests: 0,
    answer: (res) => res.writeHead(404).end(),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = http.createServer((req, res) => {
    state.requests++;
    state.answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/catalogue.json?token=s3cret`;
  return state;
}

const json = (body: unknown) => (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe.each(DIALECTS)('app templates (%s)', (dialect) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-templates-'));
  const file = path.join(dir, 'catalogue.json');
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.expectAllAudited();
    await h?.close();
    h = null;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves a catalogue file, skipping a bad entry with a visible reason, and keeps catalogue entries read-only', async () => {
    writeFileSync(file, JSON.stringify({ templates: [GOOD, BAD_ENTRY, SECOND] }));
    h = await createHarness(dialect, { templates: { file, url: null, refreshIntervalMs: 3_600_000 } });
    const admin = await h.setupAdmin();

    const status = await h.call({ method: 'GET', url: '/api/templates/catalogue/status', token: admin });
    expect(status.body).toMatchObject({ source: { kind: 'file', location: file }, state: 'ok', templates: 2, lastError: null });
    expect(status.body.skipped).toEqual([{ index: 1, id: 'broken', reason: expect.stringContaining('${NOPE}') }]);

    const list = await h.call({ method: 'GET', url: '/api/templates', token: admin });
    expect(list.body).toMatchObject({ total: 2, items: [{ id: 'job', source: 'catalogue' }, { id: 'web', variableCount: 4 }] });
    expect(list.body.items[0]).not.toHaveProperty('compose');
    const web = await h.call({ method: 'GET', url: '/api/templates/web', token: admin });
    expect(web.body).toMatchObject({ id: 'web', source: 'catalogue', logo: null, createdAt: null, files: GOOD.files });
    expect(web.body.variables[0]).toMatchObject({ name: 'IMAGE', label: 'IMAGE', required: false, description: '' });
    expect((await h.call({ method: 'GET', url: '/api/templates/broken', token: admin })).status).toBe(404);

    const patch = await h.call({ method: 'PATCH', url: '/api/templates/web', token: admin, body: { title: 'Mine' } });
    expect(patch.status).toBe(409);
    expect(patch.body.code).toBe('template_read_only');
    expect((await h.call({ method: 'DELETE', url: '/api/templates/web', token: admin })).body.code).toBe('template_read_only');

    // Fixing the file and refreshing serves the fixed entry; breaking it keeps the last good copy.
    writeFileSync(file, JSON.stringify({ templates: [GOOD, { ...BAD_ENTRY, variables: [{ name: 'NOPE', type: 'string', default: 'x' }] }] }));
    const fixed = await h.call({ method: 'POST', url: '/api/templates/catalogue/refresh', token: admin });
    expect(fixed.body).toMatchObject({ state: 'ok', templates: 2, skipped: [] });
    writeFileSync(file, '{"templates": [');
    const broken = await h.call({ method: 'POST', url: '/api/templates/catalogue/refresh', token: admin });
    expect(broken.body).toMatchObject({ state: 'error', templates: 2, lastError: expect.stringMatching(/not valid JSON/) });
    expect((await h.call({ method: 'GET', url: '/api/templates/broken', token: admin })).status).toBe(200);
  });

  it('fetches the catalogue from a URL, keeps the last good copy when a refresh fails, and serves the cached copy after a restart', async () => {
    const srv = await catalogueServer();
    const own = dialect === 'postgres' ? await freshPgDatabase() : null;
    const dataDir = mkdtempSync(path.join(dir, 'data-'));
    const opts = {
      dataDir,
      ...(own ? { databaseUrl: own.url } : {}),
      templates: { file: null, url: srv.url, refreshIntervalMs: 3_600_000, fetchTimeoutMs: 500 },
    };
    try {
      srv.answer = json({ templates: [GOOD, BAD_ENTRY] });
      h = await createHarness(dialect, opts);
      const admin = await h.setupAdmin();
      await h.app.services.templates.catalogue.settled();
      const first = await h.call({ method: 'GET', url: '/api/templates/catalogue/status', token: admin });
      // The URL's query (a token here) never shows.
      expect(first.body).toMatchObject({ source: { kind: 'url', location: srv.url.split('?')[0] }, state: 'ok', templates: 1 });
      expect(first.body.skipped).toMatchObject([{ id: 'broken' }]);
      expect(JSON.stringify(first.body)).not.toContain('s3cret');

      srv.answer = (res) => res.writeHead(500).end('down for maintenance');
      const failed = await h.call({ method: 'POST', url: '/api/templates/catalogue/refresh', token: admin });
      expect(failed.body).toMatchObject({ state: 'error', templates: 1, loadedAt: first.body.loadedAt, lastError: expect.stringMatching(/answered HTTP 500/) });
      expect((await h.call({ method: 'GET', url: '/api/templates/web', token: admin })).status).toBe(200);

      srv.answer = () => undefined; // never answers
      const slow = await h.call({ method: 'POST', url: '/api/templates/catalogue/refresh', token: admin });
      expect(slow.body).toMatchObject({ state: 'error', templates: 1, lastError: 'no complete answer in time' });

      srv.answer = json({ items: [] });
      const wrongShape = await h.call({ method: 'POST', url: '/api/templates/catalogue/refresh', token: admin });
      expect(wrongShape.body).toMatchObject({ state: 'error', templates: 1, lastError: expect.stringMatching(/"templates" array/) });

      srv.answer = json({ templates: [GOOD, SECOND] });
      const updated = await h.call({ method: 'POST', url: '/api/templates/catalogue/refresh', token: admin });
      expect(updated.body).toMatchObject({ state: 'ok', templates: 2, lastError: null, skipped: [] });
      await h.expectAllAudited();
      await h.close();

      // Restart while the URL is down: the last good copy comes from the database at once.
      srv.answer = (res) => res.writeHead(503).end();
      h = await createHarness(dialect, opts);
      await h.app.services.templates.catalogue.settled();
      const login = await h.call({ method: 'POST', url: '/api/auth/login', body: { username: 'admin', password: 'correct horse battery staple' } });
      const after = await h.call({ method: 'GET', url: '/api/templates/catalogue/status', token: login.body.token });
      expect(after.body).toMatchObject({ state: 'error', templates: 2, loadedAt: updated.body.loadedAt, lastError: expect.stringMatching(/HTTP 503/) });
      expect((await h.call({ method: 'GET', url: '/api/templates/job', token: login.body.token })).status).toBe(200);
    } finally {
      await h?.close();
      h = null;
      await own?.drop();
      await srv.close();
    }
  });

  describe('custom templates, rendering and deploying', () => {
    let admin: string;
    let alice: { id: number; token: string };
    let roKey: string;
    const created: NewStackFromTemplate[] = [];

    beforeAll(() => {
      writeFileSync(file, JSON.stringify({ templates: [GOOD] }));
    });

    async function start(): Promise<Harness> {
      const harness = await createHarness(dialect, { templates: { file, url: null, refreshIntervalMs: 3_600_000 } });
      admin = await harness.setupAdmin();
      alice = await harness.user(admin, 'alice');
      roKey = (await harness.call({ method: 'POST', url: '/api/api-keys', token: admin, body: { name: 'ro', readOnly: true } })).body.key;
      return harness;
    }

    it('creates, lists, changes and deletes custom templates; refuses inconsistent definitions by field', async () => {
      h = await start();
      const body = {
        title: 'Echo',
        categories: ['tools'],
        compose: 'services:\n  echo:\n    image: ${IMAGE:-capstan-test/busybox:latest}\n    command: ["echo", "${GREETING}"]\n',
        variables: [{ name: 'GREETING', label: 'Greeting', type: 'string', default: 'hello', max: 20 }],
      };
      const c = await h.call({ method: 'POST', url: '/api/templates', token: admin, body });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      expect(c.body).toMatchObject({ id: expect.stringMatching(/^[0-9]+$/), source: 'custom', title: 'Echo', files: [], logo: null, description: '' });
      const id = c.body.id as string;
      expect((await h.call({ method: 'POST', url: '/api/templates', token: admin, body: { ...body, title: 'ECHO' } })).body.code).toBe('conflict');

      const bad = await h.call({
        method: 'POST',
        url: '/api/templates',
        token: admin,
        body: { title: 'Bad', compose: 'x: ${UNDECLARED}', variables: [{ name: 'P', type: 'secret', default: 'nope-nope' }, { name: 'S', type: 'select' }] },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(['variables.0.default', 'variables.1.options', 'compose']);
      const badFile = await h.call({ method: 'POST', url: '/api/templates', token: admin, body: { ...body, title: 'F', files: [{ name: '../etc/passwd', content: '' }] } });
      expect(badFile.body.issues[0]).toMatchObject({ path: 'files.0.name' });

      const tools = await h.call({ method: 'GET', url: '/api/templates?category=TOOLS&source=custom', token: alice.token });
      expect(tools.body).toMatchObject({ total: 1, items: [{ id, title: 'Echo', createdBy: expect.any(Number) }] });
      const search = await h.call({ method: 'GET', url: '/api/templates?search=web&limit=1', apiKey: roKey });
      expect(search.body).toMatchObject({ total: 1, items: [{ id: 'web' }] });

      const changed = await h.call({ method: 'PATCH', url: `/api/templates/${id}`, token: admin, body: { title: 'Echo 2', variables: [] } });
      expect(changed.status).toBe(400); // the compose file still uses ${GREETING}
      expect(changed.body.issues[0].path).toBe('compose');
      const renamed = await h.call({ method: 'PATCH', url: `/api/templates/${id}`, token: admin, body: { title: 'Echo 2', logo: 'https://example.com/echo.png' } });
      expect(renamed.body).toMatchObject({ title: 'Echo 2', logo: 'https://example.com/echo.png', variables: [{ name: 'GREETING', label: 'Greeting' }] });

      expect((await h.call({ method: 'POST', url: '/api/templates', token: alice.token, body })).status).toBe(403);
      expect((await h.call({ method: 'POST', url: '/api/templates', apiKey: roKey, body })).body.code).toBe('read_only_key');
      expect((await h.call({ method: 'DELETE', url: `/api/templates/${id}`, token: alice.token })).status).toBe(403);
      expect((await h.call({ method: 'DELETE', url: `/api/templates/${id}`, token: admin })).status).toBe(204);
      expect((await h.call({ method: 'GET', url: `/api/templates/${id}`, token: admin })).status).toBe(404);
      expect((await h.call({ method: 'DELETE', url: '/api/templates/99999', token: admin })).status).toBe(404);

      const audit = await h.call({ method: 'GET', url: '/api/audit?action=templates.*&outcome=success', token: admin });
      expect(audit.body.items.map((i: { action: string }) => i.action).sort()).toEqual(['templates.create', 'templates.delete', 'templates.update']);
    });

    it('renders with checked values (one issue per variable) and keeps ${VAR} references for the compose reader', async () => {
      h = await start();
      const ok = await h.call({ method: 'POST', url: '/api/templates/web/render', apiKey: roKey, body: { variables: { TOKEN: 'abcdefgh', PORT: '9000', MODE: 'b' } } });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.body).toEqual({
        templateId: 'web',
        compose: GOOD.compose,
        files: GOOD.files,
        variables: [
          { name: 'IMAGE', value: TEST_IMAGE, secret: false },
          { name: 'PORT', value: '9000', secret: false },
          { name: 'TOKEN', value: 'abcdefgh', secret: true },
          { name: 'MODE', value: 'b', secret: false },
        ],
      });

      const bad = await h.call({ method: 'POST', url: '/api/templates/web/render', token: alice.token, body: { variables: { PORT: 80, MODE: 'c', EXTRA: true } } });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('validation_failed');
      expect(bad.body.issues).toEqual([
        { location: 'body', path: 'variables.EXTRA', message: expect.stringMatching(/has no variable EXTRA/) },
        { location: 'body', path: 'variables.PORT', message: 'must be at least 1024' },
        { location: 'body', path: 'variables.TOKEN', message: 'is required: give a value' },
        { location: 'body', path: 'variables.MODE', message: 'must be one of "a", "b", got "c"' },
      ]);
      expect((await h.call({ method: 'POST', url: '/api/templates/nothing/render', token: admin, body: {} })).status).toBe(404);

      // The audit record names the variables, never their values.
      await h.app.services.audit.flush();
      const audit = await h.call({ method: 'GET', url: '/api/audit?action=templates.render', token: admin });
      expect(audit.body.total).toBe(3);
      expect(JSON.stringify(audit.body)).not.toContain('abcdefgh');
    });

    it('deploys through the stacks module: a new stack from the template with its first deploy queued', async () => {
      h = await start();
      const env = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'edge' } })).body.id as number;
      const body = { environmentId: env, name: 'site', variables: { TOKEN: 'abcdefgh', PORT: 9090 } };
      const deployed = await h.call({ method: 'POST', url: '/api/templates/web/deploy', token: admin, body });
      expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);
      expect(deployed.body).toMatchObject({ templateId: 'web', stack: { name: 'site', environmentId: env, version: { number: 1, status: 'queued' } } });
      const stack = await h.call({ method: 'GET', url: `/api/stacks/${deployed.body.stack.id}`, token: admin });
      expect(stack.body).toMatchObject({ source: 'template', compose: GOOD.compose, files: GOOD.files, status: 'deploying' });
      expect(stack.body.variables).toEqual(
        expect.arrayContaining([
          { name: 'PORT', value: '9090', secret: false },
          { name: 'TOKEN', value: null, secret: true },
        ]),
      );
      // The stacks module's own rules still apply: one stack of a name per environment.
      const again = await h.call({ method: 'POST', url: '/api/templates/web/deploy', token: admin, body });
      expect(again.status).toBe(409);
    });

    it('deploys a rendered template as a new stack through the stacks seam, authorized on the environment', async () => {
      h = await start();
      created.length = 0;
      h.app.services.templates.useStacks((_ctx, input) => {
        created.push(input);
        return Promise.resolve({ id: 7, name: input.name, environmentId: input.environmentId, status: 'deploying' });
      });
      const env = (await h.call({ method: 'POST', url: '/api/environments', token: admin, body: { name: 'edge' } })).body.id as number;
      const body = { environmentId: env, name: 'site', variables: { TOKEN: 'abcdefgh' } };
      const denied = await h.call({ method: 'POST', url: '/api/templates/web/deploy', token: alice.token, body });
      expect(denied.status).toBe(403);
      await h.grant(admin, alice.id, env, 'standard_user');
      const invalid = await h.call({ method: 'POST', url: '/api/templates/web/deploy', token: alice.token, body: { ...body, variables: {} } });
      expect(invalid.body.issues).toEqual([{ location: 'body', path: 'variables.TOKEN', message: 'is required: give a value' }]);
      const deployed = await h.call({ method: 'POST', url: '/api/templates/web/deploy', token: alice.token, body });
      expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);
      expect(deployed.body).toEqual({ templateId: 'web', stack: { id: 7, name: 'site', environmentId: env, status: 'deploying' } });
      expect(created).toEqual([
        {
          name: 'site',
          environmentId: env,
          compose: GOOD.compose,
          files: GOOD.files,
          variables: [
            { name: 'IMAGE', value: TEST_IMAGE, secret: false },
            { name: 'PORT', value: '8080', secret: false },
            { name: 'TOKEN', value: 'abcdefgh', secret: true },
            { name: 'MODE', value: 'a', secret: false },
          ],
          source: { kind: 'template', templateId: 'web' },
        },
      ]);
    });
  });
});
