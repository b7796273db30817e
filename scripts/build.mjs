#!/usr/bin/env node
/**
 * `npm run build`: the three parts of the desktop app, and the CLI.
 *
 * - main process: main/app/main.ts -> dist/main/main.cjs (esbuild; CommonJS because Electron's main
 *   and a sandboxed preload load CommonJS most reliably, and one bundled file starts fast);
 * - preload: main/app/preload.ts -> dist/main/preload.cjs (esbuild; a sandboxed preload may only
 *   `require('electron')`, so everything else is bundled in);
 * - renderer: Vite with vite.config.ts -> dist/renderer (React, hashed assets, no inline script so the
 *   strict CSP holds);
 * - the CLI: main/cli/index.ts -> dist/cli/audit-archive.mjs and its chunks (esbuild; an ES module,
 *   split so that `--version` and `--help` load no more than they print; see scripts/cli-bundle.mjs).
 *   `npm run build:cli` builds only this; `npm run setup` runs it.
 *
 * esbuild for Node code (it only strips types and bundles: fast, no config), Vite for the browser code
 * (its React plugin, CSS and asset handling). Native modules stay external: they are rebuilt for
 * Electron's ABI by electron-builder at packaging time, never at `npm install`.
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { buildRecordInputs, CLI_BUILD_RECORD, CLI_BUNDLE_DIR, CLI_COMPILE_CACHE, CLI_ENTRY } from './cli-bundle.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/**
 * Loaded at run time from node_modules: native modules, and pdfkit (reads its font metrics from files
 * beside its own code) and fflate (its Node build loads worker_threads through createRequire).
 */
export const EXTERNAL = ['electron', 'keytar', 'better-sqlite3', '@duckdb/*', 'pdfkit', 'fflate'];

/**
 * The CLI bundles DuckDB's JavaScript API (@duckdb/node-api: some 180 small CommonJS files that Node
 * would otherwise find and compile one by one at every `query`) and keeps only its native binding
 * external (@duckdb/node-bindings loads duckdb.node for the platform).
 */
const CLI_EXTERNAL = [...EXTERNAL.filter((e) => e !== '@duckdb/*'), '@duckdb/node-bindings', '@duckdb/node-bindings-*'];

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

/** Writes `contents` to `file` through a temporary file and a rename: a reader sees the old or the new. */
async function writeAtomically(file, contents) {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
}

/**
 * Bundles the CLI into dist/cli (unless `outDir` says otherwise) with its build record. Each file is
 * replaced whole, the entry and the record last, and chunks of an earlier build are removed after,
 * so a CLI started meanwhile runs one build or the other, never a mix.
 */
export async function buildCli({ quiet = false, root: projectRoot = root } = {}) {
  const outDir = path.join(projectRoot, CLI_BUNDLE_DIR);
  // Compiled code of earlier builds is never used again (its sources are gone): dropped, not kept growing.
  await rm(path.join(projectRoot, CLI_COMPILE_CACHE), { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: { 'audit-archive': 'main/cli/index.ts' },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    // Whitespace and syntax only (names are kept, as in a stack trace): Node reads, hashes and
    // compiles every byte a command loads, and a query loads some 1.5 MB of JavaScript unminified.
    minifyWhitespace: true,
    minifySyntax: true,
    external: CLI_EXTERNAL,
    // Bundled CommonJS packages (the AWS SDK) call require() for Node built-ins.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    define: { 'process.env.NODE_ENV': '"production"' },
    absWorkingDir: projectRoot,
    logLevel: quiet ? 'error' : 'warning',
    metafile: true,
    write: false,
  });
  const entry = path.join(projectRoot, CLI_ENTRY);
  const files = result.outputFiles.sort((a, b) => Number(a.path === entry) - Number(b.path === entry));
  for (const file of files) {
    await mkdir(path.dirname(file.path), { recursive: true });
    await writeAtomically(file.path, file.contents);
  }
  const inputs = buildRecordInputs(projectRoot, [...Object.keys(result.metafile.inputs), 'scripts/build.mjs']);
  await writeAtomically(path.join(projectRoot, CLI_BUILD_RECORD), JSON.stringify({ inputs }, null, 1) + '\n');
  const current = new Set(files.map((f) => f.path));
  const chunkDir = path.join(outDir, 'chunks');
  for (const name of await readdir(chunkDir).catch(() => [])) {
    if (!current.has(path.join(chunkDir, name))) await rm(path.join(chunkDir, name), { force: true });
  }
}

/**
 * Builds the renderer with Vite: the production build whatever NODE_ENV says (Vite builds React's
 * development bundle when NODE_ENV is set to anything else; main/devweb/renderer-build.ts does the same).
 */
export async function buildRenderer({ quiet = false } = {}) {
  const { build } = await import('vite');
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: quiet ? 'error' : 'warn' });
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
}

/** The desktop app: main process, preload and renderer (what `npm start` runs). */
export async function buildApp(options = {}) {
  await Promise.all([buildMain(options), buildRenderer(options)]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const cliOnly = process.argv.includes('--cli');
  try {
    if (cliOnly) await buildCli();
    else await Promise.all([buildApp(), buildCli()]);
    const built = cliOnly ? 'dist/cli' : 'dist/main (main.cjs, preload.cjs), dist/renderer and dist/cli';
    console.log(`Built ${built} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } catch (e) {
    console.error(`Build failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
