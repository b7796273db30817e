/**
 * The second locked copy in the app, in Chromium against the real engine and the shared Ceph RADOS
 * Gateway: the app archives three days to a primary bucket and, in write mode, to a copy bucket;
 * "Check the copy" says every object matched and when it was checked. An object removed from the
 * copy (by the copy bucket's administrator, as an attacker or an accident would) is named by the
 * next check, marked on its day in the calendar (a shape, counted in the legend, listed with the
 * problems) and described in the day panel (what, what it means, what to do); "Catch up now" writes
 * it again from the primary's verified bytes and the mark goes. Setup refuses a copy bucket without
 * Object Lock, and the primary itself, on the copy's field, and goes on only once the copy is ready.
 * axe-core checks every state.
 */
import { CreateBucketCommand, DeleteObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { addDays, lastSettledDay } from '../../../shared/day';
import { SettingsSchema } from '../../../shared/settings';
import { settingsPathIn } from '../../../main/engine/archive/app-archive';
import { generateSigningKey } from '../../../main/engine/archive/signing';
import { SecretSigningKeyStore } from '../../../main/engine/archive/signing-keys';
import { initBucket } from '../../../main/engine/archive/stores/bucket-init';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { SECRET_ACCOUNTS } from '../../../main/engine/secrets/secret-store';
import { SettingsFile } from '../../../main/engine/settings/settings-file';
import { startApp, type AppUnderTest } from '../../ui/app-under-test';
import { screenshotPath, useRendererAndBrowser } from '../../ui/chromium';
import { rawClient, rgwConnection, uniqueBucket } from '../stores/rgw-fixtures';

const ui = useRendererAndBrowser();
const rgw = inject('rgw');
const last = lastSettledDay(Date.now(), 120);
const [d1, d2, d3] = [addDays(last, -2), addDays(last, -1), last] as const;
const PREFIX = 'acme/prod';
const COPY_PREFIX = 'acme/copy';
let home: string;
let sim: GenesysSimulator;
let app: AppUnderTest;
let page: Page;
let primary: string;
let copy: string;
let plain: string;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-copy-'));
  sim = await startGenesysSimulator({ runningPolls: 0, eventsPerDay: 20, seed: 19 });
  [primary, copy, plain] = [uniqueBucket('uicopyp'), uniqueBucket('uicopyc'), uniqueBucket('uicopyn')];
  for (const bucket of [primary, copy])
    await initBucket({ connection: rgwConnection(), bucket, lockMode: 'GOVERNANCE', retentionDays: 1 });
  await rawClient().send(new CreateBucketCommand({ Bucket: plain }));
  // The AWS SDK's default credential chain reads the process environment, as on an officer's machine.
  vi.stubEnv('AWS_ACCESS_KEY_ID', rgw.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', rgw.secretAccessKey);
  const secrets = new MemorySecretStore();
  await secrets.set(SECRET_ACCOUNTS.genesysClientSecret(sim.clientId), sim.clientSecret);
  const key = generateSigningKey();
  await new SecretSigningKeyStore(secrets).save(key);
  const userDataDir = path.join(home, 'app');
  await new SettingsFile(settingsPathIn(userDataDir)).save(
    SettingsSchema.parse({
      demo: false,
      genesys: { clientId: sim.clientId, apiUrl: sim.apiUrl, loginUrl: sim.loginUrl, statusPollMs: 20 },
      archive: {
        target: `s3://${primary}/${PREFIX}`,
        lockMode: 'GOVERNANCE',
        retentionDays: 1,
        policyStartDate: d1,
        signingKeyFingerprint: key.fingerprint,
        s3: { region: rgw.region, endpoint: rgw.endpoint, forcePathStyle: true },
        copy: { target: `s3://${copy}/${COPY_PREFIX}`, mode: 'write' },
      },
    }),
  );
  app = await startApp(ui, { userDataDir, secrets });
  page = app.page;
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await app?.close();
  await sim?.close();
  await rm(home, { recursive: true, force: true });
});

const cell = (day: string) => page.locator(`[data-day="${day}"]`);
const legendEntry = () => page.getByRole('list', { name: 'Legend' }).locator('[data-mark="copy"]');
const squeezed = async (text: Promise<string | null>) => ((await text) ?? '').replace(/\s+/g, ' ').trim();

/** Runs "Check the copy" over every day and waits for its own outcome (not the last job's, still shown). */
async function checkTheCopy(): Promise<string> {
  await page.evaluate(() => document.querySelector('.job-finished')?.setAttribute('data-seen', ''));
  await page.getByRole('button', { name: 'Check the copy' }).click();
  const finished = page.locator('.job-finished:not([data-seen])');
  await finished.getByText('Check of the second locked copy: finished').waitFor({ timeout: 60_000 });
  return squeezed(finished.locator('.job-summary').textContent());
}

/** Every version of the copy's data part of `day` removed, as the copy bucket's administrator can (governance bypass). */
async function removeFromCopy(day: string): Promise<string> {
  const folder = `${COPY_PREFIX}/audit-logs/${day.replaceAll('-', '/')}/`;
  const listed = await rawClient().send(new ListObjectVersionsCommand({ Bucket: copy, Prefix: folder }));
  const versions = listed.Versions ?? [];
  expect(versions.length).toBe(1);
  for (const v of versions)
    await rawClient().send(
      new DeleteObjectCommand({ Bucket: copy, Key: v.Key, VersionId: v.VersionId, BypassGovernanceRetention: true }),
    );
  return versions[0]?.Key as string;
}

describe('the second locked copy in the app (Ceph RGW)', () => {
  it('checks a copy the app wrote: every object matched, said with when it was checked', async () => {
    await app.open('#/calendar', 'Calendar');
    await page.getByRole('button', { name: 'Catch up now' }).click();
    await page.getByText('Catch-up: finished').waitFor({ timeout: 120_000 });
    // Write mode: each day went to the copy as it landed, and the root, which this catch-up created,
    // with the first of them (as with the CLI: test/integration/copy/copy-rgw.test.ts), so catch-up's
    // pass over the copy finds every object there and writes nothing.
    expect(await squeezed(page.locator('.job-summary').textContent())).toBe(
      "Caught up: 3 of 3 days archived, 60 events. Second locked copy: 7 object(s) checked, 0 written from the primary's verified bytes.",
    );

    const summary = await checkTheCopy();
    expect(summary).toBe(
      `✓ The copy s3://${copy}/${COPY_PREFIX} (write mode) against s3://${primary}/${PREFIX}, ${d1} to ${d3}: matches. All 7 objects the manifests vouch for are in the copy with the recorded SHA-256 (bytes hashed) and locked at least as long as in the primary.`,
    );
    await cell(d1).waitFor();
    expect(await squeezed(legendEntry().textContent())).toMatch(/^second copy wrong 0 \(checked .+\)$/);
    expect(await squeezed(page.locator('.copy-problems .hint').textContent())).toMatch(
      new RegExp(`^As the last copy check found it \\(.+, ${d1} to ${d3}, 7 objects\\): every object matched\\.$`),
    );
    for (const day of [d1, d2, d3]) expect(await cell(day).getAttribute('class')).not.toContain('day-copy');
    await app.axe('calendar after a copy check that matched');

    await cell(d2).click();
    const panel = page.getByRole('dialog', { name: `${d2} UTC` });
    await panel.getByRole('heading', { name: 'Second locked copy' }).waitFor();
    expect(await squeezed(panel.locator('.copy-state').textContent())).toMatch(
      new RegExp(
        `^The copy check of .+ found every object of this day in s3://${copy}/${COPY_PREFIX} with the SHA-256`,
      ),
    );
    await page.getByRole('button', { name: `Close ${d2}` }).click();
  });

  it('an object removed from the copy: named by the check, marked on its day with a shape, and described in the day panel', async () => {
    const removed = await removeFromCopy(d2);
    const summary = await checkTheCopy();
    expect(summary).toMatch(
      new RegExp(
        `^✗ The copy s3://${copy}/${COPY_PREFIX} \\(write mode\\) against .+: DOES NOT MATCH\\. 6 of 7 objects matched; 1 missing, on 1 day \\(listed below\\)\\.$`,
      ),
    );
    const finding = await squeezed(
      page.getByRole('list', { name: 'Verification problems' }).getByRole('listitem').textContent(),
    );
    expect(finding).toContain(`${d2} copy-missing`);
    expect(finding).toContain(removed);

    await page.waitForFunction(
      (day) => document.querySelector(`[data-day="${day}"]`)?.classList.contains('day-copy'),
      d2,
    );
    expect(await cell(d2).getAttribute('aria-label')).toMatch(
      new RegExp(
        `^${d2}: archived, 20 events \\(second copy: objects missing from the copy at the copy check of .+\\)$`,
      ),
    );
    for (const day of [d1, d3]) expect(await cell(day).getAttribute('class')).not.toContain('day-copy');
    // The mark is a shape (a hollow diamond drawn over the state's square), not a colour.
    expect(await cell(d2).evaluate((el) => getComputedStyle(el, '::before').width)).toBe('4px');
    expect(await squeezed(legendEntry().textContent())).toMatch(/^second copy wrong 1 \(checked .+\)$/);
    // The strip above agrees with the marks: the primary is whole, the copy is not (and it is not green).
    const strip = page.locator('.summary-strip');
    expect(await strip.textContent()).toMatch(/ · 1 day wrong in the second copy$/);
    expect(await strip.getAttribute('class')).not.toContain('summary-clear');
    expect(await squeezed(page.locator('.problem-copy').textContent())).toBe(
      `${d2}: second copy: objects missing from the copy`,
    );
    await app.axe('calendar with a day whose copy is missing an object');

    await cell(d2).click();
    const panel = page.getByRole('dialog', { name: `${d2} UTC` });
    const part = panel.locator('.day-copy-part');
    await part.getByText('The second locked copy of this day does not match the primary').waitFor();
    const text = await squeezed(part.textContent());
    expect(text).toMatch(
      new RegExp(`The copy check of .+ found 1 object missing from the copy \\(s3://${copy}/${COPY_PREFIX}\\)\\.`),
    );
    expect(text).toContain('The primary archive is still the evidence for this day');
    expect(text).toContain('the backup set that SEC 17a-4(f)(2)(v) asks for');
    expect(text).toContain(
      `Run "Catch up now" on the calendar (or audit-archive catch-up): catch-up writes every object missing from the copy from the primary's verified bytes`,
    );
    expect(await squeezed(part.getByRole('list', { name: 'Copy findings' }).textContent())).toContain(
      `copy-missing${removed}`,
    );
    await app.axe('day panel of a day whose copy is missing an object');
    await page.screenshot({ path: await screenshotPath('calendar-copy-missing') });
    await page.getByRole('button', { name: `Close ${d2}` }).click();
  });

  it("catch-up writes the missing object again from the primary's verified bytes, and the mark goes", async () => {
    await page.getByRole('button', { name: 'Catch up now' }).click();
    await page.getByText('Catch-up: finished').waitFor({ timeout: 120_000 });
    expect(await squeezed(page.locator('.job-summary').textContent())).toMatch(
      /Second locked copy: 7 object\(s\) checked, 1 written from the primary's verified bytes\.$/,
    );
    await page.waitForFunction(
      (day) => !document.querySelector(`[data-day="${day}"]`)?.classList.contains('day-copy'),
      d2,
    );
    expect(await squeezed(legendEntry().textContent())).toMatch(/^second copy wrong 0 \(checked .+\)$/);
    expect(await checkTheCopy()).toMatch(/: matches\. All 7 objects/);
  });
});

describe('setup checks the copy bucket as it checks the primary (Ceph RGW)', () => {
  it('refuses a copy bucket without Object Lock, and the primary itself, on the copy field', async () => {
    // The app is open on the calendar: go to setup as its own link does.
    await page.evaluate(() => (window.location.hash = '#/setup'));
    await page.getByRole('heading', { name: 'Connect your organisation', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Connected to .*: the client may read audits\./ })
      .waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Check bucket' }).click();
    await page.getByText('Ready: this bucket can hold the archive.').waitFor();
    const field = page.getByLabel('Second locked copy');
    await field.fill(`s3://${plain}/acme`);
    await page.getByRole('button', { name: 'Check the copy bucket' }).click();
    const error = page.locator('.field-invalid .field-error');
    await error.waitFor();
    expect(await squeezed(error.textContent())).toBe(
      `✗ Second locked copy: Refused: s3://${plain} has no Object Lock, so its objects could be deleted or overwritten: it cannot be a locked copy. Use a bucket made with Object Lock.`,
    );
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    // The primary is ready, but a copy entered must be ready too before the next step.
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByText("Check the second locked copy's bucket first (or empty its field)").waitFor();
    await app.axe('setup with a copy bucket refused');
    await page.screenshot({ path: await screenshotPath('setup-copy-refused'), fullPage: true });

    await field.fill(`s3://${primary}/${PREFIX}`);
    await page.getByRole('button', { name: 'Check the copy bucket' }).click();
    await error.waitFor();
    expect(await squeezed(error.textContent())).toContain(
      `is the primary archive itself (s3://${primary}/${PREFIX}): a copy that shares the primary's bucket and prefix is no backup.`,
    );

    await field.fill(`s3://${copy}/${COPY_PREFIX}`);
    await page.getByRole('button', { name: 'Check the copy bucket' }).click();
    await page.getByText('Ready: this bucket can hold the second locked copy.').waitFor();
    const reason = page.locator('.check-ok .check-reason').filter({ hasText: 'can hold the second locked copy' });
    expect(await squeezed(reason.textContent())).toContain(
      'Write mode: the product writes every object and manifest there after the primary. These credentials may write there: a write with a deliberately wrong checksum was refused for its checksum, not for permission, so nothing was stored.',
    );
    expect(await field.getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(false);
    await app.axe('setup with a copy bucket ready');
  });
});
