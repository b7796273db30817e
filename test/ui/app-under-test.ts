/**
 * The app as a UI test drives it: the real runtime (service, jobs, events, optionally the daily
 * job) over a userData folder, served by the dev/test transport, in a fresh Chromium context.
 * Closing and starting it again on the same folder is an app restart.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDevWebServer, type DevWebServer } from '../../main/devweb/dev-web-server';
import { MemorySecretStore } from '../../main/engine/secrets/memory-secret-store';
import { openAppRuntime, type AppRuntime, type AppRuntimeOptions } from '../../main/engine/service/app-runtime';
import { collectPageErrors } from './chromium';

export interface AppUnderTest {
  readonly runtime: AppRuntime;
  readonly server: DevWebServer;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly pageErrors: string[];
  /** Opens a page of the app (`#/calendar`, `#/setup`, …) and waits for its heading. */
  open(route: string, heading: string): Promise<void>;
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
      // The token travels in the fragment; the route follows it (`#token=…#/calendar`).
      await page.goto(`${server.url}${route}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    },
    async close() {
      await context.close();
      await server.close();
      await runtime.close();
    },
  };
}
