/**
 * `npm run dev:web`: the app in a normal browser on 127.0.0.1, wired to the real engine.
 *
 * For development and tests only (the packaged app never starts it). User data defaults to
 * ~/.config/audit-archive-dev, override with AUDIT_ARCHIVE_USER_DATA; AUDIT_ARCHIVE_DEV_PORT picks the
 * port (default: any free one). Rebuilds the renderer on start (into AUDIT_ARCHIVE_RENDERER_DIR,
 * default dist/renderer) so the page always matches the source; with `--watch`
 * (`npm run dev:web -- --watch`) it keeps rebuilding on every change.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startAppSchedule } from '../engine/schedule/app-schedule';
import { openAppService } from '../engine/service/open-app-service';
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
const service = openAppService({
  userDataDir,
  transport: 'dev-web',
  appVersion: projectVersion(),
  secrets: keychain.secrets,
});
const server = await startDevWebServer({ userDataDir, port: Number.isInteger(port) ? port : 0, service, rendererDir });
process.stdout.write(`Audit Archive (dev/test transport) is at ${server.url}\n`);
// Off unless asked: tests and developers get no surprise exports.
const schedule = process.argv.includes('--schedule')
  ? startAppSchedule({
      userDataDir,
      secrets: keychain.secrets,
      onRun: (r) =>
        process.stderr.write(
          r.ok
            ? `Audit Archive: scheduled run archived ${r.outcome.archived} day(s), ${r.outcome.failed.length} failed.\n`
            : `Audit Archive: scheduled run failed: ${r.error instanceof Error ? r.error.message : String(r.error)}\n`,
        ),
    })
  : null;
if (schedule) process.stdout.write(`Audit Archive: daily schedule on (settings in ${userDataDir}).\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([server.close(), watching?.close(), schedule?.stop()]).finally(() => process.exit(0));
  });
}
