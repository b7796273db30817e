/**
 * The run's one renderer build and one Chromium, when `npm test` runs the UI and integration
 * projects in two Vitests (scripts/test.mjs starts this first, beside them).
 *
 *   node --import tsx test/servers/shared-ui.ts FILE
 *
 * Builds and launches (test/servers/ui-setup.ts `startUi`), then writes FILE in one step: `{ "ui":
 * { rendererDir, browserWsEndpoint } }`, or `{ "error": "..." }` when either failed. Each Vitest's
 * global setup waits for FILE. Runs until SIGTERM or SIGINT, then closes the browser and removes
 * the build.
 */
import { rename, writeFile } from 'node:fs/promises';
import { startUi } from './ui-setup';

async function writeOnce(file: string, content: object): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify(content));
  await rename(`${file}.tmp`, file);
}

async function main(file: string): Promise<void> {
  let started: Awaited<ReturnType<typeof startUi>>;
  try {
    started = await startUi();
  } catch (e) {
    await writeOnce(file, { error: e instanceof Error ? e.message : String(e) });
    process.exitCode = 1;
    return;
  }
  const stop = () => void started.stop().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await writeOnce(file, { ui: started.ui });
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node --import tsx test/servers/shared-ui.ts FILE');
  process.exit(2);
}
await main(file);
