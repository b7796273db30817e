/**
 * `npm test` on a machine that lacks what the tests start: one line that names the Debian packages
 * and `npm run setup`, at once, instead of a stack trace from the Ceph start-up minutes in.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const TEST_SCRIPT = path.resolve('scripts/test.mjs');
const nodeMajor = Number(process.versions.node.split('.')[0]);
const tempDirs: string[] = [];

afterAll(async () => {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

/** A folder for PATH holding only the named commands (each a script that does nothing). */
async function pathWith(commands: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'preflight-path-'));
  tempDirs.push(dir);
  for (const name of commands) {
    await writeFile(path.join(dir, name), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(dir, name), 0o755);
  }
  return dir;
}

/** `npm test -- ARGS` with only `env`; killed if it ever got as far as running tests. */
function npmTest(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; lines: string[] }>((resolve, reject) => {
    const child = spawn(process.execPath, [TEST_SCRIPT, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const tooLong = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(tooLong);
      resolve({ code, lines: output.split('\n').filter((l) => l.trim() !== '') });
    });
  });
}

/** The packages `npm run setup` installs (.ci/system-packages.txt). */
function setupPackages(): string[] {
  return readFileSync('.ci/system-packages.txt', 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

describe('npm test on a machine without the test servers', () => {
  it('stops at once with one line naming every missing package and npm run setup', async () => {
    const r = await npmTest([], { PATH: await pathWith([]) });
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    const line = r.lines[0] ?? '';
    for (const pkg of ['ceph-mon', 'ceph-osd', 'radosgw', 'dbus', 'gnome-keyring', 'chromium', 'poppler-utils']) {
      expect(line).toContain(pkg);
    }
    expect(line).toContain('`npm run setup`');

    // Every package it asks for is one that `npm run setup` installs.
    const asked = /Debian packages (.*?) \(no /.exec(line)?.[1]?.split(', ') ?? [];
    expect(asked.length).toBeGreaterThan(5);
    expect(setupPackages()).toEqual(expect.arrayContaining(asked));
  });

  it('asks only for what the chosen project needs: the UI tests need Chromium and the keyring, not Ceph', async () => {
    const r = await npmTest(['--project', 'ui'], { PATH: await pathWith(['pdftotext']) });
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/lacks Debian packages dbus, gnome-keyring, chromium \(/);
    expect(r.lines[0]).not.toContain('ceph');
  });

  // npm test runs on Node 24, then again on Node 22; the Node running the test script counts as found.
  it.each([24, 22].filter((major) => major !== nodeMajor))(
    'names the Node %i binary it needs when it is missing',
    async (major) => {
      const r = await npmTest(['--project', 'unit'], {
        PATH: await pathWith(['pdftotext']),
        [`AUDIT_ARCHIVE_NODE${major}`]: path.join(tmpdir(), `no-such-node${major}`, 'node'),
      });
      expect(r.code).toBe(1);
      expect(r.lines).toEqual([
        expect.stringMatching(
          new RegExp(`lacks a Node ${major} binary at AUDIT_ARCHIVE_NODE${major}=.*; run \`npm run setup\``),
        ),
      ]);
    },
  );
});
