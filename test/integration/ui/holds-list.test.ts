/**
 * The Legal holds page, in Chromium against the real engine and the shared Ceph RADOS Gateway. The
 * CLI archives three days into a bucket set up as the README's legal-hold section says
 * (hold-bucket.ts), two officers place a hold each for a matter over different periods (the second
 * running past the last archived day), and junk is written under holds/. The page lists both matters
 * with their words and the days they cover, names the junk as a record that does not count, links a
 * period to its day on the calendar, and releases a matter once its name is typed out: it leaves the
 * list, the days it alone held lose their mark on the calendar (and their legal hold in S3), the day
 * both held keeps it; with the last matter released the page says none holds anything. A local
 * folder says it cannot hold anything. axe checks each state.
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
import { PREFIX, exporterEnv, putAs, runCli } from '../archive/exporter-rgw-fixture';
import { holdsBucket } from '../holds/hold-bucket';
import { rawClient } from '../stores/rgw-fixtures';

const ui = useRendererAndBrowser();
const rgw = inject('rgw');
const admin = rawClient();
const last = lastSettledDay(Date.now(), 120);
const [d1, d2, d3] = [addDays(last, -2), addDays(last, -1), last] as const;
const [later1, later2] = [addDays(last, 1), addDays(last, 2)] as const;
const SEC = 'SEC inquiry HO-1234';
const LIT = 'Litigation 77';
let home: string;
let bucket: string;
let sim: GenesysSimulator;
let app: AppUnderTest;
let page: Page;
let settings: Settings;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-holds-list-'));
  sim = await startGenesysSimulator({ eventsPerDay: 20, seed: 18 });
  bucket = await holdsBucket('uiholdslist', 1);
  const exporter = exporterEnv({
    home,
    target: `s3://${bucket}/${PREFIX}`,
    sim,
    retentionDays: 1,
    extra: { AUDIT_ARCHIVE_LOCK_MODE: 'GOVERNANCE' },
  });
  const archived = await runCli(['catch-up', '--from', d1, '--to', d3], exporter);
  expect(archived.code, archived.stderr).toBe(0);
  const officer = (name: string) => ({
    ...exporter,
    AWS_ACCESS_KEY_ID: rgw.accessKeyId,
    AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
    AUDIT_ARCHIVE_OFFICER: name,
  });
  for (const [name, args] of [
    ['Dana Officer', ['--from', d1, '--to', d2, '--matter', SEC, '--reference', 'HO-1234', '--reason', 'subpoena']],
    ['Lee Counsel', ['--from', d2, '--to', later2, '--matter', LIT, '--reference', 'LIT-77', '--reason', 'letter']],
  ] as const) {
    const placed = await runCli(['hold', 'place', ...args], officer(name));
    expect(placed.code, placed.stderr).toBe(0);
  }
  await putAs(admin, bucket, `${PREFIX}/holds/000099.json`, '{"matter":"Forged matter"}');

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
  // A release record is signed with the archive's key: imported here as Settings > Signing key does.
  const pem = await readFile(exporter.AUDIT_ARCHIVE_SIGNING_KEY_FILE as string, 'utf8');
  await app.runtime.service['signing-key:import']({ pem });
}, 180_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await app?.close();
  await sim?.close();
  await rm(home, { recursive: true, force: true });
});

const matterCard = (matter: string) => page.getByRole('article', { name: `Legal hold: ${matter}` });
const cell = (day: Day) => page.locator(`[data-day="${day}"]`);

/** A definition list as term -> description pairs, in order. */
async function facts(list: Locator): Promise<string[][]> {
  const texts = await list.locator('dt, dd').allTextContents();
  return Array.from({ length: texts.length / 2 }, (_, i) => [texts[2 * i] as string, texts[2 * i + 1] as string]);
}

/** Every version under the day's data and manifest folders, with its legal hold as S3 reads it back. */
async function holdsOfDay(day: Day): Promise<string[]> {
  const statuses: string[] = [];
  for (const folder of ['audit-logs', 'manifests']) {
    const Prefix = `${PREFIX}/${folder}/${day.replaceAll('-', '/')}/`;
    const listed = await admin.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix }));
    for (const v of listed.Versions ?? []) {
      const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: v.Key, VersionId: v.VersionId }));
      statuses.push(head.ObjectLockLegalHoldStatus ?? 'OFF');
    }
  }
  return statuses;
}

describe('the Legal holds page (Ceph RGW)', () => {
  it('lists every matter holding days, with its words, its periods and the days they cover', async () => {
    await app.open('#/holds', 'Legal holds');
    const sec = matterCard(SEC);
    await sec.waitFor();
    expect(await page.getByRole('article', { name: /^Legal hold: / }).count()).toBe(2);
    expect(await sec.getByRole('heading', { level: 3 }).textContent()).toContain(SEC);
    const [secDays, secPeriod] = await Promise.all([facts(sec.locator('dl').first()), facts(sec.locator('li dl'))]);
    expect(secDays).toEqual([
      ['Archived days held', `2 archived day(s) (${d1} to ${d2})`],
      ['Also held by another matter', `1 day(s) (${d2}): they stay held when this matter is released`],
    ]);
    expect(secPeriod.slice(0, 3)).toEqual([
      ['Period', `${d1} to ${d2}`],
      ['Reference', 'HO-1234'],
      ['Placed by', 'Dana Officer'],
    ]);
    expect(secPeriod[3]?.[0]).toBe('Placed');
    expect(secPeriod[4]).toEqual(['Reason', 'subpoena']);

    const lit = matterCard(LIT);
    expect(await facts(lit.locator('dl').first())).toEqual([
      ['Archived days held', `2 archived day(s) (${d2} to ${d3})`],
      ['Days still to come', `2 later day(s) (${later1} to ${later2}): held as they are archived`],
      ['Also held by another matter', `1 day(s) (${d2}): they stay held when this matter is released`],
    ]);
    expect((await facts(lit.locator('li dl'))).filter(([t]) => t !== 'Placed')).toEqual([
      ['Period', `${d2} to ${later2}`],
      ['Reference', 'LIT-77'],
      ['Placed by', 'Lee Counsel'],
      ['Reason', 'letter'],
    ]);

    // The junk under holds/ is named as a record that does not count, and lists no matter.
    const invalid = page.getByRole('region', { name: /1 record under holds\/ does not count as a legal hold/ });
    expect(await invalid.getByRole('listitem').allTextContents()).toEqual([
      expect.stringMatching(/holds\/000099\.json is not a legal-hold record: /),
    ]);
    expect(await page.getByText('Forged matter').count()).toBe(0);
    await app.axe('the Legal holds page with two matters and a record that does not count');
    await page.screenshot({ path: await screenshotPath('holds-list'), fullPage: true });
  });

  it("opens a period's first day on the calendar, its panel naming the matter", async () => {
    await matterCard(SEC)
      .getByRole('link', { name: `Open ${d1} on the calendar` })
      .click();
    const panel = page.getByRole('dialog', { name: `${d1} UTC` });
    await panel.getByRole('article', { name: `Legal hold: ${SEC}` }).waitFor();
    await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
    await app.axe('the calendar opened on a held day from the Legal holds page');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Legal holds' }).click();
    await matterCard(SEC).waitFor();
  });

  it('releases a matter from the list once its name is typed: the days it alone held are no longer held', async () => {
    const sec = matterCard(SEC);
    await sec.getByRole('button', { name: `Release ${SEC}…`, exact: true }).click();
    const form = sec.getByRole('form', { name: `Release ${SEC}` });
    expect(await form.textContent()).toContain(`on every day it covers; days another matter also holds stay held`);
    const confirm = form.getByLabel("Type the matter's name to confirm", { exact: true });
    await confirm.fill('SEC inquiry');
    await form.getByRole('button', { name: 'Release the hold' }).click();
    await form.getByText("type the matter's name exactly as shown to release it").waitFor();
    await app.axe('release from the list, the name typed wrong');
    expect(new Set(await holdsOfDay(d1))).toEqual(new Set(['ON']));

    await confirm.fill(SEC);
    await form.getByRole('button', { name: 'Release the hold' }).click();
    const note = page.getByRole('status').filter({ hasText: `Released '${SEC}'` });
    await note.waitFor();
    expect(await note.textContent()).toContain(`1 day(s) (${d2}) stay held for other matters.`);
    await sec.waitFor({ state: 'detached' });
    await matterCard(LIT).waitFor();
    expect(await facts(matterCard(LIT).locator('dl').first())).toEqual([
      ['Archived days held', `2 archived day(s) (${d2} to ${d3})`],
      ['Days still to come', `2 later day(s) (${later1} to ${later2}): held as they are archived`],
    ]);
    await app.axe('the Legal holds page after a release');

    expect(new Set(await holdsOfDay(d1))).toEqual(new Set(['OFF']));
    expect(new Set(await holdsOfDay(d2))).toEqual(new Set(['ON']));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
    await page.locator(`[data-day="${d1}"]:not(.day-held)`).waitFor();
    for (const day of [d2, d3]) {
      expect(await cell(day).getAttribute('class')).toContain('day-held');
      expect(await cell(day).getAttribute('aria-label')).toContain(`under legal hold for ${LIT}`);
    }
    expect(await cell(d1).getAttribute('aria-label')).not.toContain('legal hold');
  });

  it('says no matter holds anything once the last one is released', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Legal holds' }).click();
    const lit = matterCard(LIT);
    await lit.getByRole('button', { name: `Release ${LIT}…`, exact: true }).click();
    const form = lit.getByRole('form', { name: `Release ${LIT}` });
    await form.getByLabel("Type the matter's name to confirm", { exact: true }).fill(LIT);
    await form.getByRole('button', { name: 'Release the hold' }).click();
    await page.getByText(`No matter holds any day of s3://${bucket}/${PREFIX} now.`).waitFor();
    expect(await page.getByRole('article', { name: /^Legal hold: / }).count()).toBe(0);
    // The record that does not count is still named.
    await page.getByRole('region', { name: /does not count as a legal hold/ }).waitFor();
    await app.axe('the Legal holds page with no matter');
  });

  it('says a local folder cannot hold anything, and lists nothing', async () => {
    const folder = path.join(home, 'local-archive');
    await mkdir(folder, { recursive: true });
    const local = SettingsSchema.parse({
      ...settings,
      archive: { ...settings.archive, target: pathToFileURL(folder).href },
    });
    await new SettingsFile(settingsPathIn(path.join(home, 'app'))).save(local);
    await app.open('#/holds', 'Legal holds');
    const said = page.getByRole('status').filter({ hasText: 'cannot enforce a legal hold' });
    await said.waitFor();
    const text = (await said.textContent()) ?? '';
    expect(text).toContain('This archive cannot hold records under a legal hold.');
    expect(text).toContain(`${pathToFileURL(folder).href} is a local folder: it cannot enforce a legal hold`);
    expect(text).toContain('Holds need S3 Object Lock storage.');
    expect(await page.getByRole('article').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Place a legal hold…' }).count()).toBe(0);
    expect(await page.getByText('No matter holds').count()).toBe(0);
    await app.axe('the Legal holds page of a local folder');
  });
});
