/**
 * Builds the renderer with Vite (the same vite.config.ts as `npm run build`) for the dev/test server.
 *
 * The dev server serves built files rather than Vite's dev middleware because the dev middleware
 * injects inline scripts that the strict CSP (`script-src 'self'`) rightly refuses; serving the
 * real build also means tests exercise what ships.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in main/devweb/). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_RENDERER_DIR = path.join(PROJECT_ROOT, 'dist', 'renderer');

/** Runs `vite build` for the renderer into `outDir`. */
export async function buildRenderer(outDir: string = DEFAULT_RENDERER_DIR): Promise<void> {
  const { build } = await import('vite');
  await build({
    configFile: path.join(PROJECT_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
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
  const watcher = await build({
    configFile: path.join(PROJECT_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, watch: {} },
  });
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
