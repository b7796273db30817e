#!/usr/bin/env node
/**
 * `npm start`: build, then run the desktop app in Electron. npm runs it on a supported Node
 * (package.json: `node scripts/supported-node.mjs scripts/start.mjs`); Electron brings its own.
 *
 * Electron's binary is fetched from GitHub on first use, which some machines cannot reach. The
 * binary is looked for first (and fetched the way `electron` does, with a time limit) so that such a
 * machine gets ONE clear line pointing to `npm run dev:web` instead of a stack trace or a hang.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from './build.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const electronDir = path.join(root, 'node_modules', 'electron');
/** Generous for a 100 MB download on a slow line; short enough that a blocked one never looks like a hang. */
const FETCH_TIMEOUT_MS = 180_000;
const UNAVAILABLE =
  "Electron's binary could not be downloaded on this machine; run `npm run dev:web` to use Audit Archive in a browser on 127.0.0.1.";

/** The Electron executable if it is on disk, else null (mirrors node_modules/electron/index.js). */
function installedElectron() {
  try {
    const relative = readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim();
    const base = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(electronDir, 'dist');
    const executable = path.join(base, relative);
    return existsSync(executable) ? executable : null;
  } catch {
    return null;
  }
}

let noticeShown = false;

/** Runs electron's own installer (what `require('electron')` does on first use), silent and time-bounded. */
function fetchElectron() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(electronDir, 'install.js')], {
      cwd: electronDir,
      stdio: 'ignore',
    });
    // A slow first download gets a notice on a terminal only, written without a newline so that a
    // failure replaces it and the user still sees exactly one line.
    const notice = setTimeout(() => {
      if (process.stderr.isTTY) {
        process.stderr.write('Downloading Electron (first start only)...');
        noticeShown = true;
      }
    }, 3_000);
    const limit = setTimeout(() => child.kill('SIGKILL'), FETCH_TIMEOUT_MS);
    const done = () => {
      clearTimeout(notice);
      clearTimeout(limit);
      resolve();
    };
    child.on('exit', done);
    child.on('error', done);
  });
}

async function resolveElectron() {
  const found = installedElectron();
  if (found) return found;
  if (!existsSync(path.join(electronDir, 'install.js'))) return null;
  await fetchElectron();
  return installedElectron();
}

const electron = await resolveElectron();
if (noticeShown) process.stderr.write(electron ? '\n' : '\r\x1b[2K');
if (!electron) {
  console.error(UNAVAILABLE);
  process.exit(1);
}

try {
  await buildApp({ quiet: true });
} catch (e) {
  console.error(`Audit Archive could not be built: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

const env = { ...process.env };
delete env.ELECTRON_RUN_AS_NODE; // would start Electron as plain Node, without a window
const child = spawn(electron, [root, ...process.argv.slice(2)], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (e) => {
  console.error(
    `Electron could not be started (${e.message}); run \`npm run dev:web\` to use Audit Archive in a browser.`,
  );
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
