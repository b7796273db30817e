/**
 * A tampered day's report, from its day panel: "Export this day's report" opens the Reports page with
 * that day as the period (from and to), in Chromium against the real engine (a demo archive filled
 * from the Genesys simulator, one day's data part then removed and the day verified).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, dayFromMs, lastSettledDay } from '../../shared/day';
import { settingsPathIn } from '../../main/engine/archive/app-archive';
import { fillAppArchive } from '../unit/service/archive-status-fixture';
import { startApp, type AppUnderTest } from './app-under-test';
import { useRendererAndBrowser } from './chromium';

const ui = useRendererAndBrowser();
let userDataDir: string;
let app: AppUnderTest | undefined;

const last = lastSettledDay(Date.now(), 120);
const victim = addDays(last, -1);

beforeAll(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-day-report-'));
  await fillAppArchive(userDataDir, { archive: [addDays(last, -2), victim, last], tampered: [victim] });
  // Two years on the calendar, not the default seven: the day panel's link is the story here, and
  // seven years of required days took seconds to draw and for axe to check, twice.
  await writeFile(settingsPathIn(userDataDir), JSON.stringify({ ui: { calendarYears: 2 } }));
}, 120_000);

afterAll(async () => {
  expect(app?.pageErrors ?? []).toEqual([]);
  await app?.close();
  await rm(userDataDir, { recursive: true, force: true });
});

describe("a day's report from the day panel", () => {
  it('"Export this day\'s report" opens Reports with that day as the period, from and to', async () => {
    app = await startApp(ui, { userDataDir });
    const { page } = app;
    await app.open('#/calendar', 'Calendar');
    const cell = page.locator(`[data-day="${victim}"]`);
    await expect.poll(() => cell.getAttribute('class')).toContain('day-tampered');
    await cell.click();
    const panel = page.getByRole('dialog', { name: `${victim} UTC` });
    const link = panel.getByRole('link', { name: "Export this day's report" });
    await link.waitFor();
    await app.axe('the day panel of a tampered day');

    await link.click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    const form = page.getByRole('form', { name: 'The report' });
    expect(await form.getByLabel('From (UTC day)').inputValue()).toBe(victim);
    expect(await form.getByLabel('To (UTC day)').inputValue()).toBe(victim);
    // It cites a query run over that day (no Discovery result was handed over).
    expect(await form.getByRole('radio', { name: 'A saved or starter query, run over the period' }).isChecked()).toBe(
      true,
    );
    await app.axe("the Reports page opened on a day's period");

    // The sidebar's Reports link opens the page on its own default period again.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
    await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    expect(await form.getByLabel('From (UTC day)').inputValue()).toBe(addDays(dayFromMs(Date.now()), -30));
  });
});
