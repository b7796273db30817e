/**
 * Debian's Chromium driven by playwright-core (never Playwright's own browser download), with the
 * flags that work on these machines (docs/TESTING.md, Chromium).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildRenderer } from '../../main/devweb/renderer-build';

export const CHROMIUM_PATH = process.env.AUDIT_ARCHIVE_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * For a UI test file: builds the renderer into a temp folder and launches Chromium once (beforeAll),
 * and removes both afterwards. Read the values inside tests or hooks.
 */
export function useRendererAndBrowser(): { readonly rendererDir: string; readonly browser: Browser } {
  const shared = { rendererDir: '', browser: undefined as Browser | undefined };
  beforeAll(async () => {
    shared.rendererDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-renderer-'));
    await buildRenderer(shared.rendererDir);
    shared.browser = await launchChromium();
  });
  afterAll(async () => {
    await shared.browser?.close();
    if (shared.rendererDir) await rm(shared.rendererDir, { recursive: true, force: true });
  });
  return {
    get rendererDir() {
      return shared.rendererDir;
    },
    get browser() {
      if (!shared.browser) throw new Error('Chromium is not running yet: use it inside a test or hook');
      return shared.browser;
    },
  };
}

/** Console errors and uncaught exceptions of a page (a CSP violation shows up here). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/**
 * Where a UI test saves a screenshot (`test-results/screenshots/<name>.png`, gitignored; CI keeps
 * test-results/ as its artifacts).
 */
export async function screenshotPath(name: string): Promise<string> {
  const dir = path.join(process.cwd(), 'test-results', 'screenshots');
  await mkdir(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}
