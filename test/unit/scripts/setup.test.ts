/**
 * `npm run setup` on a machine that lacks the Debian packages, run by a developer who is not root:
 * it says it will use sudo, then installs them through .ci/install-system-packages.sh.
 *
 * dpkg-query, apt-get, sudo and npm are stand-ins on PATH (this must not install anything); the
 * script itself runs for real, as an unprivileged user. When these tests run as root that user is
 * `nobody`, who may not read a checkout in a private folder (a `mktemp -d`, root's 0700 home): the
 * script runs from a copy of scripts/ and .ci/ that anyone can read, with a Node anyone can run.
 */
import { spawn } from 'node:child_process';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { chmod, copyFile, cp, link, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const AS_ROOT = process.getuid?.() === 0;
/** `nobody`, when these tests run as root; otherwise the developer is not root already. */
const UNPRIVILEGED = AS_ROOT ? { uid: 65534, gid: 65534 } : {};
const tempDirs: string[] = [];
let setupScript = path.resolve('scripts/setup.mjs');
let node = process.execPath;

afterAll(async () => {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

/** True when a user who is neither owner nor group may run `file` (and reach it). */
function othersCanRun(file: string): boolean {
  let at = realpathSync(file);
  for (;;) {
    if ((statSync(at).mode & 0o001) === 0) return false;
    if (path.dirname(at) === at) return true;
    at = path.dirname(at);
  }
}

/** scripts/ and .ci/ where `nobody` can read them, and this Node where `nobody` can run it. */
beforeAll(async () => {
  if (!AS_ROOT) return;
  const checkout = await mkdtemp(path.join(tmpdir(), 'setup-checkout-'));
  tempDirs.push(checkout);
  await chmod(checkout, 0o755);
  for (const dir of ['scripts', '.ci']) await cp(dir, path.join(checkout, dir), { recursive: true });
  setupScript = path.join(checkout, 'scripts', 'setup.mjs');
  if (othersCanRun(process.execPath)) return;
  const binary = realpathSync(process.execPath);
  node = path.join(checkout, 'node', path.basename(binary));
  await mkdir(path.dirname(node), { mode: 0o755 });
  // A hard link when the binary itself is runnable by others (it shares bytes and mode), else (or
  // on another file system) a copy made runnable.
  const linked =
    (statSync(binary).mode & 0o001) !== 0 &&
    (await link(binary, node).then(
      () => true,
      () => false,
    ));
  if (!linked) {
    await copyFile(binary, node);
    await chmod(node, 0o755);
  }
});

async function fakeCommands(scripts: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'setup-path-'));
  tempDirs.push(dir);
  await chmod(dir, 0o777);
  for (const [name, body] of Object.entries(scripts)) {
    await writeFile(path.join(dir, name), `#!/bin/sh\n${body}\n`);
    await chmod(path.join(dir, name), 0o755);
  }
  return dir;
}

function setup(env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(node, [setupScript], { env, stdio: ['ignore', 'pipe', 'pipe'], ...UNPRIVILEGED });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('npm run setup as a developer who is not root', () => {
  it('says it will use sudo, then installs every missing Debian package through the install script', async () => {
    const bin = await fakeCommands({
      'dpkg-query': 'exit 1', // nothing installed
      'apt-get': 'exit 0',
      sudo: `echo "$@" > "\${0%/*}/sudo-was-asked"`,
      npm: 'exit 0',
    });
    const r = await setup({ PATH: bin, HOME: bin });

    const packages = readFileSync('.ci/system-packages.txt', 'utf8')
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean);
    const lines = r.output.split('\n');
    const announce = lines.findIndex((l) => l.includes('with sudo (it may ask for your password)'));
    expect(announce, r.output).toBeGreaterThanOrEqual(0);
    for (const pkg of packages) expect(lines[announce]).toContain(pkg);
    expect((await readFile(path.join(bin, 'sudo-was-asked'), 'utf8')).trim()).toBe(
      `bash ${path.join('.ci', 'install-system-packages.sh')}`,
    );
  });
});
