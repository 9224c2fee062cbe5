// The web UI end to end, all real: the server (serving the built SPA) in the root namespace, the
// agent inside a rig host with its own dockerd, and Debian's Chromium driven by playwright-core.
// One person's path through the product: first-run setup → add an environment → run its join
// command on the host → deploy a stack from the editor after reading its plan → healthy containers
// → logs and an interactive console → an update whose healthcheck fails, rolled back by the agent →
// a manual rollback → the audit log. Then a read-only user looks around and finds nothing to change,
// and an ended session brings the person back to the login page. Screenshots of every main screen
// go to e2e/screenshots/.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAgentBundle } from '../packages/agent/scripts/bundle.ts';
import { startServer, type RunningServer } from '../packages/server/src/server.ts';
import { fetchJson } from '../packages/server/test/helpers/https-client.ts';
import { freePort } from '../packages/server/test/helpers/server-process.ts';
import { testConfig } from '../packages/server/test/helpers/server-config.ts';
import { ensureWebBuild, launchBrowser, openSession, type Session } from './helpers/browser.ts';
import { action, compose, reviewAndDeploy, seeText, typeCompose } from './helpers/web-pages.ts';
import { startHosts, stopAll, type Host } from './rig/index.ts';

const ADMIN_PASSWORD = 'a long enough admin password';
const VIEWER = { username: 'viewer', password: 'viewer password 1234' };
// A host of the kind agents are installed on: its own system node (v20 here), curl and sha256sum on PATH.
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SLOW = { timeout: 90_000 };

describe('Web UI end to end (Chromium, real server, real agent, real dockerd)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-web-e2e-'));
  let server: RunningServer;
  let host: Host;
  let browser: Browser;
  let admin: Session;
  let base = '';
  let agent: ChildProcess | undefined;
  let envId = 0;
  let stackId = 0;

  const api = (p: string, opts: Parameters<typeof fetchJson>[1] = {}) => fetchJson(`https://127.0.0.1:${server.port}${p}`, opts);

  beforeAll(async () => {
    ensureWebBuild();
    const bundle = await ensureAgentBundle();
    // Two rig hosts: the agent's, and one the browser runs in (reaching the server over its link).
    let browserHost: Host;
    [host, browserHost] = (await startHosts(2)) as [Host, Host];
    const port = await freePort();
    server = await startServer(testConfig(path.join(dir, 'data'), { host: '0.0.0.0', port, publicUrl: `https://${host.rootAddress}:${port}`, agentBundle: bundle }));
    base = `https://${browserHost.rootAddress}:${port}`;
    // No IPv6 in the browser's namespace: its link-local addresses appear a moment after the link comes
    // up, and Chromium would abort whatever it is loading then (ERR_NETWORK_CHANGED).
    await browserHost.exec('sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    browser = await launchBrowser(browserHost.netnsPath);
    admin = await openSession(browser);
  }, 180_000);

  afterAll(async () => {
    try {
      if (agent?.pid) process.kill(-agent.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await browser?.close();
    await server?.close();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('first run: the administrator is created and signed in', async () => {
    const { page } = admin;
    await page.goto(`${base}/`);
    await page.waitForURL(/\/setup$/);
    await admin.shot('01-setup');
    await page.getByLabel(/^Password/).fill(ADMIN_PASSWORD);
    await page.getByLabel(/^Repeat password/).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.waitForURL(`${base}/`);
    await action(page, 'Add environment').waitFor();
    await seeText(page, '[data-testid="live-state"]', 'Live');
    await admin.shot('02-home-empty');
  });

  it('adds an environment; its join command, run on the host, brings the agent up live', async () => {
    const { page } = admin;
    await action(page, 'Add environment').click();
    await page.waitForURL(/\/environments\/new$/);
    await page.getByLabel(/^Name/).fill('site-a');
    await page.getByRole('button', { name: 'Create environment' }).click();
    const commandBox = page.getByLabel('Join command', { exact: true });
    await commandBox.waitFor();
    const command = (await commandBox.innerText()).trim();
    expect(command).toContain(`https://${host.rootAddress}:${server.port}`);
    await seeText(page, '[data-testid="agent-wait"]', 'Waiting for the agent');
    await admin.shot('03-add-environment-waiting');
    // The command as shown, through sh on the host (the rig adds only where its engine and state live).
    const cwd = path.join(dir, 'host-site-a');
    mkdirSync(cwd);
    agent = host.spawn('sh', ['-c', command], {
      cwd,
      detached: true,
      stdio: 'ignore',
      env: { PATH: HOST_PATH, HOME: cwd, DOCKER_HOST: `unix://${host.dockerSocket}`, CAPSTAN_AGENT_STATE_DIR: path.join(dir, 'agent') },
    });
    await seeText(page, '[data-testid="agent-wait"]', 'Agent connected', 60_000);
    await admin.shot('04-add-environment-connected');
    await action(page, 'Open environment').click();
    await page.waitForURL(/\/environments\/\d+/);
    envId = Number(/\/environments\/(\d+)/.exec(page.url())?.[1]);
    expect(envId).toBeGreaterThan(0);
    await page.locator('[data-status="up"]').first().waitFor();
  }, 120_000);

  it('deploys a stack from the editor after showing its plan; the containers come up healthy', async () => {
    const { page } = admin;
    await page.getByRole('navigation').getByRole('link', { name: 'Stacks' }).click();
    await action(page, 'New stack').click();
    await page.waitForURL(/\/stacks\/new/);
    await page.getByLabel(/^Name/).first().fill('shop');
    const envSelect = page.getByRole('combobox', { name: 'Environment' });
    if ((await envSelect.inputValue()) !== 'site-a') {
      await envSelect.click();
      await page.getByRole('option', { name: 'site-a' }).click();
    }
    // A mistake is pointed out where it is, as it is typed, before anything is sent.
    await typeCompose(page, 'services:\n  web:\n    image: 42\n    restart: sometimes\n');
    await seeText(page, '[data-testid="compose-problems"]', /line 4, column \d+/);
    await admin.shot('05-new-stack-problems');
    await typeCompose(page, compose('v1'));
    await page.getByText('No problems found').waitFor();
    await admin.shot('05-new-stack-editor');
    const plan = await reviewAndDeploy(page).catch(async (err: unknown) => {
      await admin.shot('05-new-stack-failed');
      throw err;
    });
    expect(plan).toMatch(/web/);
    expect(plan).toMatch(/worker/);
    expect(plan).toMatch(/create/i);
    await page.waitForURL(/\/stacks\/\d+/);
    stackId = Number(/\/stacks\/(\d+)/.exec(page.url())?.[1]);
    await page.locator('[data-testid="deploy-progress"]').waitFor();
    await seeText(page, '[data-testid="stack-status"]', /^deployed$/i, 90_000);
    await admin.shot('06-stack-deployed');

    await page.goto(`${base}/environments/${envId}`);
    await page.getByRole('tab', { name: 'Containers' }).click();
    for (const name of ['shop_web_1', 'shop_worker_1']) {
      await page.locator('tr', { hasText: name }).locator('[data-health="healthy"]').waitFor({ timeout: 60_000 });
    }
    await admin.shot('07-environment-containers');
    for (const tab of ['Images', 'Volumes', 'Networks', 'Stacks', 'Queue', 'Agent']) {
      await page.getByRole('tab', { name: tab }).click();
      await admin.shot(`08-environment-${tab.toLowerCase()}`);
    }
  }, 180_000);

  it("shows a container's live logs, an interactive console and its stats", async () => {
    const { page } = admin;
    await page.getByRole('tab', { name: 'Containers' }).click();
    await page.getByRole('link', { name: 'shop_web_1' }).click();
    await page.waitForURL(/\/containers\//);
    await page.getByRole('tab', { name: 'Logs' }).click();
    await seeText(page, '[data-testid="log-output"]', 'capstan-log-line');
    await page.getByLabel('Search logs').fill('capstan');
    await admin.shot('09-container-logs');

    await page.getByRole('tab', { name: 'Console' }).click();
    await page.getByRole('button', { name: 'Connect' }).click();
    const terminal = page.locator('[data-testid="console"]');
    await terminal.waitFor();
    // The shell's prompt first: keys typed before the exec is attached would be lost.
    await seeText(page, '[data-testid="console"] .xterm-rows', '#').catch(async (err: unknown) => {
      await admin.shot('10-container-console-failed');
      throw err;
    });
    await terminal.click();
    // The shell computes the answer: the output cannot be an echo of the typed text.
    await page.keyboard.type('echo console-$((6*7))-ok\n', { delay: 10 });
    await seeText(page, '[data-testid="console"] .xterm-rows', 'console-42-ok');
    await admin.shot('10-container-console');
    await page.getByRole('button', { name: 'Disconnect' }).click();

    await page.getByRole('tab', { name: 'Stats' }).click();
    await page.locator('[data-testid="stats-cpu"]').waitFor();
    await page.locator('[data-testid="stats-memory"]').waitFor();
    await page.waitForTimeout(2_500);
    await admin.shot('11-container-stats');
    await page.getByRole('tab', { name: 'Details' }).click();
    await admin.shot('12-container-details');
  }, 120_000);

  it('an update passes; the next one fails its healthcheck and the agent rolls it back, shown live', async () => {
    const { page } = admin;
    await page.goto(`${base}/stacks/${stackId}`);
    await page.getByRole('tab', { name: 'Compose' }).click();
    await typeCompose(page, compose('v2'));
    expect(await reviewAndDeploy(page)).toMatch(/recreate/i);
    await seeText(page, '[data-testid="stack-status"]', /^deployed$/i, 90_000);

    await page.getByRole('tab', { name: 'Compose' }).click();
    await typeCompose(page, compose('v3', '["CMD", "false"]'));
    const plan = await reviewAndDeploy(page);
    expect(plan).toMatch(/web/);
    expect(plan).toMatch(/recreate/i);
    await seeText(page, '[data-testid="stack-status"]', /rolled.back/i, 120_000);
    await seeText(page, '[data-testid="deploy-progress"]', /rolled back/i);
    await admin.shot('13-stack-rolled-back');
    await page.getByRole('tab', { name: 'Versions' }).click();
    await page.locator('[data-testid="version-row"][data-version="3"][data-status="rolled_back"]').waitFor();
    await seeText(page, '[data-testid="version-row"][data-version="3"]', /web/);
    await admin.shot('14-stack-versions');
  }, 300_000);

  it('rolls back to version 1 with one click, and shows the difference between versions', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: 'Roll back to version 1' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Roll back', exact: true }).click();
    await page.locator('[data-testid="version-row"][data-version="4"]').waitFor(SLOW);
    await seeText(page, '[data-testid="stack-status"]', /^deployed$/i, 90_000);
    const web = await host.docker(['inspect', '--format', '{{json .Config.Env}}', 'shop_web_1']);
    expect(web).toContain('GREETING=v1');
    await page.getByRole('button', { name: 'Compare' }).first().click();
    await page.waitForTimeout(500);
    await admin.shot('15-stack-compare');
    await page.keyboard.press('Escape');
    for (const tab of ['Variables', 'Git']) {
      await page.getByRole('tab', { name: tab }).click();
      await admin.shot(`16-stack-${tab.toLowerCase()}`);
    }
  }, 180_000);

  it('the audit log shows all of it', async () => {
    const { page } = admin;
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(/\/audit/);
    await page.locator('[data-testid="audit-row"]').first().waitFor();
    const actions = ['setup.admin', 'environments.create', 'agents.enrol', 'stack.create', 'stack.deploy', 'stack.rollback', 'containers.console'];
    // Records reach the audit store within a few seconds of the action (it is flushed in batches).
    let text = '';
    for (let i = 0; i < 20; i++) {
      text = await page.locator('table').first().innerText();
      if (actions.every((a) => text.includes(a))) break;
      await page.waitForTimeout(1_000);
      await page.getByRole('button', { name: 'Refresh' }).click();
    }
    for (const action of actions) expect(text).toContain(action);
    await admin.shot('17-audit');
    await page.getByLabel('Action').fill('stack.rollback');
    await page.keyboard.press('Enter');
    // The filter applies after a short pause: wait until every row shown is a rollback.
    let rows: string[] = [];
    for (let i = 0; i < 50; i++) {
      rows = await page.locator('[data-testid="audit-row"]').allInnerTexts();
      if (rows.length > 0 && rows.every((r) => r.includes('stack.rollback'))) break;
      await page.waitForTimeout(200);
    }
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toContain('stack.rollback');
    await admin.shot('18-audit-filtered');
  });

  it('every other main screen renders (screenshots), in both themes and at tablet width', async () => {
    const { page } = admin;
    for (const [route, name] of [
      ['/', '19-home'],
      ['/stacks', '20-stacks'],
      ['/templates', '21-templates'],
      ['/registries', '22-registries'],
      ['/users', '23-users'],
      ['/teams', '24-teams'],
      ['/access', '25-access'],
      ['/api-keys', '26-api-keys'],
      ['/settings', '27-settings'],
    ] as const) {
      await page.goto(`${base}${route}`);
      await page.locator('main h2').first().waitFor();
      await admin.shot(name);
    }
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: /switch to dark theme/i }).click();
    await page.locator('html[data-mantine-color-scheme="dark"]').waitFor();
    await admin.shot('28-home-dark');
    await page.goto(`${base}/stacks/${stackId}`);
    await page.locator('[data-testid="stack-status"]').waitFor();
    await admin.shot('29-stack-dark');
    await page.getByRole('button', { name: /switch to light theme/i }).click();
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.goto(`${base}/environments/${envId}`);
    await page.getByRole('tab', { name: 'Containers' }).waitFor();
    await admin.shot('30-environment-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('a Read-only user sees no mutating action anywhere', async () => {
    const login = await api('/api/auth/login', { method: 'POST', body: { username: 'admin', password: ADMIN_PASSWORD } });
    const token = login.body.token as string;
    const user = await api('/api/users', { method: 'POST', token, body: { ...VIEWER } });
    expect(user.status).toBe(201);
    const grant = await api('/api/roles/assignments', {
      method: 'POST',
      token,
      body: { principal: { type: 'user', id: user.body.id }, scope: { type: 'environment', id: envId }, role: 'readonly' },
    });
    expect(grant.status).toBe(201);

    const viewer = await openSession(browser);
    const { page } = viewer;
    await page.goto(`${base}/login`);
    // By keyboard alone: the username field has focus, Tab reaches the password, Enter signs in.
    await page.getByLabel(/^Username/).waitFor();
    await page.keyboard.type(VIEWER.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(VIEWER.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/`);
    await page.getByRole('link', { name: 'site-a' }).waitFor();

    const mutating = /^(add environment|new stack|start|stop|restart|remove|delete|review and deploy|deploy|roll back|pull and redeploy|connect|revoke|cancel|retry|sync now|create|grant|generate|save|edit)\b/i;
    const containerId = (await host.docker(['inspect', '--format', '{{.Id}}', 'shop_web_1'])).trim();
    const visits: Array<[string, string[]]> = [
      ['/', []],
      [`/environments/${envId}`, ['Containers', 'Images', 'Volumes', 'Networks', 'Stacks', 'Queue', 'Agent']],
      [`/environments/${envId}/containers/${containerId}`, ['Logs', 'Console', 'Stats', 'Details']],
      ['/stacks', []],
      [`/stacks/${stackId}`, ['Compose', 'Versions', 'Variables', 'Git']],
      ['/templates', []],
      ['/api-keys', []],
    ];
    const seen: string[] = [];
    for (const [route, tabs] of visits) {
      await page.goto(`${base}${route}`);
      await page.locator('main h2').first().waitFor();
      for (const tab of [null, ...tabs]) {
        if (tab !== null) {
          const t = page.getByRole('tab', { name: tab });
          if ((await t.count()) === 0) continue; // a tab the role may not open is not offered at all
          await t.click();
        }
        await page.waitForTimeout(300);
        const controls = [...(await page.locator('main').getByRole('button').allInnerTexts()), ...(await page.locator('main').getByRole('link').allInnerTexts())];
        for (const name of controls) {
          if (mutating.test(name.trim())) seen.push(`${route} ${tab ?? ''}: "${name.trim()}"`);
        }
      }
      await viewer.shot(`31-readonly${route.replace(/\/+/g, '-').replace(/-$/, '') || '-home'}`);
    }
    // API keys of one's own are self-service (not an environment change); everything else stays read-only.
    expect(seen.filter((s) => !s.startsWith('/api-keys'))).toEqual([]);
    expect(viewer.errors.join('\n')).toBe('');

    // An administrator resets the viewer's password: its session ends, and the next click lands on sign-in with the reason.
    const reset = await api(`/api/users/${user.body.id}/password`, { method: 'PUT', token, body: { newPassword: 'another viewer password' } });
    expect(reset.status).toBe(204);
    await page.getByRole('navigation').getByRole('link', { name: 'Stacks' }).click();
    await page.waitForURL(/\/login\?/, { timeout: 15_000 });
    await seeText(page, 'form', /session was ended/i);
    await viewer.shot('32-session-ended');
    await viewer.context.close();
  }, 180_000);

  it('the whole administrator run logged no browser console error', () => {
    expect(admin.errors.join('\n')).toBe('');
  });
});
