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
import {
  findNode,
  installedNodeBinary,
  nodeOverrideVariable,
  nodePackage,
  PRIMARY_NODE_MAJOR,
  SECOND_NODE_MAJOR,
} from './supported-node.mjs';

export const SETUP_COMMAND = 'npm run setup';
export const PROJECTS = /** @type {const} */ (['unit', 'integration', 'ui']);

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

/**
 * The projects whose files the second pass (Node 22, vitest.node22.config.ts) may run: those with
 * runtime-dependent files. The UI tests drive Chromium; the Node under them is the first pass's.
 */
export const SECOND_PASS_PROJECTS = /** @type {const} */ (['unit', 'integration']);

/** The selected projects that the second pass runs again (none: no second pass). */
export function secondPassProjects(projects) {
  return SECOND_PASS_PROJECTS.filter((p) => projects.includes(p));
}

/** What is missing for the Node of `major`, or null when `findNode` finds it. */
function missingNode(major, env, use) {
  if (findNode(major, env)) return null;
  const variable = nodeOverrideVariable(major);
  return {
    what: env[variable]
      ? `a Node ${major} binary at ${variable}=${installedNodeBinary(major, env)}`
      : `Node ${major} ${use} (${nodePackage(major)} in .cache/)`,
    pkg: null,
  };
}

/**
 * Everything the selected projects need that this machine lacks, as `{ what, pkg }` (pkg: the
 * Debian package, or null when `npm run setup` provides it some other way).
 */
export function missingPrerequisites({
  projects,
  env = process.env,
  secondPass = secondPassProjects(projects).length > 0,
}) {
  const missing = [];
  for (const need of REQUIRED_COMMANDS) {
    if (!need.projects.some((p) => projects.includes(p))) continue;
    if (need.unlessEnv && env[need.unlessEnv]) continue;
    if (!findOnPath(need.command, env)) missing.push({ what: need.command, pkg: need.pkg });
  }
  if (env.AUDIT_ARCHIVE_CHROMIUM && projects.includes('ui') && !existsSync(env.AUDIT_ARCHIVE_CHROMIUM)) {
    missing.push({ what: `AUDIT_ARCHIVE_CHROMIUM=${env.AUDIT_ARCHIVE_CHROMIUM}`, pkg: null });
  }
  const nodes = [
    missingNode(PRIMARY_NODE_MAJOR, env, 'for the tests'),
    secondPass ? missingNode(SECOND_NODE_MAJOR, env, 'for the second pass') : null,
  ];
  return [...missing, ...nodes.filter(Boolean)];
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
