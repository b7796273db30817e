/**
 * The archive calendar end to end: the real renderer in Chromium, through the dev/test transport,
 * to the real engine reading an archive that real exports from the Genesys simulator filled.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addDays, dayFromMs, daysBetween, lastSettledDay, type Day } from '../../shared/day';
import { startDevWebServer, type DevWebServer } from '../../main/devweb/dev-web-server';
import { MemorySecretStore } from '../../main/engine/secrets/memory-secret-store';
import { openAppService, settingsPathIn } from '../../main/engine/service/open-app-service';
import { fillAppArchive } from '../unit/service/archive-status-fixture';
import { collectPageErrors, screenshotPath, useRendererAndBrowser } from './chromium';

const ui = useRendererAndBrowser();
let userDataDir: string;
let server: DevWebServer;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

beforeEach(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-calendar-'));
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await context?.close();
  await server?.close();
  await rm(userDataDir, { recursive: true, force: true });
});

async function openCalendar(settings: object): Promise<void> {
  await writeFile(settingsPathIn(userDataDir), JSON.stringify(settings));
  const service = openAppService({
    userDataDir,
    transport: 'dev-web',
    appVersion: 'test',
    secrets: new MemorySecretStore(),
  });
  server = await startDevWebServer({ userDataDir, rendererDir: ui.rendererDir, service, log: () => undefined });
  context = await ui.browser.newContext({ viewport: { width: 1440, height: 1000 } });
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  // The token travels in the fragment; the route follows it (`#token=…#/calendar`).
  await page.goto(`${server.url}#/calendar`);
  await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
}

describe('archive calendar', () => {
  it('an officer sees the archived days, the counts per state and every gap and tampered day listed under Problems', async () => {
    const now = Date.now();
    const today = dayFromMs(now);
    const last = lastSettledDay(now, 120);
    const policyStart = addDays(last, -6);
    const gap = [addDays(last, -4), addDays(last, -3)];
    const failed = addDays(last, -1);
    const tampered = addDays(last, -5);
    const archived = [addDays(last, -6), addDays(last, -2), last];
    const filled = await fillAppArchive(userDataDir, {
      archive: [...archived, tampered],
      failed: [failed],
      tampered: [tampered],
    });

    await openCalendar({ archive: { policyStartDate: policyStart }, ui: { calendarYears: 3 } });
    const counts = page.locator('.calendar-counts');
    await counts.waitFor();

    const firstShown: Day = `${Number(today.slice(0, 4)) - 2}-01-01`;
    const notRequired = daysBetween(firstShown, policyStart);
    const pending = daysBetween(last, today);
    const expected = `${archived.length} archived · 2 missing · 1 failed · 1 tampered · ${pending} pending · ${notRequired.toLocaleString('en-US')} not required`;
    expect(await counts.textContent()).toBe(expected);
    const legend = page.getByRole('list', { name: 'Legend' });
    expect(await legend.locator('[data-state="archived"] .legend-count').textContent()).toBe(String(archived.length));
    expect(await legend.locator('[data-state="missing"] .legend-count').textContent()).toBe('2');
    expect(await legend.locator('[data-state="tampered"] .legend-count').textContent()).toBe('1');
    expect(await legend.locator('[data-state="unrecoverable"] .legend-count').textContent()).toBe('0');
    expect(await page.getByRole('grid').count()).toBe(3);

    const day = archived[0] as Day;
    const events = filled.events.get(day) ?? 0;
    const cell = page.getByLabel(`${day}: archived, ${events.toLocaleString('en-US')} events`, { exact: true });
    expect(await cell.getAttribute('class')).toContain('day-archived');
    expect(await cell.getAttribute('title')).toBe(await cell.getAttribute('aria-label'));
    const failedCell = page.getByLabel(new RegExp(`^${failed}: failed — GENESYS_`));
    expect(await failedCell.getAttribute('class')).toContain('day-failed');
    const tamperedCell = page.getByLabel(new RegExp(`^${tampered}: tampered, [\\d,]+ events — object-missing`));
    expect(await tamperedCell.getAttribute('class')).toContain('day-tampered');

    const problems = page.getByRole('complementary', { name: /Problems/ });
    const items = await problems.getByRole('listitem').allTextContents();
    expect(items[0]).toMatch(new RegExp(`^${failed} failedGENESYS_`));
    expect(items[1]).toBe(`${gap[0]} – ${gap[1]} missing (2 days)`);
    expect(items[2]).toMatch(new RegExp(`^${tampered} tamperedobject-missing`));
    expect(items).toHaveLength(3);

    await page.screenshot({ path: await screenshotPath('calendar-states'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('marks today and the retention horizon, sums up the gaps, labels every day, and moves by keyboard', async () => {
    const now = Date.now();
    const today = dayFromMs(now);
    const last = lastSettledDay(now, 120);
    const gap = addDays(last, -3);
    await fillAppArchive(userDataDir, {
      archive: [addDays(last, -4), addDays(last, -2), last],
      failed: [addDays(last, -1)],
    });
    await openCalendar({ archive: { policyStartDate: addDays(last, -4) }, ui: { calendarYears: 2 } });
    await page.locator('.calendar-counts').waitFor();

    expect(await page.locator('.summary-strip').textContent()).toMatch(
      /^1 missing day, recoverable until \d{1,2} [A-Z][a-z]+ \d{4} · 1 failed · 0 tampered$/,
    );
    const todayCell = page.locator('[aria-current="date"]');
    expect(await todayCell.getAttribute('aria-label')).toBe(`${today}: pending (today)`);
    const horizon = page.locator('.day-horizon');
    expect(await horizon.getAttribute('data-day')).toBe(addDays(today, -365));
    expect(await horizon.getAttribute('aria-label')).toMatch(
      /\(Genesys retention horizon: older days can no longer be exported\)$/,
    );
    // Every day in range has a label for a screen reader; days after today are not announced at all.
    expect(await page.locator('td[data-day]:not([aria-label])').count()).toBe(0);
    expect(await page.locator('td.day-future[aria-hidden="true"]').count()).toBeGreaterThan(0);

    // The keyboard: today has the focus stop; arrows move a day at a time; Enter opens the day.
    expect(await page.locator('td[data-day][tabindex="0"]').getAttribute('data-day')).toBe(today);
    await todayCell.focus();
    for (let d = today; d !== gap; d = addDays(d, -1)) await page.keyboard.press('ArrowLeft');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-day'))).toBe(gap);
    await page.keyboard.press('Enter');
    const panel = page.getByRole('dialog', { name: `${gap} UTC` });
    await panel.getByText('No manifest: this day is not in the archive.').waitFor();
    expect(await panel.getByRole('button', { name: 'Export this day' }).isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-day'))).toBe(gap);
    expect(pageErrors).toEqual([]);
  });

  it('an S3 archive that cannot be reached shows what went wrong and what to do, and no calendar', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test-access-key-id');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-a-real-secret-for-this-test');
    await openCalendar({
      demo: false,
      archive: {
        target: 's3://audit-archive-test/acme',
        s3: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', forcePathStyle: true },
      },
    });
    const alert = page.getByRole('alert').filter({ hasText: 'The archive calendar could not be read.' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/ARCHIVE_UNREACHABLE/);
    expect(await alert.textContent()).toMatch(/Check the network, the endpoint/);
    expect(await alert.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
    expect(await page.getByRole('grid').count()).toBe(0);
  });
});
