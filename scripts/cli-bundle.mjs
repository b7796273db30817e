/**
 * The CLI as it ships: one ES module bundle of main/cli (dist/cli/audit-archive.mjs, plus the chunks
 * it loads on demand), built by esbuild (scripts/build.mjs `buildCli`; `npm run setup` and
 * `npm run build:cli` run it), so a start costs no TypeScript compilation.
 *
 * Beside it, dist/cli/build-record.json lists every file the bundle was built from with its
 * modification time, size and SHA-256, and npm's record of the installed packages
 * (node_modules/.package-lock.json) the same way. bin/audit-archive.mjs checks it at every start
 * (one small read and a stat per source file: 7-8 ms on a 2-core machine, measured 7 December) and
 * refuses, naming the command to run, a bundle that is missing or older than its sources: a cron
 * job must never run code that is not the checkout's. A file whose time changed but whose bytes did not (a `git checkout` back
 * and forth) is not a change.
 *
 * Plain Node, no dependency.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const defaultRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export const CLI_BUNDLE_DIR = path.join('dist', 'cli');
export const CLI_ENTRY = path.join(CLI_BUNDLE_DIR, 'audit-archive.mjs');
export const CLI_BUILD_RECORD = path.join(CLI_BUNDLE_DIR, 'build-record.json');
/** The entry of this checkout's bundle, to import. */
export const CLI_ENTRY_URL = pathToFileURL(path.join(defaultRoot, CLI_ENTRY)).href;
/** npm's record of what `npm ci` installed: stands for every bundled file under node_modules. */
export const INSTALLED_PACKAGES = path.join('node_modules', '.package-lock.json');
export const BUILD_CLI_COMMAND = 'npm run build:cli';
/**
 * V8's compiled code of the bundle (Node's module compile cache), kept beside the bundle: a start
 * then compiles only what changed (compiling the bundle's JavaScript was about a twelfth of a
 * query's CPU profile, README: The CLI). Node checks each entry against its source's hash and drops one that does not match;
 * the folder has the bundle's own owner and permissions, so whoever could change an entry could
 * change the bundle itself. `npm run build:cli` empties it.
 */
export const CLI_COMPILE_CACHE = path.join(CLI_BUNDLE_DIR, '.compile-cache');

function sha256(file) {
  // Loaded only when a file must be hashed: most starts need no hashing at all.
  const { createHash } = process.getBuiltinModule('node:crypto');
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** What the build record keeps of one file (paths relative to the project's root). */
export function describeInput(root, relative) {
  const file = path.join(root, relative);
  const s = statSync(file);
  return { mtimeMs: s.mtimeMs, size: s.size, sha256: sha256(file) };
}

/**
 * The build record's `inputs` for esbuild's metafile inputs (paths relative to `root`, as esbuild
 * writes them): the project's own files one by one, and packages through npm's install record.
 */
export function buildRecordInputs(root, metafileInputs) {
  const inputs = {};
  let packages = false;
  for (const input of metafileInputs) {
    if (input.split(/[\\/]/).includes('node_modules')) packages = true;
    else inputs[input] = describeInput(root, input);
  }
  if (packages) inputs[INSTALLED_PACKAGES] = describeInput(root, INSTALLED_PACKAGES);
  return inputs;
}

/** The first input that differs from the record, or null. Hashes only a file whose time or size changed. */
function changedInput(root, inputs) {
  for (const [relative, was] of Object.entries(inputs)) {
    const file = path.join(root, relative);
    let now;
    try {
      now = statSync(file);
    } catch {
      return relative;
    }
    if (now.mtimeMs === was.mtimeMs && now.size === was.size) continue;
    if (now.size !== was.size || sha256(file) !== was.sha256) return relative;
  }
  return null;
}

/**
 * Null when the CLI bundle in `root` is there and built from the current sources, else one line
 * saying what is wrong and what to run.
 */
export function cliBundleProblem(root = defaultRoot) {
  let record;
  for (const file of [CLI_ENTRY, CLI_BUILD_RECORD]) {
    try {
      const text = readFileSync(path.join(root, file), 'utf8');
      if (file === CLI_BUILD_RECORD) record = JSON.parse(text);
    } catch {
      return `the CLI is not built (no ${file}); run \`${BUILD_CLI_COMMAND}\` (or \`npm run setup\`) in ${root}.`;
    }
  }
  const inputs = record?.inputs;
  if (typeof inputs !== 'object' || inputs === null || Object.keys(inputs).length === 0) {
    return `the CLI's build record lists no sources; run \`${BUILD_CLI_COMMAND}\` in ${root}.`;
  }
  const changed = changedInput(root, inputs);
  if (changed) {
    return `the CLI bundle was built before the last change to ${changed}; run \`${BUILD_CLI_COMMAND}\` in ${root} to rebuild it.`;
  }
  return null;
}

/**
 * Turns on Node's compile cache for the bundle (CLI_COMPILE_CACHE). Where it cannot be written (a
 * checkout the user may only read) nothing is cached and nothing is said: the CLI starts as before.
 */
export function enableBundleCompileCache(root = defaultRoot) {
  const { enableCompileCache } = process.getBuiltinModule('node:module');
  try {
    enableCompileCache?.(path.join(root, CLI_COMPILE_CACHE));
  } catch {
    // Not cached: only slower.
  }
}
