/**
 * "Connect your organisation" in Chromium against the real engine, with the Genesys simulator
 * standing in for a real organisation (its URLs given as the environment gives a private gateway):
 * Test connection proves login and the audit permission or names what is missing; "Sign in as
 * myself" completes PKCE through the browser and the loopback redirect, and the officer's own
 * sign-in then archives a day; a local folder is accepted but flagged as not WORM; the signing
 * key's fingerprint is shown to record. (A bucket without Object Lock is refused against Ceph RGW:
 * test/integration/ui/s3-setup.test.ts.)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatFingerprint } from '../../shared/archive-root';
import { lastSettledDay } from '../../shared/day';
import { SettingsSchema, type SettingsInput } from '../../shared/settings';
import { startGenesysSimulator, type GenesysSimulator } from '../../main/engine/genesys/simulator/server';
import { MemorySecretStore } from '../../main/engine/secrets/memory-secret-store';
import { SECRET_ACCOUNTS } from '../../main/engine/secrets/secret-store';
import { settingsPathIn } from '../../main/engine/archive/app-archive';
import { SettingsFile } from '../../main/engine/settings/settings-file';
import { startApp, type AppUnderTest } from './app-under-test';
import { screenshotPath, useRendererAndBrowser } from './chromium';

const ui = useRendererAndBrowser();
let userDataDir: string;
let sim: GenesysSimulator;
let secrets: MemorySecretStore;
let app: AppUnderTest | null = null;

beforeEach(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-setup-'));
  sim = await startGenesysSimulator({ runningPolls: 0, eventsPerDay: 25 });
  secrets = new MemorySecretStore();
});

afterEach(async () => {
  expect(app?.pageErrors ?? []).toEqual([]);
  await app?.close();
  app = null;
  await sim.close();
  await rm(userDataDir, { recursive: true, force: true });
});

/**
 * The app on the demo organisation, with the simulator reachable as "Genesys" (a private gateway),
 * showing two years on the calendar rather than the default seven: the calendar the officer starts
 * from is not what these tests are about, and seven years of day cells took seconds to draw and for
 * axe to check in each test.
 */
async function openSetup(settings: SettingsInput = {}): Promise<Page> {
  await new SettingsFile(settingsPathIn(userDataDir)).save(
    SettingsSchema.parse({
      ...settings,
      // The simulator answers a query at once: its status is looked at after 20 ms, not Genesys's 500.
      genesys: { statusPollMs: 20, ...settings.genesys },
      ui: { calendarYears: 2, ...settings.ui },
    }),
  );
  app = await startApp(ui, {
    userDataDir,
    secrets,
    env: { AUDIT_ARCHIVE_GENESYS_API_URL: sim.apiUrl, AUDIT_ARCHIVE_GENESYS_LOGIN_URL: sim.loginUrl },
  });
  await app.open('#/calendar', 'Calendar');
  await app.page.getByRole('link', { name: 'Connect your organisation' }).click();
  await app.page.getByRole('heading', { name: 'Connect your organisation', level: 1 }).waitFor();
  return app.page;
}

async function enterClient(page: Page, secret: string): Promise<void> {
  await page.getByLabel('OAuth client ID').fill(sim.clientId);
  await page.getByLabel('Client secret').fill(secret);
  await page.getByRole('button', { name: 'Store in keychain' }).click();
  await page.getByText('Stored in the OS keychain.', { exact: true }).waitFor();
}

describe('connecting an organisation', () => {
  it('Test connection proves login and the audit permission, then the steps lead to a connected, archiving app', async () => {
    const page = await openSetup();
    const next = page.getByRole('button', { name: 'Next' });
    expect(await next.isDisabled()).toBe(true);
    await enterClient(page, sim.clientSecret);
    expect(await secrets.get(SECRET_ACCOUNTS.genesysClientSecret(sim.clientId))).toBe(sim.clientSecret);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Connected to ${sim.organisation.organization.name}: the client may read audits.` })
      .waitFor();
    const steps = await page.getByRole('list', { name: 'Connection checks' }).getByRole('listitem').allTextContents();
    expect(steps).toEqual([
      expect.stringMatching(/^Login: Logged in at 127\.0\.0\.1:\d+ with client /),
      expect.stringContaining(`Organisation: Organisation ${sim.organisation.organization.name}`),
      'Permission: The client may read audits (audits:audit:view).',
    ]);
    await next.click();

    // A local folder: accepted, and said loudly not to be WORM.
    await page.getByLabel('Kind of storage').selectOption('local');
    await page.getByLabel('Folder').fill(path.join(userDataDir, 'real-archive'));
    await page.getByRole('button', { name: 'Check folder' }).click();
    await page.getByText('Ready, but not WORM: a local folder.').waitFor();
    expect(await page.getByRole('note').textContent()).toContain('A local folder is not WORM storage.');
    await next.click();

    await page.getByLabel('Retention (days)').fill('3653');
    await next.click();

    await page.getByRole('button', { name: 'Create a signing key' }).click();
    const fingerprint = page.getByLabel('Signing key fingerprint');
    await fingerprint.waitFor();
    const shown = (await fingerprint.textContent()) ?? '';
    expect(shown).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    expect(await next.isDisabled()).toBe(true);
    await page.getByLabel('I have recorded this fingerprint with our compliance records.').check();
    await page.screenshot({ path: await screenshotPath('setup'), fullPage: true });
    await next.click();

    await page.getByRole('button', { name: 'Connect and start archiving' }).click();
    await page.getByText('Connected. The app now archives your organisation.').waitFor();
    await expect.poll(() => page.getByText('Demo organisation.').count()).toBe(0);
    const saved = JSON.parse(await readFile(settingsPathIn(userDataDir), 'utf8')) as {
      demo: boolean;
      genesys: { clientId: string };
      archive: { target: string; retentionDays: number; signingKeyFingerprint: string };
    };
    expect(saved).toMatchObject({ demo: false, genesys: { clientId: sim.clientId }, archive: { retentionDays: 3653 } });
    expect(saved.archive.target).toMatch(/^file:\/\/\/.*real-archive$/);
    expect(formatFingerprint(saved.archive.signingKeyFingerprint)).toBe(shown);
    expect(await readFile(settingsPathIn(userDataDir), 'utf8')).not.toContain(sim.clientSecret);
  });

  it('a client without audits:audit:view is named as such, and setup does not go on', async () => {
    sim.setOptions({ missingPermission: true });
    const page = await openSetup();
    await enterClient(page, sim.clientSecret);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const alert = page
      .getByRole('alert')
      .filter({ hasText: 'The client may not read audits: it is missing audits:audit:view.' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Admin > Roles: Audits > Audit > View');
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
  });

  it('"Sign in as myself" completes through the browser and the loopback redirect, and the officer\'s sign-in archives a day', async () => {
    const last = lastSettledDay(Date.now(), 120);
    const page = await openSetup({ genesys: { signInRedirectPort: 0 }, archive: { policyStartDate: last } });
    await page.getByLabel('Sign-in method').selectOption('pkce');
    await page.getByLabel('OAuth client ID').fill(sim.clientId);

    // The "system browser" is a second page: Genesys's sign-in redirects it back to the app's listener.
    const browserPage = page.context().waitForEvent('page');
    await page.getByRole('button', { name: 'Sign in as myself' }).click();
    const signIn = await browserPage;
    await signIn.getByRole('heading', { name: 'Signed in' }).waitFor();
    expect(new URL(signIn.url()).pathname).toBe('/oauth/callback');
    await page
      .getByRole('status')
      .filter({ hasText: `Signed in to ${sim.organisation.organization.name} as yourself: you may read audits.` })
      .waitFor();
    await signIn.close();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Login: Signed in as yourself.').waitFor();

    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Kind of storage').selectOption('local');
    await page.getByRole('button', { name: 'Check folder' }).click();
    await page.getByText('Ready, but not WORM: a local folder.').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Create a signing key' }).click();
    await page.getByLabel('I have recorded this fingerprint with our compliance records.').check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Connect and start archiving' }).click();
    await page.getByText('Connected. The app now archives your organisation.').waitFor();

    // End to end: the officer's own sign-in archives yesterday from "Genesys".
    await page.getByRole('link', { name: 'Open the calendar' }).click();
    await page.getByRole('button', { name: 'Catch up now' }).click();
    await page.getByText('Catch-up: finished').waitFor({ timeout: 60_000 });
    expect(await page.locator('.job-summary').textContent()).toMatch(/^Caught up: 1 of 1 days archived, 25 events\.$/);
    await page.locator(`[data-day="${last}"]`).click();
    const panel = page.getByRole('dialog', { name: `${last} UTC` });
    await panel.getByText(`${sim.organisation.organization.name} (${sim.organisation.orgId})`).waitFor();
    expect(await panel.textContent()).not.toContain('the demo organisation (simulated)');
  });
});
