#!/usr/bin/env node
/**
 * `npm run build`: the three parts of the desktop app.
 *
 * - main process: main/app/main.ts -> dist/main/main.cjs (esbuild; CommonJS because Electron's main
 *   and a sandboxed preload load CommonJS most reliably, and one bundled file starts fast);
 * - preload: main/app/preload.ts -> dist/main/preload.cjs (esbuild; a sandboxed preload may only
 *   `require('electron')`, so everything else is bundled in);
 * - renderer: Vite with vite.config.ts -> dist/renderer (React, hashed assets, no inline script so the
 *   strict CSP holds).
 *
 * esbuild for Node code (it only strips types and bundles: fast, no config), Vite for the browser code
 * (its React plugin, CSS and asset handling). Native modules stay external: they are rebuilt for
 * Electron's ABI by electron-builder at packaging time, never at `npm install`.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/**
 * Loaded at run time from node_modules: native modules, and pdfkit (reads its font metrics from files
 * beside its own code) and fflate (its Node build loads worker_threads through createRequire).
 */
export const EXTERNAL = ['electron', 'keytar', 'better-sqlite3', '@duckdb/*', 'pdfkit', 'fflate'];

/** Bundles the main process and the preload (into dist/main unless `outDir` says otherwise). */
export async function buildMain({ quiet = false, outDir = path.join(root, 'dist', 'main') } = {}) {
  await rm(outDir, { recursive: true, force: true });
  const common = {
    bundle: true,
    format: 'cjs',
    sourcemap: true,
    external: EXTERNAL,
    logLevel: quiet ? 'error' : 'warning',
    absWorkingDir: root,
    define: { 'process.env.NODE_ENV': '"production"' },
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: ['main/app/main.ts'],
      outfile: path.join(outDir, 'main.cjs'),
      platform: 'node',
      target: 'node22',
      // import('keytar') becomes require('keytar'): Electron's CommonJS loader is the one that
      // knows app.asar and its unpacked native modules.
      supported: { 'dynamic-import': false },
    }),
    esbuild.build({
      ...common,
      entryPoints: ['main/app/preload.ts'],
      outfile: path.join(outDir, 'preload.cjs'),
      platform: 'node',
      target: 'chrome140',
    }),
  ]);
}

/** Builds the renderer with Vite. */
export async function buildRenderer({ quiet = false } = {}) {
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: quiet ? 'error' : 'warn' });
}

export async function buildAll(options = {}) {
  await Promise.all([buildMain(options), buildRenderer(options)]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  try {
    await buildAll();
    console.log(
      `Built dist/main (main.cjs, preload.cjs) and dist/renderer in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
  } catch (e) {
    console.error(`Build failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
