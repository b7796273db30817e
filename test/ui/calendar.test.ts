/**
 * The archive calendar end to end: the real renderer in Chromium, through the dev/test transport,
 * to the real engine reading an archive that real exports from the Genesys simulator filled.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addDays, dayFromMs, daysBetween, lastSettledDay, type Day } from '../../shared/day';
import { startDevWebServer, type DevWebServer } from '../../main/devweb/dev-web-server';
import { MemorySecretStore } from '../../main/engine/secrets/memory-secret-store';
import { openAppService, settingsPathIn } from '../../main/engine/service/open-app-service';
import { fillAppArchive } from '../unit/service/archive-status-fixture';
import { collectPageErrors, screenshotPath, useRendererAndBrowser } from './chromium';
import { axeAfterEach, expectAxeClean } from './axe';

const ui = useRendererAndBrowser();
let userDataDir: string;
let server: DevWebServer;
/** Stops the service's runs and jobs (each run holds its result file open). */
let closeService: (() => Promise<void>) | undefined;
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
  await closeService?.();
  closeService = undefined;
  await rm(userDataDir, { recursive: true, force: true });
});
axeAfterEach(() => page);

async function openCalendar(settings: object): Promise<void> {
  await writeFile(settingsPathIn(userDataDir), JSON.stringify(settings));
  const opened = openAppService({
    userDataDir,
    transport: 'dev-web',
    appVersion: 'test',
    secrets: new MemorySecretStore(),
  });
  closeService = opened.close;
  server = await startDevWebServer({
    userDataDir,
    rendererDir: ui.rendererDir,
    service: opened.service,
    log: () => undefined,
  });
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
    // Years before the policy start date hold no required day: folded into one line, shown on request.
    const requiredYears = Number(today.slice(0, 4)) - Number(policyStart.slice(0, 4)) + 1;
    expect(await page.getByRole('grid').count()).toBe(requiredYears);
    const foldedYears = 3 - requiredYears;
    expect(await page.locator('.years-folded').textContent()).toMatch(
      /: no day required \(every day is before the policy start date\)\. Show (this year|these \d+ years)$/,
    );
    await page.getByRole('button', { name: new RegExp(`^Show (this year|these ${foldedYears} years)$`) }).click();
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
    await expectAxeClean(page, 'the calendar with every state');

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
    // The horizon may sit in a folded year (every day before the policy start date): show it.
    const showFolded = page.getByRole('button', { name: /^Show (this year|these \d+ years)$/ });
    if ((await showFolded.count()) > 0) await showFolded.click();
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
    await expectAxeClean(page, 'the day panel of a missing day');
    expect(await panel.getByRole('button', { name: 'Export this day' }).isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-day'))).toBe(gap);

    // A revisit paints the calendar read last at once, and reads the archive again behind it.
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await nav.getByRole('link', { name: 'Calendar' }).click();
    await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
    expect(await page.getByRole('grid').count()).toBeGreaterThan(0);
    expect(await page.locator('.calendar-loading').count()).toBe(0);
    await page.getByRole('button', { name: 'Refresh', exact: true }).waitFor();
    expect(await page.locator('.summary-strip').textContent()).toMatch(/^1 missing day, recoverable until /);
    expect(pageErrors).toEqual([]);
  });

  it("every day state reads without colour: under greyscale, deuteranopia and protanopia filters each state's cells differ from every other state's, in the calendar and the legend; the focused day shows its date", async () => {
    const now = Date.now();
    const today = dayFromMs(now);
    const last = lastSettledDay(now, 120);
    // Genesys keeps 8 days here, so the two days before that are unrecoverable.
    const retentionDays = daysBetween(addDays(last, -7), today);
    await fillAppArchive(userDataDir, {
      archive: [addDays(last, -6), addDays(last, -5), addDays(last, -2)],
      failed: [addDays(last, -1)],
      tampered: [addDays(last, -5)],
    });
    await openCalendar({
      archive: { policyStartDate: addDays(last, -9) },
      genesys: { retentionDays },
      ui: { calendarYears: 1 },
    });
    await page.locator('.calendar-counts').waitFor();
    await page.mouse.move(0, 0);
    await addColourVisionFilters(page);
    // Greyscale, and the two commonest colour-vision deficiencies (red-green), each through grey levels.
    for (const filter of ['grayscale(1)', 'url(#aa-deuteranopia)', 'url(#aa-protanopia)']) {
      await page.evaluate((f) => document.documentElement.style.setProperty('filter', f), filter);
      await expectStatesApart(page, filter);
    }
    await page.evaluate(() => document.documentElement.style.setProperty('filter', 'grayscale(1)'));
    await page.locator('.calendar-years').screenshot({ path: await screenshotPath('calendar-greyscale') });

    // The keyboard's day shows its date beside it, for anyone who cannot hover or hear it.
    const focused = page.locator('td[data-day][tabindex="0"]');
    await focused.focus();
    await page.keyboard.press('ArrowLeft');
    const day = addDays(today, -1);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-day'))).toBe(day);
    const shown = await page.evaluate(() => getComputedStyle(document.activeElement as Element, '::after').content);
    expect(shown).toBe(`"${day}"`);
    await page.screenshot({ path: await screenshotPath('calendar-focused-day') });
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

const STATES = ['archived', 'missing', 'failed', 'tampered', 'pending', 'unrecoverable', 'not-required'];

/**
 * Under the page's current filter, each state's cells differ from every other state's, the legend's
 * swatches too, and each swatch is nearer its own state's cell than any other's.
 */
async function expectStatesApart(p: Page, filter: string): Promise<void> {
  // A cell of each state (today's and the horizon's rings are drawn outside the cell's box) and each
  // state's swatch in the legend, all read from one screenshot of the part of the page that holds them
  // (one rasterisation of the filtered page, not one per element).
  const targets = STATES.flatMap((state) => [
    p.locator(`td.day-${state}`).first(),
    p.getByRole('list', { name: 'Legend' }).locator(`[data-state="${state}"] .swatch`),
  ]);
  const grey = await greyPixelsOf(p, targets);
  const cells = new Map(STATES.map((state, i) => [state, grey[2 * i]!]));
  const swatches = new Map(STATES.map((state, i) => [state, grey[2 * i + 1]!]));
  for (const [i, a] of STATES.entries()) {
    for (const b of STATES.slice(i + 1)) {
      expect(difference(cells.get(a)!, cells.get(b)!), `${a} vs ${b} cells, ${filter}`).toBeGreaterThan(12);
      expect(difference(swatches.get(a)!, swatches.get(b)!), `${a} vs ${b} legend, ${filter}`).toBeGreaterThan(12);
    }
    const own = difference(swatches.get(a)!, cells.get(a)!);
    for (const b of STATES.filter((x) => x !== a)) {
      expect(own, `${a}'s legend is nearer ${a} than ${b}, ${filter}`).toBeLessThan(
        difference(swatches.get(a)!, cells.get(b)!),
      );
    }
  }
}

/**
 * SVG filters that simulate deuteranopia and protanopia (the usual feColorMatrix approximations),
 * added through the DOM (the CSP refuses inline styles, not elements).
 */
async function addColourVisionFilters(p: Page): Promise<void> {
  await p.evaluate(() => {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '0');
    svg.setAttribute('height', '0');
    svg.setAttribute('aria-hidden', 'true');
    svg.style.position = 'absolute';
    const matrices: Record<string, string> = {
      'aa-deuteranopia': '0.625 0.375 0 0 0 0.7 0.3 0 0 0 0 0.3 0.7 0 0 0 0 0 1 0',
      'aa-protanopia': '0.567 0.433 0 0 0 0.558 0.442 0 0 0 0 0.242 0.758 0 0 0 0 0 1 0',
    };
    for (const [id, values] of Object.entries(matrices)) {
      const filter = document.createElementNS(ns, 'filter');
      filter.id = id;
      const matrix = document.createElementNS(ns, 'feColorMatrix');
      matrix.setAttribute('type', 'matrix');
      matrix.setAttribute('values', values);
      filter.append(matrix);
      svg.append(filter);
    }
    document.body.append(svg);
  });
}

/**
 * Each element's pixels as grey levels (0-255) on a 12 x 12 grid: one screenshot of the page's
 * rectangle that holds them all, cut up and decoded by the page itself (no PNG library).
 */
async function greyPixelsOf(p: Page, elements: readonly Locator[]): Promise<number[][]> {
  await p.evaluate(() => window.scrollTo(0, 0));
  const boxes: { x: number; y: number; width: number; height: number }[] = [];
  for (const element of elements) {
    const box = await element.boundingBox();
    if (!box) throw new Error(`${element.toString()} is not shown`);
    boxes.push(box);
  }
  const x = Math.floor(Math.min(...boxes.map((b) => b.x)));
  const y = Math.floor(Math.min(...boxes.map((b) => b.y)));
  const clip = {
    x,
    y,
    width: Math.ceil(Math.max(...boxes.map((b) => b.x + b.width))) - x,
    height: Math.ceil(Math.max(...boxes.map((b) => b.y + b.height))) - y,
  };
  const png = await p.screenshot({ clip });
  const parts = boxes.map((b) => ({ x: b.x - x, y: b.y - y, width: b.width, height: b.height }));
  return p.evaluate(
    async ({ base64, parts }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      return parts.map((part) => {
        const canvas = new OffscreenCanvas(12, 12);
        const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
        // Cells and swatches may differ by a pixel's rounding: both are scaled to one 12 x 12 grid.
        ctx.drawImage(bitmap, part.x, part.y, part.width, part.height, 0, 0, 12, 12);
        const data = ctx.getImageData(0, 0, 12, 12).data;
        const grey: number[] = [];
        for (let i = 0; i < data.length; i += 4) grey.push(Math.round((data[i]! + data[i + 1]! + data[i + 2]!) / 3));
        return grey;
      });
    },
    { base64: png.toString('base64'), parts },
  );
}

/** How far apart two same-sized grey images are: the mean absolute difference per pixel (0-255). */
function difference(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
