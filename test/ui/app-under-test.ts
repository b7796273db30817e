/**
 * The app as a UI test drives it: the real runtime (service, jobs, events, optionally the daily
 * job) over a userData folder, served by the dev/test transport, in a fresh Chromium context.
 * Closing and starting it again on the same folder is an app restart.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDevWebServer, type DevWebServer } from '../../main/devweb/dev-web-server';
import { MemorySecretStore } from '../../main/engine/secrets/memory-secret-store';
import { openAppRuntime, type AppRuntime, type AppRuntimeOptions } from '../../main/engine/service/app-runtime';
import { expectAxeClean } from './axe';
import { collectPageErrors } from './chromium';

export interface AppUnderTest {
  readonly runtime: AppRuntime;
  readonly server: DevWebServer;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly pageErrors: string[];
  /** Opens a page of the app (`#/calendar`, `#/setup`, …), waits for its heading, and checks it with axe. */
  open(route: string, heading: string): Promise<void>;
  /** Fails on any axe-core violation in the page as it is now (`state` names it in the failure). */
  axe(state: string): Promise<void>;
  /** Checks the last state with axe (unless the test already failed), then stops everything. */
  close(): Promise<void>;
}

export async function startApp(
  ui: { readonly browser: Browser; readonly rendererDir: string },
  options: Partial<AppRuntimeOptions> & { userDataDir: string },
): Promise<AppUnderTest> {
  const runtime = openAppRuntime({
    transport: 'dev-web',
    appVersion: 'test',
    secrets: new MemorySecretStore(),
    env: {},
    ...options,
  });
  const server = await startDevWebServer({
    userDataDir: options.userDataDir,
    rendererDir: ui.rendererDir,
    service: runtime.service,
    events: runtime.events,
    log: () => undefined,
  });
  const context = await ui.browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const pageErrors = collectPageErrors(page);
  return {
    runtime,
    server,
    context,
    page,
    pageErrors,
    async open(route, heading) {
      // The token travels in the fragment; the route follows it (`#token=…#/calendar`). On a page
      // already showing the app, a new address would change only the fragment, and the app would not
      // load again: each open is a fresh load.
      if (page.url() !== 'about:blank') await page.goto('about:blank');
      await page.goto(`${server.url}${route}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await expectAxeClean(page, `${heading} page, opened`);
    },
    axe: (state) => expectAxeClean(page, state),
    async close() {
      try {
        if (!page.isClosed()) await expectAxeClean(page, 'the last state of the test');
      } finally {
        await context.close();
        await server.close();
        await runtime.close();
      }
    },
  };
}
