/**
 * Vitest globalSetup of the UI project: the renderer built once (Vite, into a temp folder) and one
 * Chromium for the whole run, instead of a build and a browser per test file.
 *
 * Provided to every project of the run (`inject('ui')`). The integration project starts its own
 * with its Ceph gateway (test/servers/integration-setup.ts), since `npm test` runs it in a Vitest of
 * its own; a UI file of another project run alone builds and launches its own
 * (test/ui/chromium.ts `useRendererAndBrowser`). Each file connects to the browser and opens its own
 * contexts, so nothing of one file's pages (cookies, storage, the dev token) reaches another's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const rendererDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-renderer-'));
  // Both at once: Vite's build and Chromium's start-up overlap on two cores.
  const [built, launched] = await Promise.allSettled([buildRenderer(rendererDir), launchChromiumServer()]);
  const teardown = async () => {
    if (launched.status === 'fulfilled') await launched.value.close();
    await rm(rendererDir, { recursive: true, force: true });
  };
  if (built.status === 'rejected' || launched.status === 'rejected') {
    await teardown();
    throw built.status === 'rejected' ? built.reason : (launched as PromiseRejectedResult).reason;
  }
  project.vitest.provide('ui', { rendererDir, browserWsEndpoint: launched.value.wsEndpoint() });
  return teardown;
}
