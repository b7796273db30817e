/**
 * An officer's first hours with the app, in Chromium against the real engine (the demo
 * organisation's simulator and a local archive), one story in order on one userData folder: the
 * demo archive fills on first run and shows its gaps; "Catch up now" archives them with visible
 * progress, is cancelled, and resumes after a restart; a day whose bytes were changed turns red
 * after "Verify"; a day's evidence opens beside the calendar.
 */
import { chmod, mkdtemp, open, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dataKey } from '../../shared/archive-layout';
import { addDays, lastSettledDay, type Day } from '../../shared/day';
import type { ArchiveManifest } from '../../shared/manifest';
import { SettingsSchema } from '../../shared/settings';
import { demoArchiveDirIn, settingsPathIn } from '../../main/engine/archive/app-archive';
import { DEMO_ARCHIVE_DAYS } from '../../main/engine/service/demo-archive';
import { SettingsFile } from '../../main/engine/settings/settings-file';
import { startApp, type AppUnderTest } from './app-under-test';
import { screenshotPath, useRendererAndBrowser } from './chromium';

const ui = useRendererAndBrowser();
let userDataDir: string;
let app: AppUnderTest | null = null;
/** The last settled day when the story started (the demo's gaps are planned from it). */
let last: Day;

beforeAll(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-first-run-'));
  last = lastSettledDay(Date.now(), 120);
  // One day at a time, so a catch-up has a moment to be cancelled in.
  await new SettingsFile(settingsPathIn(userDataDir)).save(SettingsSchema.parse({ schedule: { concurrency: 1 } }));
});

afterEach(async () => {
  expect(app?.pageErrors ?? []).toEqual([]);
  await app?.close();
  app = null;
});

afterAll(async () => {
  await rm(userDataDir, { recursive: true, force: true });
});

const legendCount = (state: string) =>
  app!.page.getByRole('list', { name: 'Legend' }).locator(`[data-state="${state}"] .legend-count`).textContent();

/** A stored object's bytes, changed in place (same size): only a full verify can tell. */
async function changeOneByte(day: Day): Promise<void> {
  const part = path.join(demoArchiveDirIn(userDataDir), ...dataKey('', day, 1).split('/'));
  await chmod(part, 0o644);
  const handle = await open(part, 'r+');
  const [byte] = (await handle.read(Buffer.alloc(1), 0, 1, 30)).buffer;
  await handle.write(Buffer.from([(byte ?? 0) ^ 0xff]), 0, 1, 30);
  await handle.close();
}

async function manifestOf(day: Day): Promise<ArchiveManifest> {
  const dir = path.join(demoArchiveDirIn(userDataDir), 'manifests', ...day.split('-'));
  const [file] = await readdir(dir);
  return JSON.parse(await readFile(path.join(dir, file as string), 'utf8')) as ArchiveManifest;
}

describe('the first run, on the demo organisation', () => {
  it('opens on a demo archive of a few hundred days that fills with visible progress, with its banner, and shows its gaps', async () => {
    app = await startApp(ui, { userDataDir, demoArchive: { fill: true } });
    const { page } = app;
    await app.open('#/calendar', 'Calendar');

    const banner = page.getByRole('status').filter({ hasText: 'Demo organisation.' });
    await banner.waitFor();
    expect(await banner.getByRole('link', { name: 'Connect your organisation' }).getAttribute('href')).toBe('#/setup');

    await page.getByRole('heading', { name: 'Preparing the demo archive', level: 2 }).waitFor();
    await page.getByRole('progressbar', { name: /^\d+ of \d+ days$/ }).waitFor();
    await page.getByText('Preparing the demo archive: finished').waitFor({ timeout: 240_000 });
    await page.getByText(/^Filled the demo archive: \d+ days archived/).waitFor();

    // A year and more of history, with its gaps: recent ones still recoverable, old ones not.
    await expect.poll(() => legendCount('missing')).toBe('9');
    expect(Number(await legendCount('archived'))).toBeGreaterThanOrEqual(DEMO_ARCHIVE_DAYS - 15);
    expect(await legendCount('failed')).toBe('1');
    expect(await legendCount('unrecoverable')).toBe('2');
    expect(await page.locator('.summary-strip').textContent()).toMatch(
      /^9 missing days, recoverable until \d{1,2} [A-Z][a-z]+ \d{4} · 1 failed · 0 tampered · 2 unrecoverable$/,
    );
    const problems = await page
      .getByRole('complementary', { name: /Problems/ })
      .getByRole('listitem')
      .allTextContents();
    expect(problems).toContain(`${addDays(last, -4)} missing`);
    expect(problems).toContain(`${addDays(last, -40)} – ${addDays(last, -34)} missing (7 days)`);
    expect(problems.some((p) => p.startsWith(`${addDays(last, -9)} failedGENESYS_QUERY_FAILED`))).toBe(true);
    await page.screenshot({ path: await screenshotPath('calendar') });
    await page.screenshot({ path: await screenshotPath('calendar-full'), fullPage: true });
    // The README's picture (docs/calendar.png is copied from it): the summary, this year and the problems.
    const top = await page.locator('.calendar-summary').boundingBox();
    const bottom = await page.locator('table.year').first().boundingBox();
    if (top && bottom) {
      await page.screenshot({
        path: await screenshotPath('readme-calendar'),
        clip: { x: top.x - 8, y: top.y - 8, width: top.width + 16, height: bottom.y + bottom.height - top.y + 16 },
      });
    }
  });

  it('"Catch up now" turns the gaps archived with visible progress; cancelled, it resumes after the app restarts', async () => {
    // A slow Genesys, so the officer can watch the progress and cancel.
    // About two seconds a day: time enough to watch, and to cancel after the first, even on a busy machine.
    app = await startApp(ui, { userDataDir, demoArchive: { fill: true }, demoSimulator: { latencyMs: 400 } });
    let page = app.page;
    await app.open('#/calendar', 'Calendar');
    await page.locator('.calendar-counts').waitFor();
    await page.getByRole('button', { name: 'Catch up now' }).click();

    await page.getByRole('heading', { name: 'Catch-up', level: 2 }).waitFor();
    const bar = page.getByRole('progressbar', { name: /^\d+ of 10 days$/ });
    await bar.waitFor();
    await page
      .getByRole('list', { name: 'Days in progress' })
      .getByText(/ events, /)
      .first()
      .waitFor();
    await expect
      .poll(async () => Number(/^(\d+) of/.exec((await bar.getAttribute('aria-label')) ?? '')?.[1]), {
        timeout: 60_000,
      })
      .toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: await screenshotPath('catch-up-in-progress') });
    await app.axe('a catch-up in progress');
    // The estimate moves between the engine's updates: it counts down rather than standing still.
    const eta = page.locator('.job-eta');
    const firstEta = await eta.textContent();
    await expect.poll(() => eta.textContent(), { timeout: 10_000 }).not.toBe(firstEta);
    await page.getByRole('button', { name: 'Cancel' }).click();
    // Days land on the calendar as they are archived, before the catch-up ends.
    expect(Number(await legendCount('missing')) + Number(await legendCount('failed'))).toBeLessThan(10);
    await page.getByText('Catch-up: cancelled').waitFor({ timeout: 60_000 });
    const cancelled = await page.locator('.job-summary').textContent();
    const done = Number(/^Cancelled after (\d+) of 10 days; the rest can be resumed\.$/.exec(cancelled ?? '')?.[1]);
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(10);
    // One box says it, and offers the one way on: Resume, not also "Catch up now".
    await expect.poll(() => page.locator('.job-interrupted').count()).toBe(0);
    // The job's state reaches the page after the summary: waited for, not read at once.
    await expect.poll(() => page.getByRole('button', { name: 'Resume catch-up' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Catch up now' }).count()).toBe(0);

    // The app restarts (quick Genesys this time): the unfinished catch-up is offered, and resumed.
    await app.close();
    app = await startApp(ui, { userDataDir, demoArchive: { fill: true } });
    page = app.page;
    await app.open('#/calendar', 'Calendar');
    const interrupted = page.getByRole('status').filter({ hasText: 'A catch-up stopped before its end' });
    await interrupted.waitFor();
    expect(await interrupted.textContent()).toContain(`${done} of 10 days archived`);
    await interrupted.getByRole('button', { name: 'Resume catch-up' }).click();
    await page.getByText('Catch-up: finished').waitFor({ timeout: 120_000 });
    expect(await page.locator('.job-summary').textContent()).toMatch(
      new RegExp(`^Caught up: ${10 - done} of ${10 - done} days archived, [\\d,]+ events\\.$`),
    );
    await expect.poll(() => legendCount('missing')).toBe('0');
    expect(await legendCount('failed')).toBe('0');
    expect(await page.locator('.summary-strip').textContent()).toBe(
      '0 missing days · 0 failed · 0 tampered · 2 unrecoverable',
    );
    expect(await interrupted.count()).toBe(0);
  });

  it('a day whose stored bytes were changed turns red after "Verify" (full) from the app, and the finding is listed', async () => {
    const victim = addDays(last, -20);
    await changeOneByte(victim);
    app = await startApp(ui, { userDataDir });
    const { page } = app;
    await app.open('#/calendar', 'Calendar');
    const cell = page.locator(`[data-day="${victim}"]`);
    // The listing alone cannot see a changed byte: the day still looks archived.
    await expect.poll(() => cell.getAttribute('class')).toContain('day-archived');

    await page.getByRole('combobox', { name: 'Verification mode' }).selectOption('full');
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText('Full verification: finished').waitFor({ timeout: 120_000 });
    // One story: the changed day is the one new problem; what passed is said; the demo's two old
    // days that were never archived are known, accepted facts, listed apart.
    await expect
      .poll(() => page.locator('.job-summary').textContent())
      .toMatch(/^✗ Verified \S+ to \S+: [\d,]+ archived days passed; 1 new problem on 1 day\.$/);
    const findings = await page
      .getByRole('list', { name: 'Verification problems' })
      .getByRole('listitem')
      .allTextContents();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(new RegExp(`^${victim} hash-mismatch${dataKey('', victim, 1)}`));
    expect(await page.locator('.job-known summary').textContent()).toBe(
      '2 days older than Genesys keeps were never archived (unrecoverable on the calendar): known and accepted, not new.',
    );
    const known = await page
      .getByRole('list', { name: 'Known, accepted', includeHidden: true })
      .locator('li')
      .allTextContents();
    expect(known.filter((f) => / day-missing/.test(f))).toHaveLength(2);
    await app.axe('a full verification finished with a problem');

    await expect.poll(() => cell.getAttribute('class')).toContain('day-tampered');
    expect(await cell.getAttribute('aria-label')).toMatch(
      new RegExp(`^${victim}: tampered, [\\d,]+ events — hash-mismatch `),
    );
    expect(await legendCount('tampered')).toBe('1');
    const problems = await page
      .getByRole('complementary', { name: /Problems/ })
      .getByRole('listitem')
      .allTextContents();
    expect(problems.some((p) => p.startsWith(`${victim} tamperedhash-mismatch`))).toBe(true);
    expect(await page.locator('.problems-total').textContent()).toBe('1 day');

    // The tampered day says what happened, what it means for the evidence and what to do next.
    await cell.click();
    const panel = page.getByRole('dialog', { name: `${victim} UTC` });
    const guidance = panel.getByRole('region', { name: 'This day was changed after it was archived' });
    await guidance.waitFor();
    const words = (await guidance.textContent()) ?? '';
    expect(words).toContain('no longer has the bytes its manifest recorded');
    expect(words).toContain('What it means for the evidence');
    expect(words).toContain('Keep the evidence');
    expect(words).toContain("Export this day's report");
    expect(words).toContain('Tell your information-security team');
    expect(await panel.getByRole('link', { name: "Export this day's report" }).getAttribute('href')).toBe(
      `#/reports?from=${victim}&to=${victim}`,
    );
    expect(await panel.textContent()).not.toMatch(/-1 events/);
    await page.screenshot({ path: await screenshotPath('day-panel-tampered') });
    await app.axe('the day panel of a tampered day');
  });

  it("a day opens beside the calendar with its evidence: the object's key, SHA-256 and version, the manifest, its source and history", async () => {
    const day = addDays(last, -21);
    const manifest = await manifestOf(day);
    app = await startApp(ui, { userDataDir });
    const { page } = app;
    await app.open('#/calendar', 'Calendar');
    await page.locator(`[data-day="${day}"]`).click();
    const panel = page.getByRole('dialog', { name: `${day} UTC` });
    const objects = panel.getByRole('table', { name: `Objects of manifest ${manifest.sequence}` });
    await objects.waitFor();
    const object = manifest.objects[0]!;
    const row = objects.getByRole('row').nth(1);
    expect(await row.locator('code').first().textContent()).toBe(object.key);
    expect(await row.locator('.hash').textContent()).toBe(object.sha256);
    expect(await row.locator('.version-id').textContent()).toBe('none (a local folder has no versions)');
    expect(await row.locator('.retain-until').textContent()).toBe('none');
    expect(await panel.textContent()).toContain(`${manifest.events.toLocaleString('en-US')} in this run`);
    expect(await panel.textContent()).toContain(manifest.firstEventDate ?? 'none');
    expect(await panel.textContent()).toContain(
      `${manifest.source.organisationName} (${manifest.source.organisationId})`,
    );
    expect(await panel.getByRole('button', { name: 'Reconcile (add late events)' }).isEnabled()).toBe(true);
    expect(await panel.getByRole('button', { name: 'Verify this day' }).isEnabled()).toBe(true);
    expect(await panel.locator('.day-history li').first().textContent()).toMatch(
      /Exported [\d,]+ event\(s\) in 1 part\(s\), manifest \d+\.$/,
    );
    await page.screenshot({ path: await screenshotPath('day-panel') });
    await app.axe('the day panel of an archived day');

    // "Verify this day" from the panel: the last verification now covers it.
    await panel.getByRole('button', { name: 'Verify this day' }).click();
    await page.getByText(`Verifying ${day}: finished`).waitFor({ timeout: 60_000 });
    await panel.getByText(/: no problem found on this day\.$/).waitFor();
    expect(await panel.locator('.day-history li').count()).toBe(1);
  });
});
