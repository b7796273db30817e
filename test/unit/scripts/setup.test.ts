/**
 * `npm run setup` on a machine that lacks the Debian packages, run by a developer who is not root:
 * it says it will use sudo, then installs them through .ci/install-system-packages.sh.
 *
 * dpkg-query, apt-get, sudo and npm are stand-ins on PATH (this must not install anything); the
 * script itself runs for real, as an unprivileged user.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SETUP_SCRIPT = path.resolve('scripts/setup.mjs');
/** `nobody`, when these tests run as root; otherwise the developer is not root already. */
const UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
const tempDirs: string[] = [];

afterAll(async () => {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
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
    const child = spawn(process.execPath, [SETUP_SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'], ...UNPRIVILEGED });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
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
