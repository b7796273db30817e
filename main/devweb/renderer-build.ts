/**
 * Builds the renderer with Vite (the same vite.config.ts as `npm run build`) for the dev/test server.
 *
 * The dev server serves built files rather than Vite's dev middleware because the dev middleware
 * injects inline scripts that the strict CSP (`script-src 'self'`) rightly refuses; serving the
 * real build also means tests exercise what ships. So the build is always the production one: Vite
 * (and its React plugin) would otherwise build React's development bundle whenever NODE_ENV is set to
 * anything else, as Vitest sets it ('test'), and that bundle runs several times slower.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in main/devweb/). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_RENDERER_DIR = path.join(PROJECT_ROOT, 'dist', 'renderer');

/**
 * Runs `run` (a Vite build) with NODE_ENV 'production', which Vite reads when it resolves the
 * config, and puts NODE_ENV back afterwards.
 */
async function asShipped<T>(run: () => Promise<T>): Promise<T> {
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    return await run();
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
}

/** Runs `vite build` for the renderer into `outDir` (the production build, as it ships). */
export async function buildRenderer(outDir: string = DEFAULT_RENDERER_DIR): Promise<void> {
  const { build } = await import('vite');
  await asShipped(() =>
    build({
      configFile: path.join(PROJECT_ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    }),
  );
}

/** Builds the renderer only when `outDir` has no index.html yet. */
export async function ensureRendererBuilt(outDir: string = DEFAULT_RENDERER_DIR): Promise<void> {
  if (!existsSync(path.join(outDir, 'index.html'))) await buildRenderer(outDir);
}

/**
 * Builds the renderer into `outDir`, then rebuilds it whenever a source file changes (reload the
 * page to see the change). Resolves after the first build; `close()` stops watching.
 */
export async function watchRenderer(
  outDir: string = DEFAULT_RENDERER_DIR,
  onRebuilt: (error?: { message: string }) => void = () => undefined,
): Promise<{ close(): Promise<void> }> {
  const { build } = await import('vite');
  // The config is resolved once, at the start: the rebuilds stay production builds.
  const watcher = await asShipped(() =>
    build({
      configFile: path.join(PROJECT_ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, watch: {} },
    }),
  );
  if (!('on' in watcher)) throw new Error('vite did not start watching the renderer');
  await new Promise<void>((resolve, reject) => {
    let first = true;
    watcher.on('event', (event) => {
      if (event.code === 'END') {
        if (first) resolve();
        else onRebuilt();
        first = false;
      } else if (event.code === 'ERROR') {
        if (first) reject(event.error);
        else onRebuilt(event.error);
        first = false;
      }
    });
  });
  return { close: () => watcher.close() };
}
