/**
 * An examiner's request answered in the app, in Chromium against the real engine (the demo
 * organisation's archive filled from the Genesys simulator, DuckDB, pdfkit), one story in order:
 * the officer runs a starter query in Discovery, adds its result to a report, fills in the request,
 * previews the first pages, generates the report with its progress in view, finds it in the list
 * with its bundle's SHA-256, re-checks it; then a byte of the bundle changes on disk and the
 * re-check names what failed.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, lastSettledDay, type Day } from '../../shared/day';
import { demoArchiveDirIn, settingsPathIn } from '../../main/engine/archive/app-archive';
import { fillAppArchive } from '../unit/service/archive-status-fixture';
import { startApp, type AppUnderTest } from './app-under-test';
import { screenshotPath, useRendererAndBrowser } from './chromium';

const ui = useRendererAndBrowser();
let userDataDir: string;
let app: AppUnderTest;
let days: Day[];
/** The user with the most events in the archive, and how many each action of theirs has. */
let officerOfInterest: { name: string; events: number; byAction: Map<string, number> };

const REFERENCE = 'FINRA 2026-0117/B';

beforeAll(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-reports-'));
  const last = lastSettledDay(Date.now(), 120);
  days = [addDays(last, -2), addDays(last, -1), last];
  await fillAppArchive(userDataDir, { archive: days });
  await writeFile(settingsPathIn(userDataDir), JSON.stringify({}));

  const byUser = new Map<string, { name: string; events: number; byAction: Map<string, number> }>();
  const root = demoArchiveDirIn(userDataDir);
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.jsonl.gz')) continue;
    for (const line of gunzipSync(await readFile(path.join(entry.parentPath, entry.name)))
      .toString('utf8')
      .split('\n')) {
      if (!line) continue;
      const e = JSON.parse(line) as { action: string; user?: { id: string; name?: string } };
      if (!e.user?.name) continue;
      const u = byUser.get(e.user.id) ?? { name: e.user.name, events: 0, byAction: new Map<string, number>() };
      u.events += 1;
      u.byAction.set(e.action, (u.byAction.get(e.action) ?? 0) + 1);
      byUser.set(e.user.id, u);
    }
  }
  officerOfInterest = [...byUser.values()].sort((a, b) => b.events - a.events)[0] as typeof officerOfInterest;

  app = await startApp(ui, { userDataDir });
}, 120_000);

afterAll(async () => {
  expect(app?.pageErrors ?? []).toEqual([]);
  await app?.close();
  for (const e of await readdir(userDataDir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) await chmod(path.join(e.parentPath, e.name), 0o644).catch(() => undefined);
  }
  await rm(userDataDir, { recursive: true, force: true });
});

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

describe('answering an examiner with a report', () => {
  it('a Discovery result goes into a report, previewed, generated with progress, listed with its SHA-256 and re-checked; a changed bundle fails the re-check by name', async () => {
    const { page } = app;
    const who = officerOfInterest;

    // Discovery: a starter query over the three archived days, then "Add to report".
    await app.open('#/discovery', 'Discovery');
    await page.getByRole('button', { name: 'Everything one user did' }).click();
    await page.getByLabel('User name or id').fill(who.name);
    await page
      .getByLabel('From')
      .first()
      .fill(days[0] as Day);
    await page
      .getByLabel('To', { exact: true })
      .first()
      .fill(days.at(-1) as Day);
    await page.getByRole('button', { name: 'Run query' }).click();
    const summary = page.locator('.run-summary');
    await summary.waitFor({ timeout: 60_000 });
    expect(await summary.textContent()).toMatch(new RegExp(`^${who.events} rows? in `));
    await page.getByRole('button', { name: 'Add to report' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();

    // The result is what the report cites, over the days it read.
    const cited = page.getByRole('radio', { name: /The result from Discovery/ });
    expect(await cited.isChecked()).toBe(true);
    expect(await page.locator('.source-detail').first().textContent()).toMatch(/^Everything one user did: /);
    expect(await page.getByLabel('From (UTC day)').inputValue()).toBe(days[0]);
    expect(await page.getByLabel('To (UTC day)').inputValue()).toBe(days.at(-1));

    // Generating without a reference is refused, and the reason sits beside the field, which has the focus.
    await page.getByRole('button', { name: 'Generate report' }).click();
    const referenceError = page.locator('.field-error').filter({ hasText: 'Request reference:' });
    await referenceError.waitFor();
    expect(await referenceError.textContent()).toBe('Request reference: must not be empty');
    const reference = page.getByLabel('Request reference');
    expect(await reference.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => reference.evaluate((el) => el === document.activeElement)).toBe(true);

    // The request, as the examiner's letter states it (typed, as the officer would).
    await reference.pressSequentially(REFERENCE);
    await page.getByLabel('Requested by').fill('J. Okafor, FINRA Market Regulation');
    await page.getByLabel('Regulator or auditor').fill('FINRA');
    await page.getByLabel('Due date').fill(addDays(days.at(-1) as Day, 30));
    await page
      .getByLabel('The question')
      .fill(`Provide every configuration change made by ${who.name} between ${days[0]} and ${days.at(-1)}.`);
    await page.getByLabel('Prepared by').fill('Compliance officer');
    await page.getByLabel('Time zone').fill('Europe/London');

    // The preview: the cover with the reference and the counts, the summary, the first events.
    await page.getByRole('button', { name: 'Preview' }).click();
    const cover = page.getByRole('article', { name: 'Cover' });
    await cover.waitFor({ timeout: 60_000 });
    expect(await page.locator('.field-error').count()).toBe(0);
    expect(await cover.locator('.preview-subtitle').textContent()).toBe(`Request ${REFERENCE} · FINRA`);
    const facts = await cover.locator('.cover-facts').innerText();
    expect(facts).toContain(`Events in this report\n${who.events} event${who.events === 1 ? '' : 's'}`);
    expect(facts).toContain(`Period (UTC days)\n${days[0]} to ${days.at(-1)}`);
    expect(facts).toContain(`returned ${who.events} row`);
    // A local folder: the preview says it is not WORM and claims no lock, as the PDF's cover does.
    expect(facts).toContain('A local folder is not WORM storage');
    expect(facts).toContain('no lock was checked');
    expect(await cover.locator('.verdict').innerText()).not.toMatch(/locked/);
    expect(facts).toMatch(/Days not archived\nEvery day of the period \(\d+ days\) is archived\./);
    const byUser = page.getByRole('article', { name: 'Summary' }).getByRole('table', { name: 'By user' });
    expect(await byUser.getByRole('row').first().innerText()).toBe(`${who.name}\t${who.events}`);
    const byAction = page.getByRole('article', { name: 'Summary' }).getByRole('table', { name: 'By action' });
    for (const [action, n] of who.byAction) {
      expect(await byAction.getByRole('row', { name: new RegExp(`^${action} `) }).innerText()).toBe(`${action}\t${n}`);
    }
    await page.screenshot({ path: await screenshotPath('reports-preview'), fullPage: true });
    await app.axe('the report preview');

    // Generate: each phase shows as it comes, then the receipt with the bundle's SHA-256.
    await page.getByRole('button', { name: 'Generate report' }).click();
    await page
      .getByRole('heading', { name: /^(Generating the report…|Report AR-\d{8}-[0-9a-f]{8} written)$/ })
      .waitFor();
    const written = page.getByRole('heading', { name: /^Report AR-\d{8}-[0-9a-f]{8} written$/, level: 2 });
    await written.waitFor({ timeout: 120_000 });
    await app.axe('the report written, its receipt');
    // One verification statement on screen: the preview's, from before, gives way to the receipt's.
    expect(await page.getByRole('article', { name: 'Cover' }).count()).toBe(0);
    const reportId = /AR-\d{8}-[0-9a-f]{8}/.exec((await written.textContent()) ?? '')?.[0] as string;
    expect(await page.getByRole('progressbar', { name: 'Report progress' }).getAttribute('value')).toBe('1');
    const steps = await page.getByRole('list', { name: 'Steps' }).getByRole('listitem').allInnerTexts();
    expect(steps.map((s) => s.replace(/ · .*$/s, ''))).toEqual([
      '✓ Running the cited queries',
      '✓ Reading the manifests of the period',
      '✓ Verifying the archive',
      '✓ Reading the cited events',
      '✓ Writing CSV, NDJSON and the evidence',
      '✓ Writing the PDF',
      '✓ Writing SHA256SUMS and the bundle',
    ]);
    expect(steps[5]).toMatch(/Writing the PDF: page (\d+) of \1$/);

    const receipt = page.getByRole('region', { name: /^Report AR-/ }).locator('.report-outcome');
    expect(await receipt.locator('p').first().textContent()).toMatch(
      new RegExp(`^${who.events} events, \\d+ pages\\.$`),
    );
    const bundle = path.join(userDataDir, 'reports', `${reportId}.zip`);
    const bundleSha = await sha256Of(bundle);
    expect(await receipt.getByLabel('Bundle SHA-256').textContent()).toBe(bundleSha);
    expect(await receipt.locator('.headline').textContent()).toMatch(/verified|intact|passed/i);

    // In the browser (dev/test) "Open folder" shows where the report is.
    await receipt.getByRole('button', { name: 'Open folder' }).click();
    const folderNotice = receipt.getByRole('status').filter({ hasText: "The report's folder" });
    await folderNotice.waitFor();
    const folder = /: (.+)$/.exec((await folderNotice.textContent()) ?? '')?.[1] as string;
    expect(folder).toBe(path.join(userDataDir, 'reports', reportId));
    expect((await stat(path.join(folder, 'report.pdf'))).size).toBeGreaterThan(1000);
    // The Discovery run is still kept: the report compared today's rows with its rows, by content.
    const evidence = JSON.parse(await readFile(path.join(folder, 'evidence.json'), 'utf8')) as {
      results: Array<{ comparison: unknown }>;
    };
    expect(evidence.results[0]?.comparison).toMatchObject({
      method: 'content',
      source: "the Discovery page's result",
      missing: 0,
      extra: 0,
    });
    await page.screenshot({ path: await screenshotPath('reports-generated'), fullPage: true });
    await page
      .getByRole('region', { name: /^Report AR-/ })
      .screenshot({ path: await screenshotPath('reports-generation-receipt') });

    // The list of past reports: this one, with the same SHA-256; "Re-check" passes.
    const listed = page.getByRole('list', { name: 'Past reports' }).getByRole('listitem', { name: reportId });
    await listed.waitFor();
    expect(await listed.getByLabel(`Bundle SHA-256 of ${reportId}`).textContent()).toBe(bundleSha);
    expect(await listed.innerText()).toContain(`Ref. ${REFERENCE}`);
    await listed.getByRole('button', { name: `Re-check ${reportId}` }).click();
    const check = listed.getByLabel(`Check of ${reportId}`);
    await check.locator('.check-title').filter({ hasText: 'Intact' }).waitFor();
    expect(await check.locator('.check-title').textContent()).toBe('✓ Intact: every check passed.');
    expect(await check.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringMatching(/^Bundle: passed · /),
      expect.stringMatching(/^Files in the bundle: passed · /),
      expect.stringMatching(/^Signature: passed · SHA256SUMS is signed with the archive's own key/),
      expect.stringMatching(/^Report folder: passed · /),
      expect.stringMatching(/^Archive: passed · Read again from the archive: /),
    ]);

    // A byte of the bundle changes on disk (same size): the re-check names the bundle as failed.
    await chmod(bundle, 0o644);
    const size = (await stat(bundle)).size;
    const handle = await open(bundle, 'r+');
    const at = Math.floor(size / 2);
    const [byte] = (await handle.read(Buffer.alloc(1), 0, 1, at)).buffer;
    await handle.write(Buffer.from([(byte ?? 0) ^ 0xff]), 0, 1, at);
    await handle.close();
    const changedSha = await sha256Of(bundle);

    // Re-checked from the keyboard this time.
    await listed.getByRole('button', { name: `Re-check ${reportId}` }).focus();
    await page.keyboard.press('Enter');
    await check.locator('.check-title').filter({ hasText: 'Changed' }).waitFor();
    expect(await check.getAttribute('role')).toBe('alert');
    expect(await check.locator('.check-title').textContent()).toMatch(
      /^✗ Changed: Bundle(, Files in the bundle)?(, Signature)? failed\.$/,
    );
    const bundleLine = check.getByRole('listitem').filter({ hasText: /^Bundle: FAILED/ });
    expect(await bundleLine.innerText()).toBe(
      `Bundle: FAILED · ${reportId}.zip now has SHA-256 ${changedSha}, not the ${bundleSha} recorded: it was changed.`,
    );
    // The unzipped folder beside it was not touched, and says so.
    expect(
      await check
        .getByRole('listitem')
        .filter({ hasText: /^Report folder: / })
        .innerText(),
    ).toMatch(/^Report folder: passed · /);
    await page.screenshot({ path: await screenshotPath('reports-recheck-failed'), fullPage: true });
    await page
      .getByRole('region', { name: 'Past reports' })
      .screenshot({ path: await screenshotPath('reports-past-reports-recheck-failed') });
  }, 300_000);

  it('a report can start from a starter query instead; a time zone it does not know is refused beside the field; a copy kept in the archive is re-checked there too', async () => {
    const { page } = app;
    const who = officerOfInterest;
    // A fresh Reports page (the app opened again in this tab).
    await page.goto('about:blank');
    await app.open('#/reports', 'Reports');
    await page.getByRole('radio', { name: 'A saved or starter query, run over the period' }).check();
    await page.getByLabel('Query', { exact: true }).selectOption({ label: 'Everything one user did (starter)' });
    await page.getByLabel('User name or id').fill(who.name);
    await page.getByLabel('Request reference').fill('Internal audit IA-31');
    await page.getByLabel('From (UTC day)').fill(days[0] as Day);
    await page.getByLabel('To (UTC day)').fill(days.at(-1) as Day);
    const zone = page.getByLabel('Time zone');
    await zone.fill('Mars/Olympus_Mons');

    await page.getByRole('button', { name: 'Preview' }).click();
    const zoneError = page.locator('.field-error').filter({ hasText: 'Time zone:' });
    await zoneError.waitFor();
    expect(await zoneError.textContent()).toBe('Time zone: must be an IANA time zone such as Europe/London or UTC');
    expect(await zone.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('alert').filter({ hasText: 'see the fields marked above' }).textContent()).toContain(
      '[INVALID_REQUEST]',
    );
    await page.screenshot({ path: await screenshotPath('reports-field-error') });
    await app.axe('a report field refused');

    await zone.fill('America/New_York');
    await page.getByRole('button', { name: 'Preview' }).click();
    const cover = page.getByRole('article', { name: 'Cover' });
    await cover.waitFor({ timeout: 60_000 });
    expect(await page.locator('.field-error').count()).toBe(0);
    expect(await cover.locator('.cover-facts').innerText()).toContain(
      `Events in this report\n${who.events} event${who.events === 1 ? '' : 's'}`,
    );
    expect(await page.getByRole('columnheader', { name: 'Time (UTC / America/New_York)' }).count()).toBe(1);

    // A preview shows the request as it was: a change since is flagged, not silently ignored.
    expect(await page.getByText('changed since this preview').count()).toBe(0);
    await page.getByLabel('Prepared by').fill('Head of Compliance');
    await page.getByRole('status').filter({ hasText: 'changed since this preview' }).waitFor();

    // This one is kept in the archive too: its re-check reads the copy back and checks its signed record.
    await page.getByRole('checkbox', { name: /Keep a copy in the archive/ }).check();
    await page.getByRole('button', { name: 'Generate report' }).click();
    const written = page.getByRole('heading', { name: /^Report AR-\d{8}-[0-9a-f]{8} written$/, level: 2 });
    await written.waitFor({ timeout: 120_000 });
    const reportId = /AR-\d{8}-[0-9a-f]{8}/.exec((await written.textContent()) ?? '')?.[0] as string;
    const steps = await page.getByRole('list', { name: 'Steps' }).getByRole('listitem').allInnerTexts();
    expect(steps.at(-1)).toMatch(/^✓ Keeping a copy in the archive · /);
    const receipt = page.getByRole('region', { name: /^Report AR-/ }).locator('.report-outcome');
    expect(await receipt.innerText()).toContain(`Kept in the archive\nreports/${reportId}/`);

    const listed = page.getByRole('list', { name: 'Past reports' }).getByRole('listitem', { name: reportId });
    await listed.getByRole('button', { name: `Re-check ${reportId}` }).click();
    const check = listed.getByLabel(`Check of ${reportId}`);
    await check.locator('.check-title').filter({ hasText: 'Intact' }).waitFor();
    expect(
      await check
        .getByRole('listitem')
        .filter({ hasText: /^Archive copy: / })
        .innerText(),
    ).toMatch(
      /^Archive copy: passed · reports\/.+ in the archive is this bundle, and its record is signed with the archive's key\.$/,
    );
  }, 300_000);
});
