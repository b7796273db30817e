/**
 * Placing and releasing legal holds from the app, in Chromium against the real engine and the
 * shared Ceph RADOS Gateway. The CLI archives three days into a bucket set up as the README's
 * legal-hold section says (hold-bucket.ts); the app, given the archive's key, then does the rest as
 * an officer would: bad entries refused on their fields before anything is sent, days not archived
 * refused by name, a hold placed from a day's panel (the calendar marks the days, the panel names the
 * matter, and every vouched version reads back legal hold ON), the exporter's credentials refused in
 * words, a release that wants the matter typed out, a matter released meanwhile refused on the field,
 * and a local folder that says it cannot hold anything before any form. axe checks each state.
 */
import { HeadObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import { SettingsSchema, type Settings } from '../../../shared/settings';
import { settingsPathIn } from '../../../main/engine/archive/app-archive';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { SettingsFile } from '../../../main/engine/settings/settings-file';
import { startApp, type AppUnderTest } from '../../ui/app-under-test';
import { screenshotPath, useRendererAndBrowser } from '../../ui/chromium';
import { PREFIX, exporterEnv, runCli } from '../archive/exporter-rgw-fixture';
import { holdsBucket } from '../holds/hold-bucket';
import { rawClient } from '../stores/rgw-fixtures';

const ui = useRendererAndBrowser();
const rgw = inject('rgw');
const admin = rawClient();
const last = lastSettledDay(Date.now(), 120);
const [d1, d2, d3] = [addDays(last, -2), addDays(last, -1), last] as const;
const MATTER = 'SEC inquiry HO-1234';
let home: string;
let bucket: string;
let sim: GenesysSimulator;
let app: AppUnderTest;
let page: Page;
let settings: Settings;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-holds-app-'));
  sim = await startGenesysSimulator({ eventsPerDay: 20, seed: 18 });
  bucket = await holdsBucket('uiholdsapp', 1);
  const exporter = exporterEnv({
    home,
    target: `s3://${bucket}/${PREFIX}`,
    sim,
    retentionDays: 1,
    extra: { AUDIT_ARCHIVE_LOCK_MODE: 'GOVERNANCE' },
  });
  const archived = await runCli(['catch-up', '--from', d1, '--to', d3], exporter);
  expect(archived.code, archived.stderr).toBe(0);

  // The officer's machine: the officer's credentials (the AWS SDK's default chain reads the environment).
  vi.stubEnv('AWS_ACCESS_KEY_ID', rgw.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', rgw.secretAccessKey);
  const userDataDir = path.join(home, 'app');
  settings = SettingsSchema.parse({
    demo: false,
    archive: {
      target: `s3://${bucket}/${PREFIX}`,
      lockMode: 'GOVERNANCE',
      retentionDays: 1,
      policyStartDate: d1,
      s3: { region: rgw.region, endpoint: rgw.endpoint, forcePathStyle: true },
    },
  });
  await new SettingsFile(settingsPathIn(userDataDir)).save(settings);
  app = await startApp(ui, { userDataDir, env: { AUDIT_ARCHIVE_OFFICER: 'Dana Officer' } });
  page = app.page;
  // A hold record is signed with the archive's key: imported here as Settings > Signing key does.
  const pem = await readFile(exporter.AUDIT_ARCHIVE_SIGNING_KEY_FILE as string, 'utf8');
  await app.runtime.service['signing-key:import']({ pem });
}, 180_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await app?.close();
  await sim?.close();
  await rm(home, { recursive: true, force: true });
});

const cell = (day: Day) => page.locator(`[data-day="${day}"]`);
const panelOf = (day: Day) => page.getByRole('dialog', { name: `${day} UTC` });
/** "Release…" under a matter, named for a screen reader with the matter. */
const releaseButton = (panel: Locator, matter: string) =>
  panel.getByRole('button', { name: `Release ${matter}…`, exact: true });

/** Every version under the day's data and manifest folders, with its legal hold as S3 reads it back. */
async function holdsOfDay(day: Day): Promise<string[]> {
  const prefixes = ['audit-logs', 'manifests'].map((f) => `${PREFIX}/${f}/${day.replaceAll('-', '/')}/`);
  const statuses: string[] = [];
  for (const Prefix of prefixes) {
    const listed = await admin.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix }));
    for (const v of listed.Versions ?? []) {
      const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: v.Key, VersionId: v.VersionId }));
      statuses.push(head.ObjectLockLegalHoldStatus ?? 'OFF');
    }
  }
  return statuses;
}

async function holdRecords(): Promise<number> {
  const listed = await admin.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: `${PREFIX}/holds/` }));
  return (listed.Versions ?? []).length;
}

/** The field's error as a screen reader reaches it: the control is invalid and described by the message. */
async function fieldError(form: Locator, label: string): Promise<string> {
  const input = form.getByLabel(label, { exact: true });
  expect(await input.getAttribute('aria-invalid')).toBe('true');
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' | ');
}

describe('legal holds placed and released from the app (Ceph RGW)', () => {
  it('refuses bad entries on their fields, and days not archived by name, writing nothing', async () => {
    await app.open('#/calendar', 'Calendar');
    await cell(d2).click();
    const panel = panelOf(d2);
    await panel.getByRole('button', { name: 'Place a legal hold…' }).click();
    const form = panel.getByRole('form', { name: 'Place a legal hold' });
    await form.waitFor();
    expect(await form.getByLabel('From', { exact: true }).inputValue()).toBe(d2);
    expect(await form.getByLabel('To', { exact: true }).inputValue()).toBe(d2);
    await form.getByText('Recorded as placed by Dana Officer.', { exact: false }).waitFor();

    await form.getByLabel('From', { exact: true }).fill('03/01/2026');
    await form.getByRole('button', { name: 'Place the hold' }).click();
    expect(await fieldError(form, 'From')).toContain('From: must be a UTC day written YYYY-MM-DD');
    expect(await fieldError(form, 'Matter')).toContain('Matter: must not be empty');
    // The keyboard goes to the first field refused.
    expect(await form.getByLabel('From', { exact: true }).evaluate((el) => el === document.activeElement)).toBe(true);
    await app.axe('place form, bad entries refused on their fields');

    const before = addDays(d1, -2);
    await form.getByLabel('From', { exact: true }).fill(before);
    await form.getByLabel('Matter', { exact: true }).fill(MATTER);
    await form.getByRole('button', { name: 'Place the hold' }).click();
    await form.getByText(`Period: not archived: ${before}, ${addDays(before, 1)}`).waitFor();
    expect(await fieldError(form, 'From')).toContain(`not archived: ${before}, ${addDays(before, 1)}`);
    expect(await fieldError(form, 'To')).toContain('not archived');
    await form.getByRole('alert').filter({ hasText: 'The hold was not placed' }).waitFor();
    await app.axe('place form, days not archived refused by name');
    expect(await holdRecords()).toBe(0);
    expect(await holdsOfDay(d1)).not.toContain('ON');
  });

  it('places a hold from the day panel: the calendar marks the days, the panel names the matter, every version is held', async () => {
    const panel = panelOf(d2);
    const form = panel.getByRole('form', { name: 'Place a legal hold' });
    await form.getByLabel('From', { exact: true }).fill(d1);
    await form.getByLabel('Reference', { exact: true }).fill('HO-1234');
    await form.getByLabel('Reason', { exact: true }).fill('subpoena of 2026-11-02');
    await form.getByRole('button', { name: 'Place the hold' }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: `Held 2 archived day(s) (${d1} to ${d2}) for '${MATTER}'` })
      .waitFor();

    // The calendar and the panel are read again: the mark on both days, the matter in the panel.
    await page.locator(`[data-day="${d1}"].day-held`).waitFor();
    expect(await cell(d2).getAttribute('class')).toContain('day-held');
    expect(await cell(d3).getAttribute('class')).not.toContain('day-held');
    expect(await cell(d1).getAttribute('aria-label')).toContain(`under legal hold for ${MATTER}`);
    const hold = panel.getByRole('article', { name: `Legal hold: ${MATTER}` });
    await hold.waitFor();
    const facts = await hold.locator('dt, dd').allTextContents();
    expect(facts.slice(0, 6)).toEqual(['Matter', MATTER, 'Reference', 'HO-1234', 'Placed by', 'Dana Officer']);
    await app.axe('day panel after placing a hold');
    await page.screenshot({ path: await screenshotPath('holds-app-placed') });

    for (const day of [d1, d2]) {
      const statuses = await holdsOfDay(day);
      expect(statuses.length).toBeGreaterThan(1);
      expect(statuses.every((s) => s === 'ON')).toBe(true);
    }
    expect(await holdsOfDay(d3)).not.toContain('ON');
    expect(await holdRecords()).toBe(1);
  });

  it("says in words that the exporter's credentials may not change holds, and changes nothing", async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', rgw.exporter.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', rgw.exporter.secretAccessKey);
    try {
      await page.getByRole('button', { name: `Close ${d2}` }).click();
      await cell(d3).click();
      await panelOf(d3).getByRole('heading', { name: 'Manifests' }).waitFor();
      // From the calendar's own button, the period starting at the day open in the panel.
      const launcher = page.locator('.calendar > .hold-launcher');
      await launcher.getByRole('button', { name: 'Place a legal hold…' }).click();
      const form = launcher.getByRole('form', { name: 'Place a legal hold' });
      expect(await form.getByLabel('From', { exact: true }).inputValue()).toBe(d3);
      await form.getByLabel('Matter', { exact: true }).fill('FINRA exam 2026');
      await form.getByRole('button', { name: 'Place the hold' }).click();
      const refusal = form.getByRole('alert').filter({ hasText: 'may not change legal holds' });
      await refusal.waitFor();
      const text = (await refusal.textContent()) ?? '';
      expect(text).toContain('The hold was not placed: the archive refused the credentials this app uses');
      expect(text).toContain("the officer's credentials");
      expect(text).toContain('ARCHIVE_HOLD_DENIED');
      await app.axe('place form, refused by the bucket policy');
      await form.getByRole('button', { name: 'Cancel' }).click();
    } finally {
      vi.stubEnv('AWS_ACCESS_KEY_ID', rgw.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', rgw.secretAccessKey);
    }
    expect(await holdsOfDay(d3)).not.toContain('ON');
    expect(await holdRecords()).toBe(1);
  });

  it('releases a matter only once its name is typed out, and every version is let go', async () => {
    await page.getByRole('button', { name: `Close ${d3}` }).click();
    await cell(d1).click();
    const panel = panelOf(d1);
    await releaseButton(panel, MATTER).click();
    const form = panel.getByRole('form', { name: `Release ${MATTER}` });
    const confirm = "Type the matter's name to confirm";
    await form.getByLabel(confirm, { exact: true }).fill('SEC inquiry');
    await form.getByRole('button', { name: 'Release the hold' }).click();
    expect(await fieldError(form, confirm)).toContain("type the matter's name exactly as shown to release it");
    await app.axe('release form, the name typed wrong');
    expect(await holdsOfDay(d1)).not.toContain('OFF');

    await form.getByLabel(confirm, { exact: true }).fill(MATTER);
    await form.getByRole('button', { name: 'Release the hold' }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: `Released '${MATTER}'` })
      .waitFor();
    await page.locator(`[data-day="${d1}"]:not(.day-held)`).waitFor();
    expect(await cell(d2).getAttribute('class')).not.toContain('day-held');
    await panel.getByRole('heading', { name: 'Under legal hold' }).waitFor({ state: 'detached' });
    await app.axe('day panel after releasing the matter');
    for (const day of [d1, d2]) expect(await holdsOfDay(day)).not.toContain('ON');
    expect(await holdRecords()).toBe(2);
  });

  it('refuses on the field a release of a matter released meanwhile (another window)', async () => {
    const panel = panelOf(d1);
    await panel.getByRole('button', { name: 'Place a legal hold…' }).click();
    const placing = panel.getByRole('form', { name: 'Place a legal hold' });
    await placing.getByLabel('Matter', { exact: true }).fill('Litigation 77');
    await placing.getByRole('button', { name: 'Place the hold' }).click();
    await releaseButton(panel, 'Litigation 77').click();
    // Released elsewhere while this panel still lists it.
    const elsewhere = await app.runtime.service['holds:release']({ matter: 'Litigation 77', confirm: 'Litigation 77' });
    expect(elsewhere.matter).toBe('Litigation 77');
    const form = panel.getByRole('form', { name: 'Release Litigation 77' });
    const confirm = "Type the matter's name to confirm";
    await form.getByLabel(confirm, { exact: true }).fill('Litigation 77');
    await form.getByRole('button', { name: 'Release the hold' }).click();
    await form.getByRole('alert').filter({ hasText: 'The matter was not released' }).waitFor();
    expect(await fieldError(form, confirm)).toContain('no matter of this name holds anything now');
    await app.axe('release form, the matter released meanwhile');
    expect(await holdRecords()).toBe(4);
  });

  it('says a local folder cannot hold anything before any form opens', async () => {
    const folder = path.join(home, 'local-archive');
    await mkdir(folder, { recursive: true });
    const local = SettingsSchema.parse({
      ...settings,
      archive: { ...settings.archive, target: pathToFileURL(folder).href },
    });
    await new SettingsFile(settingsPathIn(path.join(home, 'app'))).save(local);
    await app.open('#/calendar', 'Calendar');
    const launcher = page.locator('.calendar > .hold-launcher');
    await launcher.getByRole('button', { name: 'Place a legal hold…' }).click();
    const said = launcher.getByRole('status').filter({ hasText: 'cannot enforce a legal hold' });
    await said.waitFor();
    expect(await said.textContent()).toContain('This archive cannot hold records under a legal hold.');
    expect(await launcher.getByRole('form').count()).toBe(0);
    expect(await launcher.getByLabel('Matter').count()).toBe(0);
    await app.axe('a local folder says it cannot hold anything');
  });
});
