/**
 * The schedule as the app runs it, over the real engine: a userData folder with the default local
 * archive in demo mode (the built-in Genesys simulator), the calendar read back through the app
 * service.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastSettledDay } from '../../../shared/day';
import type { DayStatus } from '../../../shared/day-status';
import { SettingsSchema } from '../../../shared/settings';
import { startAppSchedule } from '../../../main/engine/schedule/app-schedule';
import type { DailySchedule } from '../../../main/engine/schedule/daily-schedule';
import { ScheduleRecordFile, scheduleRecordPathIn } from '../../../main/engine/schedule/schedule-record';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { dispatch } from '../../../main/engine/service/dispatch';
import {
  demoArchiveDirIn,
  openAppService,
  settingsPathIn,
  stateDirIn,
} from '../../../main/engine/service/open-app-service';
import { SettingsFile } from '../../../main/engine/settings/settings-file';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');
const now = () => NOW;
const LAST = lastSettledDay(NOW, 120); // 2026-11-27

let userDataDir: string;
let schedule: DailySchedule | null = null;

beforeEach(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-schedule-'));
});

afterEach(async () => {
  await schedule?.stop();
  schedule = null;
  await rm(userDataDir, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

async function calendarDay(day: string): Promise<DayStatus | undefined> {
  const { service, close } = openAppService({
    userDataDir,
    transport: 'dev-web',
    appVersion: 'test',
    secrets: new MemorySecretStore(),
    env: {},
    now,
  });
  const result = await dispatch(service, 'archive:status', { from: day, to: day }).finally(close);
  if (!result.ok) throw new Error(`archive:status failed: ${result.error.code}: ${result.error.message}`);
  return (result.value as { days: DayStatus[] }).days[0];
}

describe('the daily schedule in the app', () => {
  it('"run now" archives yesterday into the demo archive from the demo organisation, and a second run writes nothing new', async () => {
    // A policy that starts yesterday keeps the catch-up to that one day (a new user's first night).
    await new SettingsFile(settingsPathIn(userDataDir)).save(
      SettingsSchema.parse({ archive: { policyStartDate: LAST } }),
    );
    expect(await calendarDay(LAST)).toMatchObject({ state: 'missing' });

    schedule = startAppSchedule({ userDataDir, secrets: new MemorySecretStore(), env: {}, now, timeZone: 'UTC' });
    const first = await schedule.runNow();
    if (!first.ok) throw first.error;
    expect(first.outcome).toMatchObject({ from: LAST, to: LAST, archived: 1, failed: [] });
    expect(first.outcome.events).toBeGreaterThan(0);

    const archivedDay = await calendarDay(LAST);
    expect(archivedDay).toEqual({ day: LAST, state: 'archived', events: first.outcome.events });
    const written = await filesUnder(demoArchiveDirIn(userDataDir));
    expect(written.some((f) => f.startsWith(path.join('manifests', ...LAST.split('-'))))).toBe(true);

    const second = await schedule.runNow();
    if (!second.ok) throw second.error;
    expect(second.outcome).toMatchObject({ archived: 0, failed: [], events: 0 });
    expect(await filesUnder(demoArchiveDirIn(userDataDir))).toEqual(written);
    expect(await calendarDay(LAST)).toEqual(archivedDay);
  });

  it('plans the next run at the configured time from the settings file', async () => {
    await new SettingsFile(settingsPathIn(userDataDir)).save(SettingsSchema.parse({ schedule: { time: '03:15' } }));
    schedule = startAppSchedule({ userDataDir, secrets: new MemorySecretStore(), env: {}, now, timeZone: 'UTC' });
    await schedule.reschedule();
    expect(schedule.nextRunAt()).toBe(Date.parse('2026-11-29T03:15:00.000Z'));
  });

  it('a run that ends as the app quits is recorded before stopping resolves (nothing written afterwards)', async () => {
    await new SettingsFile(settingsPathIn(userDataDir)).save(
      SettingsSchema.parse({ archive: { policyStartDate: LAST } }),
    );
    const record = new ScheduleRecordFile(scheduleRecordPathIn(stateDirIn(userDataDir)));
    let stopped: Promise<void> | null = null;
    schedule = startAppSchedule({
      userDataDir,
      secrets: new MemorySecretStore(),
      env: {},
      now,
      timeZone: 'UTC',
      record,
      runCatchUp: async () => ({
        archived: 1,
        alreadyArchived: 0,
        failed: [],
        notStarted: 0,
        cancelled: false,
        events: 5,
        bytes: 9,
        elapsedMs: 1,
        from: LAST,
        to: LAST,
      }),
      // The app quits the moment the run ends, before its record is written.
      onRun: () => (stopped = schedule!.stop()),
    });
    await schedule.runNow();
    await stopped;
    expect((await record.load()).lastRun).toMatchObject({ reason: 'requested', ok: true, archived: 1 });
    // The folder can go at once: nothing of the schedule still writes into it.
    await rm(userDataDir, { recursive: true });
  });
});
