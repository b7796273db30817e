#!/usr/bin/env node
/**
 * `npm test`: every Vitest project (unit, integration, ui) on this machine's Node with a real
 * keychain, then the unit project again on Node 24, the other Node the engine must run on.
 *
 * 1. Checks first (scripts/test-prerequisites.mjs) that the machine has what the selected projects
 *    start: Ceph, gnome-keyring on D-Bus, Chromium, pdftotext, the Node 24 binary. Anything missing
 *    is one line naming the Debian packages and `npm run setup`, and nothing is started.
 * 2. Runs `vitest run` (inside scripts/with-keyring.sh when the integration or UI project runs, so
 *    the keychain tests talk to a private, unlocked gnome-keyring).
 * 3. When the unit project was selected, runs it again with Node 24's binary (`npm run setup`
 *    installs it into .cache/node24), so engine code that works only on one Node fails here.
 *
 * Extra arguments go to Vitest (`npm test -- --project unit`, `npm test -- test/unit/cli`); each
 * pass says which Node it used, and the run ends with one "N passed, N failed" line over both.
 * Exit status: 0 when both passes pass, else non-zero. Servers (Ceph, the Genesys simulator,
 * Chromium) are started by the tests that need them, not here.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  describeMissing,
  findOnPath,
  missingPrerequisites,
  secondNodeBinary,
  secondNodeVersion,
  selectedProjects,
  SECOND_NODE_MAJOR,
  wantsSecondNodePass,
} from './test-prerequisites.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const vitestEntry = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const userArgs = process.argv.slice(2);
const projects = selectedProjects(userArgs);
const secondPass = wantsSecondNodePass(projects);

const missing = missingPrerequisites({ projects, secondNode: secondPass });
if (missing.length > 0) {
  console.error(describeMissing(missing));
  process.exit(1);
}

// A JSON report beside the usual output, so each pass ends with a plain "N passed, N failed" line
// that any CI can read (unless the caller chose reporters themselves).
const wantSummary = !userArgs.some((a) => a.startsWith('--reporter'));
const exitCodes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
/** The passes running now, so a stop reaches them. */
const running = new Set();
let stopped = null;
for (const signal of Object.keys(exitCodes)) {
  process.on(signal, () => {
    stopped = signal;
    for (const child of running) {
      try {
        if (process.platform === 'win32') child.kill(signal);
        else process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    }
  });
}

/**
 * Runs Vitest with `node` and resolves with its exit code, counts and time. Its own process group,
 * so a stop reaches everything under it (D-Bus, gnome-keyring, Vitest workers).
 */
function runVitest({ node, args, env, keyring }) {
  const summaryFile = path.join(tmpdir(), `audit-archive-vitest-${process.pid}-${running.size}-${Date.now()}.json`);
  const vitestArgs = [
    vitestEntry,
    'run',
    ...(wantSummary ? ['--reporter=default', '--reporter=json', `--outputFile.json=${summaryFile}`] : []),
    ...args,
  ];
  const [command, commandArgs] = keyring
    ? ['bash', [path.join(root, 'scripts', 'with-keyring.sh'), node, ...vitestArgs]]
    : [node, vitestArgs];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, {
      cwd: root,
      stdio: 'inherit',
      env,
      detached: process.platform !== 'win32',
    });
    running.add(child);
    const finish = (code) => {
      running.delete(child);
      resolve({ code, counts: wantSummary ? readCounts(summaryFile) : null, seconds: (Date.now() - started) / 1000 });
    };
    child.on('error', (e) => {
      console.error(`npm test: could not start ${command}: ${e.message}`);
      finish(1);
    });
    child.on('exit', (code, signal) => finish(code ?? exitCodes[signal] ?? 1));
  });
}

/** Counts from Vitest's JSON report, or null when Vitest did not get as far as writing one. */
function readCounts(file) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    return {
      passed: r.numPassedTests ?? 0,
      failed: r.numFailedTests ?? 0,
      skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
    };
  } catch {
    return null;
  } finally {
    rmSync(file, { force: true });
  }
}

const env = { ...process.env };
if (projects.includes('ui') && !env.AUDIT_ARCHIVE_CHROMIUM) env.AUDIT_ARCHIVE_CHROMIUM = findOnPath('chromium') ?? '';
const needsKeyring = projects.includes('integration') || projects.includes('ui');
const keyring = needsKeyring && process.platform === 'linux' && env.AUDIT_ARCHIVE_TEST_KEYRING !== '1';

const passes = [];
console.log(`npm test: pass 1: ${projects.join(', ')} on Node ${process.version} (${process.execPath})`);
passes.push({
  label: `Node ${process.version} (${projects.join(', ')})`,
  ...(await runVitest({ node: process.execPath, args: userArgs, env, keyring })),
});

// After the first pass, not beside it: the two at once made a heavy test time out on a loaded
// 2-core machine, and a test that fails only under load is worse than two minutes.
if (secondPass && !stopped) {
  const node = secondNodeBinary();
  const version = secondNodeVersion(node);
  // Same filters and options, the unit project only; `node` on PATH is Node 24 too, for tests that
  // start child processes. No files left after the filters is not a failure of this pass.
  const args = [];
  for (let i = 0; i < userArgs.length; i++) {
    if (userArgs[i] === '--project') i++;
    else if (!userArgs[i].startsWith('--project=')) args.push(userArgs[i]);
  }
  console.log(
    `npm test: pass 2: unit again on Node ${version} (${path.relative(root, node) || node}), ` +
      `the engine must run on Node ${SECOND_NODE_MAJOR} too`,
  );
  const pathWithNode = [path.dirname(node), env.PATH].filter(Boolean).join(path.delimiter);
  passes.push({
    label: `Node ${version} (unit)`,
    ...(await runVitest({
      node,
      args: ['--project', 'unit', '--passWithNoTests', ...args],
      env: { ...env, PATH: pathWithNode },
      keyring: false,
    })),
  });
}

if (wantSummary) {
  for (const p of passes) {
    const c = p.counts;
    console.log(
      `npm test: ${p.label}: ` +
        (c ? `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped` : `no report (exit ${p.code})`) +
        ` in ${Math.round(p.seconds)} s`,
    );
  }
  const counted = passes.filter((p) => p.counts);
  if (counted.length > 0) {
    const sum = (k) => counted.reduce((n, p) => n + p.counts[k], 0);
    console.log(`Tests: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
  }
}
process.exit(stopped ? exitCodes[stopped] : (passes.find((p) => p.code !== 0)?.code ?? 0));
