/**
 * `npm run dev:web`: the app in a normal browser on 127.0.0.1, wired to the real engine.
 *
 * For development and tests only (the packaged app never starts it). User data defaults to
 * ~/.config/audit-archive-dev, override with AUDIT_ARCHIVE_USER_DATA. Rebuilds the renderer on
 * start so the page always matches the source.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAppService } from '../engine/service/app-service';
import { SettingsFile } from '../engine/settings/settings-file';
import { openOsKeychain, projectVersion, startDevWebServer } from './dev-web-server';
import { buildRenderer, DEFAULT_RENDERER_DIR } from './renderer-build';

const userDataDir = process.env.AUDIT_ARCHIVE_USER_DATA || path.join(os.homedir(), '.config', 'audit-archive-dev');
const port = Number(process.env.AUDIT_ARCHIVE_DEV_PORT ?? 0);

await mkdir(userDataDir, { recursive: true });
await buildRenderer(DEFAULT_RENDERER_DIR);
const keychain = await openOsKeychain();
if (!keychain.available) {
  process.stderr.write(
    `Audit Archive: ${keychain.reason}; storing the Genesys client secret is refused until a Secret Service runs.\n`,
  );
}
const service = createAppService({
  settingsFile: new SettingsFile(path.join(userDataDir, 'settings.json')),
  secrets: keychain.secrets,
  transport: 'dev-web',
  defaultArchiveDir: path.join(userDataDir, 'archive'),
  appVersion: projectVersion(),
});
const server = await startDevWebServer({ userDataDir, port: Number.isInteger(port) ? port : 0, service });
process.stdout.write(`Audit Archive (dev/test transport) is at ${server.url}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().finally(() => process.exit(0));
  });
}
