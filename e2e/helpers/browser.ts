// A real browser for the web UI tests: Debian's Chromium driven by playwright-core (no browser is
// ever downloaded). Every page records console errors and uncaught exceptions, so a test can
// assert the run was clean; screenshots go to e2e/screenshots/ (git-ignored).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../screenshots');
const WEB = path.resolve(import.meta.dirname, '../../packages/web');

/** Builds the web UI when dist/ is missing or older than its sources (scripts/test.sh builds it first anyway). */
export function ensureWebBuild(): void {
  const index = path.join(WEB, 'dist', 'index.html');
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs), 0);
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(newest(path.join(WEB, 'src')), newest(path.resolve(WEB, '../protocol/src')))) return;
  execFileSync(path.resolve(WEB, '../../node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: WEB, stdio: 'inherit' });
}

/**
 * Launches Chromium headless (as root it needs --no-sandbox), inside the network namespace at
 * `netnsPath` when given. Chromium aborts requests in flight (ERR_NETWORK_CHANGED) whenever an
 * address changes on any interface it sees, and the rig adds and removes veths in the root
 * namespace while tests run in parallel; a namespace of its own keeps the browser out of that.
 */
export async function launchBrowser(netnsPath?: string): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)`);
  let executablePath = CHROMIUM;
  if (netnsPath) {
    executablePath = path.join(mkdtempSync(path.join(tmpdir(), 'capstan-chromium-')), 'chromium');
    writeFileSync(executablePath, `#!/bin/sh\nexec nsenter --net=${netnsPath} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  }
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** One person's browser session with a console-error log. */
export interface Session {
  context: BrowserContext;
  page: Page;
  /** Console errors and page exceptions seen so far, with the URL they happened on. */
  errors: string[];
  /** Saves a full-page screenshot as e2e/screenshots/<name>.png. */
  shot(name: string): Promise<void>;
}

/** A fresh context (no cookies) at 1280×800 trusting the server's self-signed certificate. */
export async function openSession(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<Session> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport, colorScheme: 'light' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`${page.url()}: uncaught ${err.message}`));
  return {
    context,
    page,
    errors,
    shot: async (name) => {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
  };
}
