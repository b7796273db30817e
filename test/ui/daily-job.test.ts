/**
 * The daily job in Chromium against the real engine: a 02:00 missed while the app was closed runs
 * once at start and the app says so; a failed run stays on screen until a run succeeds; and the
 * app's jobs take turns with a cron job on the same archive through its writer lease, saying whom
 * they wait for.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDays, lastSettledDay } from '../../shared/day';
import type { ScheduleStatus } from '../../shared/schedule-status';
import { SettingsSchema, type SettingsInput } from '../../shared/settings';
import { LocalFolderStore } from '../../main/engine/archive/stores/local-store';
import { acquireWriterLease } from '../../main/engine/archive/writer-lease';
import { startGenesysSimulator, type GenesysSimulator } from '../../main/engine/genesys/simulator/server';
import { ScheduleRecordFile, scheduleRecordPathIn } from '../../main/engine/schedule/schedule-record';
import { MemorySecretStore } from '../../main/engine/secrets/memory-secret-store';
import { demoArchiveDirIn, settingsPathIn, stateDirIn } from '../../main/engine/archive/app-archive';
import { dispatch } from '../../main/engine/service/dispatch';
import { SettingsFile } from '../../main/engine/settings/settings-file';
import { fillAppArchive } from '../unit/service/archive-status-fixture';
import { startApp, type AppUnderTest } from './app-under-test';
import { screenshotPath, useRendererAndBrowser } from './chromium';

const ui = useRendererAndBrowser();
let userDataDir: string;
let app: AppUnderTest | null = null;
let sim: GenesysSimulator | null = null;
let record: ScheduleRecordFile;
const last = () => lastSettledDay(Date.now(), 120);

beforeEach(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-ui-daily-'));
  record = new ScheduleRecordFile(scheduleRecordPathIn(stateDirIn(userDataDir)));
});

afterEach(async () => {
  expect(app?.pageErrors ?? []).toEqual([]);
  await app?.close();
  app = null;
  await sim?.close();
  sim = null;
  await rm(userDataDir, { recursive: true, force: true });
});

async function saveSettings(settings: SettingsInput): Promise<void> {
  await new SettingsFile(settingsPathIn(userDataDir)).save(SettingsSchema.parse(settings));
}

/** The last run the daily job recorded: two days ago, so this morning's 02:00 (UTC) was missed. */
async function lastRunTwoDaysAgo(): Promise<void> {
  const at = new Date(Date.now() - 49 * 3_600_000).toISOString();
  await record.recordRun(
    {
      reason: 'daily',
      startedAt: at,
      finishedAt: at,
      ok: true,
      archived: 1,
      failedDays: 0,
      message: 'Archived 1 day.',
    },
    null,
  );
}

/**
 * The first status of the daily job (pushed to the renderer, or current when the test asks) that
 * `wanted` accepts: what the job decided, without sleeping on it.
 */
function scheduleStatusWhere(app: AppUnderTest, wanted: (s: ScheduleStatus) => boolean): Promise<ScheduleStatus> {
  return new Promise((resolve, reject) => {
    const found = (s: ScheduleStatus) => {
      if (!wanted(s)) return;
      unsubscribe();
      resolve(s);
    };
    const unsubscribe = app.runtime.events.subscribe((e) => {
      if (e.event === 'schedule') found(e.payload as ScheduleStatus);
    });
    dispatch(app.runtime.service, 'schedule:status', {}).then(
      (r) => (r.ok ? found(r.value as ScheduleStatus) : reject(new Error(r.error.message))),
      reject,
    );
  });
}

describe('the daily job', () => {
  it('a 02:00 missed while the app was closed runs once at start, and the app shows the last and next run', async () => {
    const gaps = [addDays(last(), -1), last()];
    await fillAppArchive(userDataDir, { archive: [addDays(last(), -3), addDays(last(), -2)] });
    await saveSettings({ archive: { policyStartDate: addDays(last(), -3) }, schedule: { time: '02:00' } });
    await lastRunTwoDaysAgo();

    app = await startApp(ui, { userDataDir, schedule: { timeZone: 'UTC' } });
    const { page } = app;
    await app.open('#/settings', 'Settings');
    const lastRun = page.locator('.last-run');
    await expect
      .poll(() => lastRun.textContent(), { timeout: 60_000 })
      .toMatch(/a run missed while the app was closed, made up at start/);
    // The catch-up covers the policy's days up to the last settled one; two of them were missing.
    expect(await lastRun.textContent()).toMatch(
      new RegExp(`: Archived 2 days \\(${addDays(last(), -3)} to ${last()}\\)\\.$`),
    );
    const tomorrow0200 = new Date(
      Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1, 2),
    );
    const next = await page.locator('.next-run').textContent();
    expect(next).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, 02:00 UTC$/);
    expect(Date.parse(`${next!.replace(' UTC', '')} UTC`)).toBeLessThanOrEqual(tomorrow0200.getTime());
    expect(await page.locator('.sidebar-schedule').textContent()).toMatch(/^Daily job: next /);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
    for (const day of gaps)
      await expect.poll(() => page.locator(`[data-day="${day}"]`).getAttribute('class')).toContain('day-archived');
    await page.getByText('Daily archive run: finished').waitFor();

    // Once: after the run the daily job plans its next run instead of running again, and the
    // record names one missed run.
    const settled = await scheduleStatusWhere(
      app,
      (s) => !s.running && s.lastRun?.reason === 'missed' && s.nextRunAt !== null && s.nextRunAt > s.lastRun.finishedAt,
    );
    expect(Date.parse(settled.nextRunAt!)).toBeLessThanOrEqual(tomorrow0200.getTime());
    const saved = JSON.parse(await readFile(record.path, 'utf8')) as { lastRun: { reason: string }; failure: unknown };
    expect(saved.lastRun.reason).toBe('missed');
    expect(saved.failure).toBeNull();
    expect(app.runtime.schedule?.isRunning()).toBe(false);
  });

  it('a failed daily run stays on screen until a run succeeds', async () => {
    sim = await startGenesysSimulator({ runningPolls: 0, eventsPerDay: 10 });
    const secrets = new MemorySecretStore();
    await saveSettings({ demo: false, genesys: { clientId: sim.clientId }, archive: { policyStartDate: last() } });
    await lastRunTwoDaysAgo();
    app = await startApp(ui, {
      userDataDir,
      secrets,
      schedule: { timeZone: 'UTC' },
      env: { AUDIT_ARCHIVE_GENESYS_API_URL: sim.apiUrl, AUDIT_ARCHIVE_GENESYS_LOGIN_URL: sim.loginUrl },
    });
    const { page } = app;
    await app.open('#/calendar', 'Calendar');
    const failure = page.getByRole('alert').filter({ hasText: 'The daily archive run failed' });
    await failure.waitFor({ timeout: 60_000 });
    expect(await failure.textContent()).toContain('The Genesys client secret is not set');
    expect(await failure.textContent()).toContain('GENESYS_NOT_CONFIGURED. This stays until a run succeeds');
    await page.screenshot({ path: await screenshotPath('daily-job-failed') });

    // Still there after a reload: it is recorded, not a passing message.
    await page.reload();
    await failure.waitFor();

    // The officer fixes the cause (the secret) and catches up: the failure is gone.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Client secret').fill(sim.clientSecret);
    await page.getByRole('button', { name: 'Store in keychain' }).click();
    await page.getByText('Stored in the OS keychain.', { exact: true }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
    await page.getByRole('button', { name: 'Catch up now' }).click();
    await page.getByText('Catch-up: finished').waitFor({ timeout: 60_000 });
    await failure.waitFor({ state: 'detached' });
    expect((await record.load()).failure).toBeNull();
  });

  it('"Catch up now" waits while a cron job holds the archive, says whom it waits for, and runs once it is done', async () => {
    await fillAppArchive(userDataDir, { archive: [addDays(last(), -2)] });
    await saveSettings({ archive: { policyStartDate: addDays(last(), -2), lease: { staleSeconds: 4 } } });
    const store = new LocalFolderStore({ root: demoArchiveDirIn(userDataDir) });
    const cron = await acquireWriterLease(store.writerLease(), {
      program: 'the audit-archive CLI (cron)',
      ttlMs: 60_000,
      waitMs: 0,
      archiveUrl: store.url,
    });
    app = await startApp(ui, { userDataDir });
    const { page } = app;
    await app.open('#/calendar', 'Calendar');
    await page.getByRole('button', { name: 'Catch up now' }).click();
    const waiting = page.getByRole('status').filter({ hasText: 'Waiting for the audit-archive CLI (cron) (pid' });
    await waiting.waitFor();
    expect(await waiting.textContent()).toContain(
      'to finish writing the archive. One writer at a time keeps the manifest chain whole',
    );
    await cron.release();
    await page.getByText('Catch-up: finished').waitFor({ timeout: 60_000 });
    expect(await page.locator('.job-summary').textContent()).toMatch(/^Caught up: 2 of 2 days archived/);
  });
});
