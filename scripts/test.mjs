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
 *    runs, so the keychain tests talk to a private, unlocked gnome-keyring). The integration project
 *    runs in a Vitest of its own beside the unit and UI projects (its output lines prefixed
 *    "integration |"): its files spend most of their time waiting on Ceph, so on two cores they fill
 *    what the others leave idle. One renderer build and one Chromium serve both
 *    (test/servers/shared-ui.ts, started first, beside them).
 * 3. When the unit or integration project was selected, runs vitest.node22.config.ts's selection
 *    of them on Node 22, with the same filters and options, as soon as one Vitest of the first pass
 *    is done.
 *
 * Extra arguments go to Vitest (`npm test -- --project unit`, `npm test -- test/unit/cli`); each
 * pass says which Node it used, its time and its five longest files, and the run ends with one
 * "N passed, N failed" line over both. AUDIT_ARCHIVE_TEST_REPORTS=<folder> keeps each pass's Vitest
 * JSON report there (every file's and test's time).
 * Exit status: 0 when both passes pass, else non-zero. Servers (Ceph, the Genesys simulator,
 * Chromium) are started by the tests that need them, not here.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliBundleProblem } from './cli-bundle.mjs';
import { findNode, PRIMARY_NODE_MAJOR, SECOND_NODE_MAJOR } from './supported-node.mjs';
import {
  describeMissing,
  findOnPath,
  missingPrerequisites,
  PROJECTS,
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
function runVitest({ node, args, env, keyring, prefix = '', label }) {
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
      stdio: prefix ? ['inherit', 'pipe', 'pipe'] : 'inherit',
      env,
      detached: process.platform !== 'win32',
    });
    if (prefix) {
      prefixLines(child.stdout, process.stdout, prefix);
      prefixLines(child.stderr, process.stderr, prefix);
    }
    running.add(child);
    const finish = (code) => {
      running.delete(child);
      resolve({
        label,
        code,
        counts: wantSummary ? readCounts(summaryFile, label) : null,
        seconds: (Date.now() - started) / 1000,
      });
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
function readCounts(file, label) {
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
    keepReport(file, label);
  }
}

/** Each line of `from` written to `to` after `prefix` (a pass that runs beside another). */
function prefixLines(from, to, prefix) {
  let rest = '';
  from.setEncoding('utf8');
  from.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    if (lines.length > 0) to.write(lines.map((l) => prefix + l + '\n').join(''));
  });
  from.on('end', () => {
    if (rest) to.write(prefix + rest + '\n');
  });
}

/** A report's file name: the pass's label in letters, digits and hyphens. */
function reportName(label) {
  return `vitest-${label.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}.json`;
}

function keepReport(file, label) {
  const folder = process.env.AUDIT_ARCHIVE_TEST_REPORTS;
  try {
    if (folder) {
      mkdirSync(folder, { recursive: true });
      copyFileSync(file, path.join(folder, reportName(label)));
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
/** Whether a pass of `group` runs inside scripts/with-keyring.sh (the keychain tests' Secret Service). */
function keyringFor(group) {
  const needs = group.includes('integration') || group.includes('ui');
  return needs && process.platform === 'linux' && env.AUDIT_ARCHIVE_TEST_KEYRING !== '1';
}

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

/**
 * The first pass's Vitest processes, run at once: the integration project apart from the others
 * when both were selected by name or by default (a `--project` pattern is left to Vitest whole).
 */
function firstPassGroups() {
  if (userArgs.some(isProjectPattern) || !projects.includes('integration') || projects.length === 1) return [projects];
  return [projects.filter((p) => p !== 'integration'), ['integration']];
}

function isProjectPattern(arg, i, args) {
  const name = arg.startsWith('--project=') ? arg.slice('--project='.length) : args[i - 1] === '--project' ? arg : null;
  return name !== null && !PROJECTS.includes(name);
}

/** One Vitest of the first pass: `group`'s projects on Node 24, prefixed when it runs beside another. */
function runFirstPassGroup(primary, group, beside) {
  const label = `Node ${primary.version} (${group.join(', ')})`;
  const args = beside
    ? [...group.flatMap((p) => ['--project', p]), '--passWithNoTests', ...withoutProjects(userArgs)]
    : userArgs;
  return runVitest({
    node: primary.binary,
    args,
    env: withNodeOnPath(primary.binary),
    keyring: keyringFor(group),
    label,
    prefix: beside && group.includes('integration') ? 'integration | ' : '',
  });
}

/** The second pass: vitest.node22.config.ts's runtime-dependent files on Node 22, same filters and options. */
function runSecondPass() {
  const second = findNode(SECOND_NODE_MAJOR);
  console.log(
    `npm test: pass 2: what depends on the Node version (vitest.node22.config.ts: ${againOnNode22.join(', ')}) ` +
      `on Node ${second.version} (${shown(second.binary)})`,
  );
  return runVitest({
    node: second.binary,
    args: [
      '--config',
      path.join(root, 'vitest.node22.config.ts'),
      ...againOnNode22.flatMap((p) => ['--project', p]),
      // No files left after the filters is not a failure of this pass.
      '--passWithNoTests',
      ...withoutProjects(userArgs),
    ],
    env: withNodeOnPath(second.binary),
    keyring: keyringFor(againOnNode22),
    label: `Node ${second.version} (${againOnNode22.join(', ')}: runtime-dependent files)`,
  });
}

/**
 * One renderer build and one Chromium for every Vitest of the run (test/servers/shared-ui.ts):
 * started first, beside them; each one's global setup waits for `file`. Resolves `stop()`.
 */
function startSharedUi(node) {
  const file = path.join(tmpdir(), `audit-archive-ui-${process.pid}-${Date.now()}.json`);
  const child = spawn(node, ['--import', 'tsx', path.join(root, 'test', 'servers', 'shared-ui.ts'), file], {
    cwd: root,
    stdio: 'inherit',
    env,
    detached: process.platform !== 'win32',
  });
  running.add(child);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.on('error', (e) => writeFileSync(file, JSON.stringify({ error: `could not start: ${e.message}` })));
  return {
    file,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          if (process.platform === 'win32') child.kill('SIGTERM');
          else process.kill(-child.pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
        await exited;
      }
      running.delete(child);
      rmSync(file, { force: true });
    },
  };
}

const passes = [];
const primary = findNode(PRIMARY_NODE_MAJOR);
const groups = firstPassGroups();
const sharedUi = groups.length > 1 ? startSharedUi(primary.binary) : null;
if (sharedUi) env.AUDIT_ARCHIVE_TEST_UI_FILE = sharedUi.file;
// The CLI's bundle built here, once, when it is missing or older than its sources: the projects'
// global setups (test/servers/cli-bundle.ts) would otherwise both build it at once.
if (groups.length > 1 && cliBundleProblem() !== null) await (await import('./build.mjs')).buildCli({ quiet: true });
console.log(
  `npm test: pass 1: ${groups.map((g) => g.join(', ')).join(' beside ')} on Node ${primary.version} (${shown(primary.binary)})`,
);
const firstPass = groups.map((g) => runFirstPassGroup(primary, g, groups.length > 1));
// The second pass starts as soon as one Vitest of the first pass is done, beside the other: two
// CPU-bound Vitests at once, never three (three made a heavy test time out on a loaded 2-core machine).
await Promise.race(firstPass);
const second = againOnNode22.length > 0 && !stopped ? runSecondPass() : null;
passes.push(...(await Promise.all(firstPass)));
if (second) passes.push(await second);
await sharedUi?.stop();

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
