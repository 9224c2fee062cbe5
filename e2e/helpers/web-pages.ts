// Page steps the web UI tests share: waiting for text, controls by name, the compose editor and
// the plan-then-deploy dialog; and the stack the tests deploy.
import type { Page } from 'playwright-core';
import { TEST_IMAGE } from '../rig/index.ts';

/** The test stack's compose file: `greeting` changes web's configuration; `webCheck` can make web's healthcheck fail. */
export const compose = (greeting: string, webCheck = '["CMD", "true"]') =>
  [
    'x-health: &health',
    '  test: ["CMD", "true"]',
    '  interval: 1s',
    '  retries: 2',
    'services:',
    '  web:',
    `    image: ${TEST_IMAGE}`,
    '    command: ["sh", "-c", "echo capstan-log-line; sleep 3600"]',
    '    network_mode: none',
    '    healthcheck:',
    `      test: ${webCheck}`,
    '      interval: 1s',
    '      retries: 2',
    '    environment:',
    `      GREETING: ${greeting}`,
    '  worker:',
    `    image: ${TEST_IMAGE}`,
    '    command: ["sleep", "3600"]',
    '    network_mode: none',
    '    healthcheck: *health',
    '',
  ].join('\n');

/** Waits until `selector` shows `text` (Playwright's locator wait; playwright-core has no expect). */
export async function seeText(page: Page, selector: string, text: string | RegExp, timeout = 30_000): Promise<void> {
  await page.locator(selector, { hasText: text }).first().waitFor({ state: 'visible', timeout });
}

/** A control by its name, whether it is a button or a link styled as one. */
export function action(page: Page, name: string) {
  return page.getByRole('button', { name, exact: true }).or(page.getByRole('link', { name, exact: true })).first();
}

/** Replaces the compose editor's content (CodeMirror) with `text`. */
export async function typeCompose(page: Page, text: string): Promise<void> {
  const editor = page.locator('[data-testid="compose-editor"] .cm-content');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** Opens the plan for the editor's content and deploys it; returns the plan's text. */
export async function reviewAndDeploy(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Review and deploy' }).click();
  const dialog = page.getByRole('dialog', { name: 'Plan' });
  await dialog.waitFor();
  await page.locator('[data-testid="plan"]').waitFor();
  const plan = await page.locator('[data-testid="plan"]').innerText();
  await dialog.getByRole('button', { name: 'Deploy', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  return plan;
}
