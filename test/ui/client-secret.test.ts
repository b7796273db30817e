/**
 * The client secret through the real renderer into the real OS keychain (Secret Service via keytar).
 * Needs the private test keyring that `npm test` starts (scripts/with-keyring.sh); skipped without
 * it, except under CI=true where it must run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevWebServer, type DevWebServer } from '../../main/devweb/dev-web-server';
import { KeytarSecretStore } from '../../main/engine/secrets/keytar-secret-store';
import { SECRET_ACCOUNTS } from '../../main/engine/secrets/secret-store';
import { useRendererAndBrowser } from './chromium';

const keyringReady = process.env.AUDIT_ARCHIVE_TEST_KEYRING === '1';
const inCi = process.env.CI === 'true';

describe.skipIf(!keyringReady && !inCi)('the Genesys client secret in the OS keychain, from the Settings page', () => {
  const clientId = `ui-test-${randomBytes(4).toString('hex')}`;
  const secret = `ui-secret-${randomBytes(12).toString('hex')}`;
  const ui = useRendererAndBrowser();
  let userDataDir: string;
  let server: DevWebServer;
  let context: BrowserContext;
  let page: Page;
  /** Every body the engine sent to the page. */
  const bodies: string[] = [];

  beforeAll(async () => {
    userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-userdata-'));
    server = await startDevWebServer({ userDataDir, rendererDir: ui.rendererDir, log: () => undefined });
    context = await ui.browser.newContext();
    page = await context.newPage();
    page.on('response', (r) => {
      if (r.url().includes('/rpc/'))
        void r.text().then(
          (t) => bodies.push(t),
          () => undefined,
        );
    });
    await page.goto(server.url);
  });

  afterAll(async () => {
    await new KeytarSecretStore().delete(SECRET_ACCOUNTS.genesysClientSecret(clientId)).catch(() => false);
    await context?.close();
    await server?.close();
    await rm(userDataDir, { recursive: true, force: true });
  });

  it('is stored write-only: the page shows it is in the keychain, and it is never on disk or sent back', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('OAuth client ID').fill(clientId);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();

    await page.getByLabel('Client secret').fill(secret);
    await page.getByRole('button', { name: 'Store in keychain' }).click();
    await page.getByText('Stored in the OS keychain.', { exact: true }).waitFor();
    expect(await page.getByLabel('Client secret').inputValue()).toBe('');

    expect(await new KeytarSecretStore().get(SECRET_ACCOUNTS.genesysClientSecret(clientId))).toBe(secret);

    await page.reload();
    await page.getByText('A client secret for this client ID is stored in the OS keychain.').waitFor();
    expect(await page.getByLabel('Client secret').inputValue()).toBe('');

    const files = await readdir(userDataDir, { recursive: true });
    for (const f of files) {
      const text = await readFile(path.join(userDataDir, f), 'utf8').catch(() => '');
      expect(text, f).not.toContain(secret);
    }
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies.join('\n')).not.toContain(secret);
  });

  it('can be removed from the keychain', async () => {
    await page.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('Removed from the OS keychain.', { exact: true }).waitFor();
    expect(await new KeytarSecretStore().get(SECRET_ACCOUNTS.genesysClientSecret(clientId))).toBeNull();
  });
});
