/**
 * Debian's Chromium driven by playwright-core (never Playwright's own browser download), with the
 * flags that work on these machines (docs/TESTING.md, Chromium).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { buildRenderer } from '../../main/devweb/renderer-build';

export const CHROMIUM_PATH = process.env.AUDIT_ARCHIVE_CHROMIUM ?? '/usr/bin/chromium';

/** Chromium's flags that work on these machines (headless, no sandbox in containers, no GPU, no chatter). */
const CHROMIUM_OPTIONS = {
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
};

export function launchChromium(): Promise<Browser> {
  return chromium.launch(CHROMIUM_OPTIONS);
}

/** Chromium as a server that test files connect to (one browser for a whole run: test/servers/ui-setup.ts). */
export function launchChromiumServer(): Promise<BrowserServer> {
  return chromium.launchServer(CHROMIUM_OPTIONS);
}

/**
 * For a UI test file: the renderer and Chromium, read inside tests or hooks. In a run of the UI
 * project both come from its global setup (built and launched once per run: test/servers/ui-setup.ts)
 * and this file connects to the browser; otherwise (a UI file of another project run alone) the file
 * builds the renderer into a temp folder and launches Chromium itself, and removes both afterwards.
 */
export function useRendererAndBrowser(): { readonly rendererDir: string; readonly browser: Browser } {
  const shared = { rendererDir: '', browser: undefined as Browser | undefined, ownRendererDir: '' };
  beforeAll(async () => {
    const provided = inject('ui');
    if (provided) {
      shared.rendererDir = provided.rendererDir;
      shared.browser = await chromium.connect(provided.browserWsEndpoint);
      return;
    }
    shared.ownRendererDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-renderer-'));
    shared.rendererDir = shared.ownRendererDir;
    [, shared.browser] = await Promise.all([buildRenderer(shared.rendererDir), launchChromium()]);
  });
  afterAll(async () => {
    // A connected browser disconnects (its contexts closed); a launched one stops.
    await shared.browser?.close();
    if (shared.ownRendererDir) await rm(shared.ownRendererDir, { recursive: true, force: true });
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
