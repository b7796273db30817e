/**
 * Legal holds in the app, in Chromium against the real engine and the shared Ceph RADOS Gateway:
 * the officer archives three days and places a hold on two of them for a matter with the CLI (a
 * local folder refuses holds), then opens the calendar. The held days carry the legal-hold mark (a
 * shape, named in the legend and in each day's label), the day beside them does not, and the day
 * panel names the matter, its reference, who placed it, when and why; a Discovery answer over a
 * held day names the matter beside it; axe finds nothing. A forged record (a real one's bytes with
 * its matter and period changed) holds nothing, and Discovery names it as a record that does not count.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { addDays, lastSettledDay } from '../../../shared/day';
import { SettingsSchema } from '../../../shared/settings';
import { settingsPathIn } from '../../../main/engine/archive/app-archive';
import { canonicalJsonBytes } from '../../../main/engine/archive/signing';
import { initBucket } from '../../../main/engine/archive/stores/bucket-init';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { SettingsFile } from '../../../main/engine/settings/settings-file';
import { startApp, type AppUnderTest } from '../../ui/app-under-test';
import { screenshotPath, useRendererAndBrowser } from '../../ui/chromium';
import { PREFIX, exporterEnv, putAs, readObject, runCli } from '../archive/exporter-rgw-fixture';
import { openStore, rawClient, rgwConnection, uniqueBucket } from '../stores/rgw-fixtures';

const ui = useRendererAndBrowser();
const rgw = inject('rgw');
const last = lastSettledDay(Date.now(), 120);
const [d1, d2, d3] = [addDays(last, -2), addDays(last, -1), last] as const;
let home: string;
let sim: GenesysSimulator;
let app: AppUnderTest;
let page: Page;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-holds-'));
  sim = await startGenesysSimulator({ eventsPerDay: 20, seed: 18 });
  const bucket = uniqueBucket('uiholds');
  await initBucket({ connection: rgwConnection(), bucket, lockMode: 'GOVERNANCE', retentionDays: 1 });
  // The officer (the gateway's administrator) may change legal holds; the exporter's role may not.
  const officer = {
    ...exporterEnv({
      home,
      target: `s3://${bucket}/${PREFIX}`,
      sim,
      retentionDays: 1,
      extra: { AUDIT_ARCHIVE_LOCK_MODE: 'GOVERNANCE' },
    }),
    AWS_ACCESS_KEY_ID: rgw.accessKeyId,
    AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
    AUDIT_ARCHIVE_OFFICER: 'Dana Officer',
  };
  const archived = await runCli(['catch-up', '--from', d1, '--to', d3], officer);
  expect(archived.code, archived.stderr).toBe(0);
  const held = await runCli(
    [
      'hold',
      'place',
      ...['--from', d1, '--to', d2],
      ...['--matter', 'SEC inquiry HO-1234', '--reference', 'HO-1234', '--reason', 'subpoena of 2026-11-02'],
    ],
    officer,
  );
  expect(held.code, held.stderr).toBe(0);
  await forgeHoldRecord(bucket);
  // The forgery is there and read: `hold list` names it as a record that does not count.
  const listed = await runCli(['hold', 'list'], officer);
  expect(listed.stdout).toMatch(
    /archive hold-invalid \S+\/holds\/000002\.json: .*not signed by any of the archive's keys/,
  );

  const userDataDir = path.join(home, 'app');
  vi.stubEnv('AWS_ACCESS_KEY_ID', rgw.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', rgw.secretAccessKey);
  await new SettingsFile(settingsPathIn(userDataDir)).save(
    SettingsSchema.parse({
      demo: false,
      archive: {
        target: `s3://${bucket}/${PREFIX}`,
        lockMode: 'GOVERNANCE',
        retentionDays: 1,
        policyStartDate: d1,
        s3: { region: rgw.region, endpoint: rgw.endpoint, forcePathStyle: true },
      },
    }),
  );
  app = await startApp(ui, { userDataDir });
  page = app.page;
}, 180_000);

/**
 * A hold record for the last day under another matter, written as anyone with s3:PutObject can: the
 * real record's bytes with the matter and period changed, in canonical form, its signature now
 * wrong. The ledger judges it invalid, so it must mark nothing.
 */
async function forgeHoldRecord(bucket: string): Promise<void> {
  const folder = `${PREFIX}/holds/`;
  const [real] = (await rawClient().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder }))).Contents ?? [];
  if (!real?.Key) throw new Error('no hold record was written');
  const bytes = await readObject(openStore(bucket), real.Key);
  const record = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  const forged = { ...record, index: 2, matter: 'Forged matter', from: d3, to: d3, days: [d3] };
  await putAs(rawClient(), bucket, `${folder}000002.json`, canonicalJsonBytes(forged));
}

afterAll(async () => {
  vi.unstubAllEnvs();
  await app?.close();
  await sim?.close();
  await rm(home, { recursive: true, force: true });
});

describe('legal holds on the calendar and in the day panel (Ceph RGW)', () => {
  it('marks each held day with a shape named in the legend, and the day panel names the matter', async () => {
    await app.open('#/calendar', 'Calendar');
    const cell = (day: string) => page.locator(`[data-day="${day}"]`);
    await cell(d1).waitFor();
    for (const day of [d1, d2]) {
      expect(await cell(day).getAttribute('class')).toContain('day-held');
      expect(await cell(day).getAttribute('aria-label')).toMatch(
        new RegExp(`^${day}: archived, \\d+ events \\(under legal hold for SEC inquiry HO-1234\\)$`),
      );
    }
    expect(await cell(d3).getAttribute('class')).not.toContain('day-held');
    // The forged record for d3 fails its signature check: d3 is not marked and the matter is not named.
    expect(await cell(d3).getAttribute('aria-label')).not.toContain('legal hold');
    // The mark is a shape (a corner flag drawn over the state's square), not a colour.
    const flag = await cell(d1).evaluate((el) => getComputedStyle(el, '::after').borderRightWidth);
    expect(flag).toBe('6px');
    const legend = page.getByRole('list', { name: 'Legend' }).locator('[data-mark="held"]');
    expect((await legend.textContent())?.replace(/\s+/g, ' ')).toBe('legal hold2');

    await cell(d2).click();
    const panel = page.getByRole('dialog', { name: `${d2} UTC` });
    const hold = panel.getByRole('article', { name: 'Legal hold: SEC inquiry HO-1234' });
    await hold.waitFor();
    const facts = await hold.locator('dt, dd').allTextContents();
    expect(facts.slice(0, 6)).toEqual([
      'Matter',
      'SEC inquiry HO-1234',
      'Reference',
      'HO-1234',
      'Placed by',
      'Dana Officer',
    ]);
    expect(facts).toContain('subpoena of 2026-11-02');
    expect(facts).toContain(`${d1} to ${d2}`);
    await app.axe('day panel of a held day');
    await page.screenshot({ path: await screenshotPath('calendar-legal-hold') });

    await page.getByRole('button', { name: `Close ${d2}` }).click();
    await cell(d3).click();
    await page
      .getByRole('dialog', { name: `${d3} UTC` })
      .getByRole('heading', { name: 'Manifests' })
      .waitFor();
    expect(await page.getByRole('heading', { name: 'Under legal hold' }).count()).toBe(0);
    expect(await page.getByText('Forged matter').count()).toBe(0);
  });

  it('a Discovery answer names the matter holding days of its range, and the forged record only as one that does not count', async () => {
    // The day panel the test above left open is modal: close it before leaving the calendar.
    const close = page.getByRole('button', { name: `Close ${d3}` });
    if ((await close.count()) > 0) await close.click();
    // The sidebar, as an officer goes there (the page is loaded: its address no longer carries the token).
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Discovery' }).click();
    await page.getByRole('heading', { name: 'Discovery', level: 1 }).waitFor();
    await page.getByLabel('From').first().fill(d2);
    await page.getByLabel('To', { exact: true }).first().fill(d3);
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.locator('.run-summary').waitFor({ timeout: 60_000 });
    const holds = page.getByRole('region', {
      name: 'Legal hold: 1 matter holds days of this range (SEC inquiry HO-1234)',
    });
    await holds.waitFor();
    const items = await holds.getByRole('listitem').allTextContents();
    expect(items[0]).toBe(`SEC inquiry HO-1234 (HO-1234): ${d2} held in this range (its hold: ${d1} to ${d2})`);
    expect(items.slice(1)).toEqual([
      expect.stringMatching(/holds\/000002\.json is not signed by any of the archive's keys/),
    ]);
    expect(await holds.textContent()).toContain('1 record under holds/ does not count as a legal hold');
    expect(await page.getByText('Forged matter').count()).toBe(0);
    await app.axe('Discovery answer over a held range');
    await page.screenshot({ path: await screenshotPath('discovery-legal-hold') });

    // A range no matter holds: nothing about a matter, the record that does not count still named.
    await page.getByLabel('From').first().fill(d3);
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.getByRole('region', { name: /does not count as a legal hold/ }).waitFor();
    expect(await page.getByRole('heading', { name: /^Legal hold:/ }).count()).toBe(0);
  });
});
