#!/usr/bin/env node
/**
 * `npm test`: every Vitest project (unit, integration, ui), with a real keychain.
 *
 * Runs `vitest run` inside scripts/with-keyring.sh, so the keychain tests talk to a private,
 * unlocked gnome-keyring instead of skipping. Extra arguments go to Vitest
 * (`npm test -- --project unit`); the exit code is Vitest's. Servers (Ceph, the Genesys simulator,
 * Chromium) are started by the tests that need them, not here.
 *
 * Without dbus-run-session/gnome-keyring it says so in one line and still runs the tests: the
 * keychain tests then skip, except under CI=true, where they fail so CI never silently skips them.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const userArgs = process.argv.slice(2);
// A JSON report beside the usual output, so the run ends with one plain "N passed, N failed" line
// that any CI can read (unless the caller chose reporters themselves).
const summaryFile = join(tmpdir(), `audit-archive-vitest-${process.pid}.json`);
const wantSummary = !userArgs.some((a) => a.startsWith('--reporter'));
const vitestArgs = [
  'run',
  ...(wantSummary ? ['--reporter=default', '--reporter=json', `--outputFile.json=${summaryFile}`] : []),
  ...userArgs,
];
const vitest = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vitest.cmd' : 'vitest');

/** True when `name` is an executable somewhere on PATH. */
function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const keyringTools = ['bash', 'dbus-run-session', 'gnome-keyring-daemon'];
const alreadyInKeyring = process.env.AUDIT_ARCHIVE_TEST_KEYRING === '1';
const canStartKeyring = process.platform === 'linux' && keyringTools.every(onPath);

let command = vitest;
let args = vitestArgs;
if (!alreadyInKeyring && canStartKeyring) {
  command = 'bash';
  args = [join(root, 'scripts', 'with-keyring.sh'), vitest, ...vitestArgs];
} else if (!alreadyInKeyring) {
  const missing = keyringTools.filter((t) => !onPath(t)).join(', ') || 'a Linux Secret Service';
  console.error(
    `npm test: no test keyring (missing ${missing}; apt-get install -y dbus gnome-keyring libsecret-tools); ` +
      `keychain tests will ${process.env.CI === 'true' ? 'FAIL because CI=true' : 'be skipped'}.`,
  );
}

// Own process group, so a stop reaches everything under it (D-Bus, gnome-keyring, Vitest workers)
// and with-keyring.sh can remove its temp folder.
const child = spawn(command, args, { cwd: root, stdio: 'inherit', detached: process.platform !== 'win32' });
const exitCodes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
for (const signal of Object.keys(exitCodes)) {
  process.on(signal, () => {
    try {
      if (process.platform === 'win32') child.kill(signal);
      else process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  });
}
child.on('error', (e) => {
  console.error(`npm test: could not start ${command}: ${e.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (wantSummary) printSummary();
  process.exit(code ?? exitCodes[signal] ?? 1);
});

/** The closing line: counts from Vitest's JSON report. */
function printSummary() {
  try {
    const r = JSON.parse(readFileSync(summaryFile, 'utf8'));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  } catch {
    // No report (Vitest did not get as far as writing one): its own output says why.
  } finally {
    rmSync(summaryFile, { force: true });
  }
}
