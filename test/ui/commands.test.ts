/**
 * The README's promises about the two start commands, run as a user would run them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../main/devweb/renderer-build';

const started: ChildProcess[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(command, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: 'pipe' });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/**
 * An npm script's command as npm runs it (package.json), with this test's Node for `node`: through
 * scripts/supported-node.mjs, which runs it on a supported Node and passes SIGTERM on.
 */
function npmScript(name: string): [string, string[]] {
  const scripts = (
    JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  const [command, ...args] = (scripts[name] ?? '').split(' ');
  if (command !== 'node') throw new Error(`npm run ${name} is not a node command: ${scripts[name]}`);
  return [process.execPath, args];
}

/** Resolves with the first full stdout line (the server is ready once it prints it). */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (c: Buffer) => {
      buffered += c.toString('utf8');
      const end = buffered.indexOf('\n');
      if (end >= 0) resolve(buffered.slice(0, end));
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before printing a line`)));
  });
}

describe('npm run dev:web', () => {
  it('prints one line with a 127.0.0.1 URL that serves the app wired to the engine, and stops cleanly', async () => {
    const userData = await tempDir('aa-devweb-userdata-');
    const rendererDir = await tempDir('aa-devweb-renderer-');
    const server = run(...npmScript('dev:web'), {
      AUDIT_ARCHIVE_USER_DATA: userData,
      AUDIT_ARCHIVE_RENDERER_DIR: rendererDir,
    });

    const line = await firstLine(server.child);
    const match =
      /^Audit Archive \(dev\/test transport\) is at (http:\/\/127\.0\.0\.1:\d+)\/#token=([A-Za-z0-9_-]{43})$/.exec(
        line,
      );
    expect(match, line).not.toBeNull();
    const [, origin, token] = match!;

    const page = await fetch(`${origin}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Audit Archive</title>');

    const info = await fetch(`${origin}/rpc/app:info`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-audit-archive-token': token! },
      body: '{}',
    });
    expect(await info.json()).toMatchObject({
      ok: true,
      value: { transport: 'dev-web', demo: true, archiveIsWorm: false },
    });

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output().stdout.trim().split('\n')).toEqual([line]);
  });
});

const electronInstalled = existsSync(path.join(PROJECT_ROOT, 'node_modules', 'electron', 'path.txt'));

describe.skipIf(electronInstalled)('npm start where Electron cannot be fetched', () => {
  it('says so in one line, points to npm run dev:web, and exits 1 without hanging', async () => {
    const start = run(...npmScript('start'));
    expect(await start.exited).toBe(1);
    const { stdout, stderr } = start.output();
    const lines = (stdout + stderr).split('\n').filter((l) => l.trim() !== '');
    expect(lines).toEqual([
      "Electron's binary could not be downloaded on this machine; run `npm run dev:web` to use Audit Archive in a browser on 127.0.0.1.",
    ]);
  });
});
