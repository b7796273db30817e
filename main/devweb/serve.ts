/**
 * `npm run dev:web`: the app in a normal browser on 127.0.0.1, wired to the real engine.
 *
 * For development and tests only (the packaged app never starts it). Its composition root: what
 * it is told (dev-web-config.ts) is read once here, and each part gets only its own options.
 * Rebuilds the renderer on start so the page always matches the source; with `--watch`
 * (`npm run dev:web -- --watch`) it keeps rebuilding on every change; with `--schedule` it also runs
 * the daily job. On the first run in demo mode it fills the demo archive, like the app.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import { openAppRuntime } from '../engine/service/app-runtime';
import { readDevWebConfig, type DevWebConfig } from './dev-web-config';
import { openOsKeychain, projectVersion, startDevWebServer } from './dev-web-server';
import { buildRenderer, watchRenderer } from './renderer-build';

const say = (line: string) => process.stderr.write(`Audit Archive: ${line}\n`);

/** Builds the renderer once, or keeps rebuilding it (the watcher, to close at exit). */
async function renderer({ dir, watch }: DevWebConfig['renderer']): Promise<{ close(): Promise<void> } | null> {
  if (!watch) {
    await buildRenderer(dir);
    return null;
  }
  return watchRenderer(dir, (error) =>
    say(error ? `the renderer did not build: ${error.message}` : 'renderer rebuilt; reload the page.'),
  );
}

const config = readDevWebConfig(process.env, process.argv, os.homedir());
await mkdir(config.userDataDir, { recursive: true });
const watching = await renderer(config.renderer);
const keychain = await openOsKeychain();
if (!keychain.available) {
  say(`${keychain.reason}; storing the Genesys client secret is refused until a Secret Service runs.`);
}
// The demo archive is filled on the first run in demo mode, as the app does.
const runtime = openAppRuntime({
  userDataDir: config.userDataDir,
  transport: 'dev-web',
  appVersion: projectVersion(),
  secrets: keychain.secrets,
  schedule: config.schedule,
  demoArchive: { fill: true },
  onWarning: (message) => say(message),
  onInternalError: (e) => say(`unexpected error: ${e instanceof Error ? e.message : String(e)}`),
});
const server = await startDevWebServer({
  userDataDir: config.userDataDir,
  port: config.server.port,
  service: runtime.service,
  events: runtime.events,
  rendererDir: config.renderer.dir,
});
process.stdout.write(`Audit Archive (dev/test transport) is at ${server.url}\n`);
if (config.schedule) process.stdout.write(`Audit Archive: daily schedule on (settings in ${config.userDataDir}).\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([server.close(), watching?.close(), runtime.close()]).finally(() => process.exit(0));
  });
}
