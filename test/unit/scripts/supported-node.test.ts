/**
 * The supported Nodes (22 and 24) as package.json, the scripts and npm's entry points apply them:
 * on an older Node, `npm start`, `npm run dev:web`, the benches and the builds run on the Node that
 * `npm run setup` installed, or say in one line what to install.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { olderNode } from './older-node';

interface SupportedNodeModule {
  SUPPORTED_NODE_RANGE: string;
  isSupportedNode: (version: string) => boolean;
}
// @ts-expect-error: plain ESM script without type declarations
const supported = (await import('../../../scripts/supported-node.mjs')) as SupportedNodeModule;
const LAUNCHER = path.resolve('scripts/supported-node.mjs');
const OLDER_NODE = olderNode();
const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};

function run(node: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the supported Nodes', () => {
  it('are what package.json engines says: 22 from 22.12, and 24; nothing older, nothing odd', () => {
    expect(packageJson.engines.node).toBe(supported.SUPPORTED_NODE_RANGE);
    const verdicts = Object.fromEntries(
      ['20.19.0', '22.11.0', '22.12.0', '22.23.5', '23.11.0', '24.0.0', '24.22.3', '25.1.0'].map((v) => [
        v,
        supported.isSupportedNode(v),
      ]),
    );
    expect(verdicts).toEqual({
      '20.19.0': false,
      '22.11.0': false,
      '22.12.0': true,
      '22.23.5': true,
      '23.11.0': false,
      '24.0.0': true,
      '24.22.3': true,
      '25.1.0': false,
    });
  });

  it('every npm script that runs project code goes through scripts/supported-node.mjs', () => {
    for (const name of ['start', 'dev:web', 'build', 'build:cli', 'simulator', 'bench']) {
      expect(packageJson.scripts[name], name).toMatch(/^node scripts\/supported-node\.mjs /);
    }
  });

  it.skipIf(!OLDER_NODE)('on an older Node, runs the script on the supported Node that setup installed', async () => {
    // AUDIT_ARCHIVE_NODE24 stands in for .cache/node24: it names this test's own (supported) Node.
    const r = await run(OLDER_NODE as string, [LAUNCHER, '-p', 'process.execPath + " " + process.argv.length'], {
      AUDIT_ARCHIVE_NODE24: process.execPath,
    });
    expect(r).toEqual({ code: 0, stdout: `${process.execPath} 1\n`, stderr: '' });
  });

  it.skipIf(!OLDER_NODE)(
    'on an older Node without one, says in one line what to install and runs nothing',
    async () => {
      const nowhere = path.join(tmpdir(), 'no-such-node', 'node');
      const r = await run(OLDER_NODE as string, [LAUNCHER, '-e', 'console.log("ran")'], {
        AUDIT_ARCHIVE_NODE24: nowhere,
        AUDIT_ARCHIVE_NODE22: nowhere,
        npm_lifecycle_event: 'dev:web',
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^npm run dev:web: Audit Archive runs on Node 22 or 24, and this is Node v\d+\.\d+\.\d+ .*; run `npm run setup` in .* or install Node 24\.\n$/,
      );
    },
  );
});
