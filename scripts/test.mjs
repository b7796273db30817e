#!/usr/bin/env node
/**
 * `npm test`: every Vitest project (unit, integration, ui) on Node 24 (Electron 45's) with a real
 * keychain, then the files whose behaviour depends on the Node version again on Node 22, the other
 * supported Node (vitest.node22.config.ts names them and says why).
 *
 * 1. Checks first (scripts/test-prerequisites.mjs) that the machine has what the selected projects
 *    start: Ceph, gnome-keyring on D-Bus, Chromium, pdftotext, Node 24 and Node 22 (this process
 *    may run on an older system Node: it only starts the passes). Anything missing is one line
 *    naming the Debian packages and `npm run setup`, and nothing is started.
 * 2. Runs `vitest run` on Node 24 (inside scripts/with-keyring.sh when the integration or UI project
 *    runs, so the keychain tests talk to a private, unlocked gnome-keyring).
 * 3. When the unit or integration project was selected, runs vitest.node22.config.ts's selection
 *    of them on Node 22, with the same filters and options.
 *
 * Extra arguments go to Vitest (`npm test -- --project unit`, `npm test -- test/unit/cli`); each
 * pass says which Node it used, its time and its five longest files, and the run ends with one
 * "N passed, N failed" line over both. AUDIT_ARCHIVE_TEST_REPORTS=<folder> keeps each pass's Vitest
 * JSON report there (every file's and test's time).
 * Exit status: 0 when both passes pass, else non-zero. Servers (Ceph, the Genesys simulator,
 * Chromium) are started by the tests that need them, not here.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findNode, PRIMARY_NODE_MAJOR, SECOND_NODE_MAJOR } from './supported-node.mjs';
import {
  describeMissing,
  findOnPath,
  missingPrerequisites,
  secondPassProjects,
  selectedProjects,
} from './test-prerequisites.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const vitestEntry = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const userArgs = process.argv.slice(2);
const projects = selectedProjects(userArgs);
const againOnNode22 = secondPassProjects(projects);

const missing = missingPrerequisites({ projects, secondPass: againOnNode22.length > 0 });
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

/**
 * Counts and each file's time from Vitest's JSON report, or null when Vitest did not get as far as
 * writing one. The report is kept in AUDIT_ARCHIVE_TEST_REPORTS (a folder) when that is set.
 */
function readCounts(file) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    return {
      passed: r.numPassedTests ?? 0,
      failed: r.numFailedTests ?? 0,
      skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
      files: (r.testResults ?? []).map((t) => ({ name: shown(t.name), seconds: (t.endTime - t.startTime) / 1000 })),
    };
  } catch {
    return null;
  } finally {
    keepReport(file);
  }
}

function keepReport(file) {
  const folder = process.env.AUDIT_ARCHIVE_TEST_REPORTS;
  try {
    if (folder) {
      mkdirSync(folder, { recursive: true });
      copyFileSync(file, path.join(folder, `vitest-pass-${passes.length + 1}.json`));
    }
  } catch (e) {
    console.error(`npm test: could not keep the report in ${folder}: ${e.message}`);
  }
  rmSync(file, { force: true });
}

/** The longest test files of a pass, longest first: where a pass's time goes. */
function longestFiles(files, count = 5) {
  return [...files]
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, count)
    .map((f) => `${f.name} ${Math.round(f.seconds)} s`)
    .join(', ');
}

/** A path as a person reads it: relative inside the project. */
function shown(file) {
  const relative = path.relative(root, file);
  return relative.startsWith('..') ? file : relative;
}

const env = { ...process.env };
if (projects.includes('ui') && !env.AUDIT_ARCHIVE_CHROMIUM) env.AUDIT_ARCHIVE_CHROMIUM = findOnPath('chromium') ?? '';
const needsKeyring = projects.includes('integration') || projects.includes('ui');
const keyring = needsKeyring && process.platform === 'linux' && env.AUDIT_ARCHIVE_TEST_KEYRING !== '1';

/** `env` with `node` on PATH being `binary`'s, for tests that start child processes by name. */
function withNodeOnPath(binary) {
  return { ...env, PATH: [path.dirname(binary), env.PATH].filter(Boolean).join(path.delimiter) };
}

/** The user's arguments without their `--project` choices (a pass names its own projects). */
function withoutProjects(args) {
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--project') i++;
    else if (!args[i].startsWith('--project=')) rest.push(args[i]);
  }
  return rest;
}

const passes = [];
const primary = findNode(PRIMARY_NODE_MAJOR);
console.log(`npm test: pass 1: ${projects.join(', ')} on Node ${primary.version} (${shown(primary.binary)})`);
passes.push({
  label: `Node ${primary.version} (${projects.join(', ')})`,
  ...(await runVitest({ node: primary.binary, args: userArgs, env: withNodeOnPath(primary.binary), keyring })),
});

// After the first pass, not beside it: the two at once made a heavy test time out on a loaded
// 2-core machine, and a test that fails only under load is worse than two minutes.
if (againOnNode22.length > 0 && !stopped) {
  const second = findNode(SECOND_NODE_MAJOR);
  // Same filters and options; no files left after the filters is not a failure of this pass.
  console.log(
    `npm test: pass 2: what depends on the Node version (vitest.node22.config.ts: ${againOnNode22.join(', ')}) ` +
      `on Node ${second.version} (${shown(second.binary)})`,
  );
  passes.push({
    label: `Node ${second.version} (${againOnNode22.join(', ')}: runtime-dependent files)`,
    ...(await runVitest({
      node: second.binary,
      args: [
        '--config',
        path.join(root, 'vitest.node22.config.ts'),
        ...againOnNode22.flatMap((p) => ['--project', p]),
        '--passWithNoTests',
        ...withoutProjects(userArgs),
      ],
      env: withNodeOnPath(second.binary),
      keyring: keyring && againOnNode22.includes('integration'),
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
    if (c?.files.length) console.log(`npm test:   longest files: ${longestFiles(c.files)}`);
  }
  const counted = passes.filter((p) => p.counts);
  if (counted.length > 0) {
    const sum = (k) => counted.reduce((n, p) => n + p.counts[k], 0);
    console.log(`Tests: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
  }
}
process.exit(stopped ? exitCodes[stopped] : (passes.find((p) => p.code !== 0)?.code ?? 0));
