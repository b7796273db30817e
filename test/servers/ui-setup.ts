/**
 * Vitest globalSetup of the UI project: the renderer built once (Vite, into a temp folder) and one
 * Chromium, instead of a build and a browser per test file.
 *
 * Provided to every project of the run (`inject('ui')`). When `npm test` runs the UI and
 * integration projects in two Vitests, it starts one renderer build and one Chromium for both
 * (test/servers/shared-ui.ts) and names the file that describes them in AUDIT_ARCHIVE_TEST_UI_FILE;
 * the integration project reaches this through test/servers/integration-setup.ts. A UI file of
 * another project run alone builds and launches its own (test/ui/chromium.ts
 * `useRendererAndBrowser`). Each file connects to the browser and opens its own contexts, so nothing
 * of one file's pages (cookies, storage, the dev token) reaches another's.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildRenderer } from '../../main/devweb/renderer-build';
import { launchChromiumServer } from '../ui/chromium';

export interface SharedUi {
  /** The built renderer (index.html and its assets). */
  readonly rendererDir: string;
  /** Where `chromium.connect()` reaches the run's browser. */
  readonly browserWsEndpoint: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absent when the UI project is not part of the run. */
    ui?: SharedUi;
  }
}

/** How long a Vitest waits for the run's shared renderer and browser (a build on a busy machine). */
const SHARED_UI_WAIT_MS = 240_000;

/** The renderer built into a temp folder and a Chromium server, both at once; `stop` undoes both. */
export async function startUi(): Promise<{ ui: SharedUi; stop: () => Promise<void> }> {
  const rendererDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-renderer-'));
  // Both at once: Vite's build and Chromium's start-up overlap on two cores.
  const [built, launched] = await Promise.allSettled([buildRenderer(rendererDir), launchChromiumServer()]);
  const stop = async () => {
    if (launched.status === 'fulfilled') await launched.value.close();
    await rm(rendererDir, { recursive: true, force: true });
  };
  if (built.status === 'rejected' || launched.status === 'rejected') {
    await stop();
    throw built.status === 'rejected' ? built.reason : (launched as PromiseRejectedResult).reason;
  }
  return { ui: { rendererDir, browserWsEndpoint: launched.value.wsEndpoint() }, stop };
}

/**
 * The run's shared renderer and browser, once test/servers/shared-ui.ts has written `file`: its
 * description, or the reason it could not start. Waits for the file to appear.
 */
export async function sharedUiFrom(file: string, waitMs = SHARED_UI_WAIT_MS): Promise<SharedUi> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text !== null) {
      const said = JSON.parse(text) as { ui?: SharedUi; error?: string };
      if (said.ui) return said.ui;
      throw new Error(`The run's renderer build and Chromium did not start: ${said.error ?? 'no reason given'}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`The run's renderer build and Chromium were not ready within ${waitMs / 1000} s (${file})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const sharedFile = process.env.AUDIT_ARCHIVE_TEST_UI_FILE;
  if (sharedFile) {
    project.vitest.provide('ui', await sharedUiFrom(sharedFile));
    return async () => undefined;
  }
  const { ui, stop } = await startUi();
  project.vitest.provide('ui', ui);
  return stop;
}
