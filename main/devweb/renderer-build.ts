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
