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
// - The commands that read or write whole days run with V8's young generation capped
//   (scripts/engine-heap.mjs): the process replaces itself with one started with the flag (same pid,
//   so signals and exit codes are the command's), since the flag only counts at a process's start.
// Works through a symlink on PATH (Node resolves it to this file, so the paths below hold).
import { fileURLToPath } from 'node:url';
import { cliBundleProblem, CLI_ENTRY_URL, enableBundleCompileCache } from '../scripts/cli-bundle.mjs';
import { engineHeapFlagsFor } from '../scripts/engine-heap.mjs';
import {
  installedSupportedNode,
  isSupportedNode,
  relaunchLoopMessage,
  runNode,
  unsupportedNodeMessage,
} from '../scripts/supported-node.mjs';

const heapFlags = engineHeapFlagsFor(process.argv.slice(2));
const again = () => [...heapFlags, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)];

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
  await runNode(node, again());
}
// The same process, started again with the flag (Node 22.15+ and 24 on POSIX; elsewhere it runs without).
if (heapFlags.length > 0 && typeof process.execve === 'function')
  process.execve(process.execPath, [process.execPath, ...again()]);

const problem = cliBundleProblem();
if (problem) {
  process.stderr.write(`audit-archive: ${problem}\n`);
  process.exit(2);
}
enableBundleCompileCache();
await import(CLI_ENTRY_URL);
