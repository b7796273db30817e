/**
 * `npm run dev:web`: the app in a normal browser on 127.0.0.1, wired to the real engine.
 *
 * For development and tests only (the packaged app never starts it). User data defaults to
 * ~/.config/audit-archive-dev, override with AUDIT_ARCHIVE_USER_DATA; AUDIT_ARCHIVE_DEV_PORT picks the
 * port (default: any free one). Rebuilds the renderer on start (into AUDIT_ARCHIVE_RENDERER_DIR,
 * default dist/renderer) so the page always matches the source; with `--watch`
 * (`npm run dev:web -- --watch`) it keeps rebuilding on every change; with `--schedule` it also runs
 * the daily job. On the first run in demo mode it fills the demo archive, like the app.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openAppRuntime } from '../engine/service/app-runtime';
import { openOsKeychain, projectVersion, startDevWebServer } from './dev-web-server';
import { buildRenderer, DEFAULT_RENDERER_DIR, watchRenderer } from './renderer-build';

const userDataDir = process.env.AUDIT_ARCHIVE_USER_DATA || path.join(os.homedir(), '.config', 'audit-archive-dev');
const port = Number(process.env.AUDIT_ARCHIVE_DEV_PORT ?? 0);

await mkdir(userDataDir, { recursive: true });
const rendererDir = process.env.AUDIT_ARCHIVE_RENDERER_DIR || DEFAULT_RENDERER_DIR;
const watching = process.argv.includes('--watch')
  ? await watchRenderer(rendererDir, (error) =>
      process.stderr.write(
        error
          ? `Audit Archive: the renderer did not build: ${error.message}\n`
          : 'Audit Archive: renderer rebuilt; reload the page.\n',
      ),
    )
  : (await buildRenderer(rendererDir), null);
const keychain = await openOsKeychain();
if (!keychain.available) {
  process.stderr.write(
    `Audit Archive: ${keychain.reason}; storing the Genesys client secret is refused until a Secret Service runs.\n`,
  );
}
// The daily job only with --schedule: tests and developers get no surprise exports. The demo
// archive is filled on the first run in demo mode, as the app does.
const withSchedule = process.argv.includes('--schedule');
const runtime = openAppRuntime({
  userDataDir,
  transport: 'dev-web',
  appVersion: projectVersion(),
  secrets: keychain.secrets,
  schedule: withSchedule,
  demoArchive: { fill: true },
  onWarning: (message) => process.stderr.write(`Audit Archive: ${message}\n`),
  onInternalError: (e) =>
    process.stderr.write(`Audit Archive: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`),
});
const server = await startDevWebServer({
  userDataDir,
  port: Number.isInteger(port) ? port : 0,
  service: runtime.service,
  events: runtime.events,
  rendererDir,
});
process.stdout.write(`Audit Archive (dev/test transport) is at ${server.url}\n`);
if (withSchedule) process.stdout.write(`Audit Archive: daily schedule on (settings in ${userDataDir}).\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([server.close(), watching?.close(), runtime.close()]).finally(() => process.exit(0));
  });
}
