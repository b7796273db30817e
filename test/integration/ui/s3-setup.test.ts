/**
 * Setup with an S3 archive, in Chromium against the real engine and a real Ceph RADOS Gateway with
 * Object Lock (this project starts it; the UI project does not, to keep its runs short): "Check
 * bucket" refuses a bucket without Object Lock with the reason on screen, "Create bucket" asks
 * loudly before COMPLIANCE, and once connected the day panel shows what S3 recorded: the object's
 * version id, its lock and retain-until, its SHA-256.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { lastSettledDay } from '../../../shared/day';
import { SettingsSchema } from '../../../shared/settings';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { settingsPathIn } from '../../../main/engine/archive/app-archive';
import { SettingsFile } from '../../../main/engine/settings/settings-file';
import { startApp, type AppUnderTest } from '../../ui/app-under-test';
import { screenshotPath, useRendererAndBrowser } from '../../ui/chromium';

const ui = useRendererAndBrowser();
const rgw = inject('rgw');
const suffix = randomBytes(4).toString('hex');
const plainBucket = `plain-${suffix}`;
const lockedBucket = `locked-${suffix}`;
let userDataDir: string;
let sim: GenesysSimulator;
let app: AppUnderTest;
let page: Page;
const last = lastSettledDay(Date.now(), 120);

beforeAll(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-s3-'));
  sim = await startGenesysSimulator({ runningPolls: 0, eventsPerDay: 30 });
  const admin = new S3Client({
    endpoint: rgw.endpoint,
    forcePathStyle: true,
    region: rgw.region,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
  });
  await admin.send(new CreateBucketCommand({ Bucket: plainBucket }));
  // The AWS SDK's default credential chain reads the process environment, as on an officer's machine.
  vi.stubEnv('AWS_ACCESS_KEY_ID', rgw.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', rgw.secretAccessKey);
  await new SettingsFile(settingsPathIn(userDataDir)).save(
    SettingsSchema.parse({ archive: { policyStartDate: last, retentionDays: 30 }, genesys: { statusPollMs: 20 } }),
  );
  app = await startApp(ui, {
    userDataDir,
    secrets: new MemorySecretStore(),
    env: { AUDIT_ARCHIVE_GENESYS_API_URL: sim.apiUrl, AUDIT_ARCHIVE_GENESYS_LOGIN_URL: sim.loginUrl },
  });
  page = app.page;
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await app?.close();
  await sim?.close();
  await rm(userDataDir, { recursive: true, force: true });
});

describe('setup with an S3 archive (Ceph RGW)', () => {
  it('refuses a bucket without Object Lock with the reason on screen, and creates a locked one after a loud confirmation', async () => {
    await app.open('#/setup', 'Connect your organisation');
    await page.getByLabel('OAuth client ID').fill(sim.clientId);
    await page.getByLabel('Client secret').fill(sim.clientSecret);
    await page.getByRole('button', { name: 'Store in keychain' }).click();
    await page.getByText('Stored in the OS keychain.', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Connected to .*: the client may read audits\./ })
      .waitFor();
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByLabel('Kind of storage').selectOption('s3');
    await page.getByLabel('Bucket').fill(plainBucket);
    await page.getByLabel('Prefix').fill('genesys');
    await page.getByLabel('S3 region').fill(rgw.region);
    await page.getByLabel('S3 endpoint').fill(rgw.endpoint);
    await page.getByLabel('Path-style URLs').check();
    await page.getByRole('button', { name: 'Check bucket' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Refused: this bucket cannot hold the archive.' });
    await refused.waitFor();
    expect(await refused.textContent()).toContain(
      `s3://${plainBucket} has no Object Lock, so it cannot hold the archive`,
    );
    expect(await refused.locator('dd').first().textContent()).toBe('not enabled');
    expect(await page.getByRole('button', { name: 'Create bucket' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.screenshot({ path: await screenshotPath('setup-bucket-refused'), fullPage: true });

    await page.getByLabel('Bucket').fill(lockedBucket);
    await page.getByRole('button', { name: 'Check bucket' }).click();
    await page.getByText('The bucket does not exist yet.').waitFor();
    await page.getByRole('button', { name: 'Create bucket' }).click();
    const confirm = page.getByRole('alertdialog', { name: `Create ${lockedBucket} with COMPLIANCE retention?` });
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('This cannot be undone.');
    await confirm.getByRole('button', { name: 'Create with COMPLIANCE retention' }).click();
    await page.getByText(`Created ${lockedBucket}: Object Lock on, default retention COMPLIANCE 30 days.`).waitFor();
    await page.getByText('Ready: this bucket can hold the archive.').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Create a signing key' }).click();
    await page.getByLabel('I have recorded this fingerprint with our compliance records.').check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Connect and start archiving' }).click();
    await page.getByText('Connected. The app now archives your organisation.').waitFor();
  });

  it('the day panel shows the version id, lock and retain-until that S3 reported for the archived object', async () => {
    await page.getByRole('link', { name: 'Open the calendar' }).click();
    await page.getByRole('button', { name: 'Catch up now' }).click();
    await page.getByText('Catch-up: finished').waitFor({ timeout: 120_000 });
    expect(await page.locator('.job-summary').textContent()).toMatch(/^Caught up: 1 of 1 days archived, 30 events\.$/);
    await page.locator(`[data-day="${last}"]`).click();
    const panel = page.getByRole('dialog', { name: `${last} UTC` });
    const row = panel
      .getByRole('table', { name: /^Objects of manifest / })
      .getByRole('row')
      .nth(1);
    await row.waitFor();
    expect(await row.locator('code').first().textContent()).toBe(
      `genesys/audit-logs/${last.replaceAll('-', '/')}/events-0001.jsonl.gz`,
    );
    const versionId = (await row.locator('.version-id').textContent()) ?? '';
    expect(versionId).not.toMatch(/^none/);
    expect(versionId.length).toBeGreaterThan(8);
    expect(await row.locator('.hash').textContent()).toMatch(/^[0-9a-f]{64}$/);
    expect(await row.getByRole('cell', { name: 'COMPLIANCE' }).count()).toBe(1);
    const until = new Date(Date.now() + 30 * 86_400_000);
    expect(await row.locator('.retain-until').textContent()).toContain(String(until.getUTCFullYear()));
    await page.screenshot({ path: await screenshotPath('day-panel-s3') });
  });
});
