#!/usr/bin/env node
// `audit-archive`: runs the CLI's bundle (dist/cli/audit-archive.mjs, built from main/cli by
// `npm run setup` or `npm run build:cli`; see scripts/cli-bundle.mjs) on a supported Node.
//
// - On a Node other than 22 (22.12+) or 24 (an older one, typically), it runs itself again on the
//   Node that `npm run setup` put in .cache/ (or AUDIT_ARCHIVE_NODE24 / AUDIT_ARCHIVE_NODE22), else
//   says what to install.
// - A bundle that is missing or older than its sources is refused (exit 2) with the command to run:
//   the CLI never runs code that is not the checkout's.
// - The bundle's compiled code is cached beside it (scripts/cli-bundle.mjs, CLI_COMPILE_CACHE).
// Works through a symlink on PATH (Node resolves it to this file, so the paths below hold).
import { fileURLToPath } from 'node:url';
import { cliBundleProblem, CLI_ENTRY_URL, enableBundleCompileCache } from '../scripts/cli-bundle.mjs';
import {
  installedSupportedNode,
  isSupportedNode,
  relaunchLoopMessage,
  runNode,
  unsupportedNodeMessage,
} from '../scripts/supported-node.mjs';

if (!isSupportedNode()) {
  const loop = relaunchLoopMessage('audit-archive');
  if (loop) {
    process.stderr.write(loop + '\n');
    process.exit(2);
  }
  const node = installedSupportedNode();
  if (!node) {
    process.stderr.write(unsupportedNodeMessage('audit-archive') + '\n');
    process.exit(2);
  }
  await runNode(node, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)]);
}

const problem = cliBundleProblem();
if (problem) {
  process.stderr.write(`audit-archive: ${problem}\n`);
  process.exit(2);
}
enableBundleCompileCache();
await import(CLI_ENTRY_URL);
