/**
 * Discovery end to end: the real renderer in Chromium, through the dev/test transport, to the real
 * engine querying an archive that real exports from the Genesys simulator filled.
 */
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, lastSettledDay, type Day } from '../../shared/day';
import { ResultMetadataSchema } from '../../shared/discovery/result-metadata';
import { startDevWebServer, type DevWebServer } from '../../main/devweb/dev-web-server';
import { MemorySecretStore } from '../../main/engine/secrets/memory-secret-store';
import { demoArchiveDirIn, openAppService, settingsPathIn } from '../../main/engine/service/open-app-service';
import { fillAppArchive } from '../unit/service/archive-status-fixture';
import { collectPageErrors, useRendererAndBrowser } from './chromium';
import { axeAfterEach, expectAxeClean } from './axe';

const ui = useRendererAndBrowser();
let userDataDir: string;
let server: DevWebServer;
/** Stops the service's runs and jobs (each run holds its result file open). */
let closeService: (() => Promise<void>) | undefined;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];
let days: Day[];
let events: Array<{ id: string; entityType: string; entity: { name: string }; user: { id: string; name?: string } }>;

beforeAll(async () => {
  userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'aa-ui-discovery-'));
  const last = lastSettledDay(Date.now(), 120);
  days = [addDays(last, -4), addDays(last, -3), addDays(last, -2), addDays(last, -1), last];
  await fillAppArchive(userDataDir, { archive: days });
  events = [];
  const root = demoArchiveDirIn(userDataDir);
  for (const entry of await fs.readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.jsonl.gz')) continue;
    for (const line of gunzipSync(await fs.readFile(path.join(entry.parentPath, entry.name)))
      .toString('utf8')
      .split('\n')) {
      if (line) events.push(JSON.parse(line));
    }
  }
  await fs.writeFile(settingsPathIn(userDataDir), JSON.stringify({}));
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
  context = await ui.browser.newContext({ viewport: { width: 1440, height: 1100 }, acceptDownloads: true });
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  await page.goto(`${server.url}#/discovery`);
  await page.getByRole('heading', { name: 'Discovery', level: 1 }).waitFor();
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  await closeService?.();
  closeService = undefined;
  if (userDataDir) {
    for (const e of await fs.readdir(userDataDir, { recursive: true, withFileTypes: true })) {
      if (e.isFile()) await fs.chmod(path.join(e.parentPath, e.name), 0o644).catch(() => undefined);
    }
    await fs.rm(userDataDir, { recursive: true, force: true });
  }
});
axeAfterEach(() => page);

async function setRange(from: Day, to: Day): Promise<void> {
  await page.getByLabel('From').first().fill(from);
  await page.getByLabel('To', { exact: true }).first().fill(to);
}

async function runAndWait(): Promise<string> {
  await page.getByRole('button', { name: 'Run query' }).click();
  const done = page.locator('.run-summary, .discovery [role="alert"]');
  await done.first().waitFor({ timeout: 60_000 });
  await expectAxeClean(page, 'Discovery after Run query');
  return (await done.first().textContent()) ?? '';
}

describe('Discovery', () => {
  it('an officer asks the form who changed one queue, sees exactly those events, and exports them with the query beside them', async () => {
    const queue = events.find((e) => e.entityType === 'Queue')?.entity.name as string;
    const expected = events.filter(
      (e) => e.entityType === 'Queue' && e.entity.name.toLowerCase() === queue.toLowerCase(),
    );
    await setRange(days[0] as Day, days.at(-1) as Day);
    await page.getByLabel('Entity type').fill('Queue');
    await page.getByLabel('Entity', { exact: true }).fill(queue);
    const summary = await runAndWait();
    expect(summary).toMatch(
      new RegExp(
        `^${expected.length} rows? in [\\d.]+ s · local \\(DuckDB v[\\d.]+\\) · ${days[0]} to ${days.at(-1)} · read ${events.length} events in ${days.length} archived objects$`,
      ),
    );
    const grid = page.getByRole('grid');
    expect(await grid.getAttribute('aria-rowcount')).toBe(String(expected.length + 1));
    await page.getByRole('row').nth(1).getByRole('gridcell').first().waitFor();
    const ids = await grid
      .locator('[role="row"][aria-rowindex]:not([aria-rowindex="1"]) [role="gridcell"]:last-child')
      .allTextContents();
    expect(ids.sort()).toEqual(expected.map((e) => e.id).sort());
    // No blank cell: an empty value says so.
    expect(await grid.locator('[role="gridcell"]:empty').count()).toBe(0);
    // The results use the window's width (1440 px here), not a column of 900 px.
    expect((await page.locator('.results-viewport').boundingBox())?.width).toBeGreaterThan(1000);

    await page.getByRole('button', { name: 'Export CSV' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Exported' });
    await notice.waitFor();
    const [, file, metadataFile] =
      /to (.+\.csv), with the query and its metadata in (.+\.query\.json)\./.exec((await notice.textContent()) ?? '') ??
      [];
    const csv = (await fs.readFile(file as string, 'utf8')).trimEnd().split('\r\n');
    expect(csv[0]).toBe(
      'event_date,user_name,user_id,service,action,entity_type,entity_name,entity_id,status,property_changes,remote_ip,client_id,id',
    );
    expect(csv).toHaveLength(expected.length + 1);
    const metadata = ResultMetadataSchema.parse(JSON.parse(await fs.readFile(metadataFile as string, 'utf8')));
    expect(metadata.query).toMatchObject({ kind: 'structured', structured: { entityType: 'Queue', entity: queue } });
    expect(metadata.rowCount).toBe(expected.length);
    // The form's query shows the exact SQL it ran beside the rows, and what was bound to each ?.
    const exact = page.locator('.exact-query');
    expect(await exact.locator('summary').textContent()).toBe('The exact query this answer ran (built from the form)');
    expect(await exact.getByLabel('SQL').textContent()).toBe(metadata.query.sql);
    expect(await exact.getByRole('listitem').count()).toBe(metadata.query.positionalParameters.length);

    // The column chooser hides a column from view (not from the export) and shows it again.
    await page.locator('.column-chooser summary').click();
    await page.getByRole('checkbox', { name: 'remote_ip' }).uncheck();
    expect(await grid.getAttribute('aria-colcount')).toBe('12');
    expect(await page.getByRole('columnheader', { name: 'remote_ip' }).count()).toBe(0);
    expect(await page.locator('.column-chooser summary').textContent()).toBe('Columns: 12 of 13 shown');
    await page.getByRole('checkbox', { name: 'remote_ip' }).check();
    expect(await grid.getAttribute('aria-colcount')).toBe('13');
    expect(pageErrors).toEqual([]);
  });

  it('an answer over days the archive does not hold names them in words, beside the summary', async () => {
    const before = addDays(days[0] as Day, -2);
    await setRange(before, days.at(-1) as Day);
    await page.getByLabel('Entity type').fill('');
    await page.getByLabel('Entity', { exact: true }).fill('');
    await runAndWait();
    const gaps = page.getByRole('region', { name: '2 days of the range are not in this answer (missing)' });
    await gaps.waitFor();
    expect(await gaps.getByRole('listitem').allTextContents()).toEqual([
      `${before} to ${addDays(before, 1)} (2 days): not archived`,
    ]);
    expect(await gaps.textContent()).toContain('The answer holds no events of these days.');
    // An answer over archived days only says nothing of gaps.
    await setRange(days[0] as Day, days.at(-1) as Day);
    await runAndWait();
    expect(await page.getByRole('region', { name: /not in this answer/ }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('a starter query shows its parameters as form fields and answers with the rows a reading of the files expects', async () => {
    const someone = events.find((e) => e.user.name)?.user as { id: string; name: string };
    const expected = events.filter((e) => e.user.id === someone.id);
    await page.getByRole('button', { name: 'Everything one user did' }).click();
    await page.getByLabel('User name or id').fill(someone.name);
    await setRange(days[0] as Day, days.at(-1) as Day);
    expect(await runAndWait()).toMatch(new RegExp(`^${expected.length} rows? in `));
    expect(pageErrors).toEqual([]);
  });

  it('the SQL editor highlights SQL under the strict CSP, and 100,000 rows scroll smoothly because only the rows in view are in the page', async () => {
    await page.getByRole('tab', { name: 'SQL' }).click();
    const editor = page.locator('.cm-editor');
    await editor.waitFor();
    // Highlighting: keywords are styled tokens (CodeMirror's generated classes), not plain text. The
    // SQL language loads with the page's editor and highlights after it: wait for the tokens to appear.
    await expect.poll(() => page.locator('.cm-line span[class]').count()).toBeGreaterThan(3);
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(
      "SELECT n, 'row ' || CAST(n AS VARCHAR) AS label FROM range(100000) AS t(n) ORDER BY n",
    );
    await page.getByLabel('Every day').check();
    expect(await runAndWait()).toMatch(/^100,000 rows in /);
    const grid = page.getByRole('grid');
    expect(await grid.getAttribute('aria-rowcount')).toBe('100001');
    await page.locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').first().waitFor();
    expect(await page.getByRole('row').count()).toBeLessThan(80);

    await page.locator('.results-viewport').evaluate((el) => (el.scrollTop = el.scrollHeight));
    const lastRow = page.locator('[role="row"][aria-rowindex="100001"]');
    await lastRow.waitFor();
    await expect.poll(async () => lastRow.locator('[role="gridcell"]').nth(1).textContent()).toBe('row 99999');
    expect(await page.getByRole('row').count()).toBeLessThan(80);
    await page.screenshot({ path: '/tmp/audit-archive-discovery.png', fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('a long query shows progress and can be cancelled', async () => {
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('SELECT sum(x * x % 7) AS n FROM range(100000000000) AS a(x)');
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.getByRole('button', { name: 'Cancel' }).and(page.locator(':enabled')).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    const banner = page.getByRole('alert').filter({ hasText: 'Cancelled.' });
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toContain('[QUERY_CANCELLED]');
  });

  it('"Add to report" hands the result, with its exact query, to the Reports page', async () => {
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('SELECT action, count(*) AS n FROM audit_events GROUP BY action ORDER BY n DESC');
    await runAndWait();
    await page.getByRole('button', { name: 'Add to report' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    const handed = await page.evaluate(() => sessionStorage.getItem('audit-archive:report-result'));
    // The hand-off is the result's metadata and its run's id (renderer/discovery/report-handoff.ts).
    const metadata = ResultMetadataSchema.parse((JSON.parse(handed as string) as { metadata: unknown }).metadata);
    expect(metadata.query).toMatchObject({
      kind: 'sql',
      sourceSql: 'SELECT action, count(*) AS n FROM audit_events GROUP BY action ORDER BY n DESC',
    });
    expect(metadata.rowCount).toBeGreaterThan(3);
  });
});
