/**
 * The daily job remembers its last run across app starts: a 02:00 missed while the app was closed
 * runs once at the next start (and only once), a failed run leaves a failure that stays until a
 * run succeeds, and a first start ever waits for the next 02:00.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditArchiveError } from '../../../shared/errors';
import { lastSettledDay } from '../../../shared/day';
import { SettingsSchema } from '../../../shared/settings';
import { startAppSchedule } from '../../../main/engine/schedule/app-schedule';
import type { DailySchedule, ScheduledRun } from '../../../main/engine/schedule/daily-schedule';
import { ScheduleRecordFile, scheduleRecordPathIn } from '../../../main/engine/schedule/schedule-record';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { settingsPathIn, stateDirIn } from '../../../main/engine/archive/app-archive';
import { SettingsFile } from '../../../main/engine/settings/settings-file';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');
const now = () => NOW;
const LAST = lastSettledDay(NOW, 120);

let userDataDir: string;
let schedule: DailySchedule | null = null;
let record: ScheduleRecordFile;

beforeEach(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-missed-'));
  record = new ScheduleRecordFile(scheduleRecordPathIn(stateDirIn(userDataDir)));
  await new SettingsFile(settingsPathIn(userDataDir)).save(
    SettingsSchema.parse({ archive: { policyStartDate: LAST } }),
  );
});

afterEach(async () => {
  await schedule?.stop();
  schedule = null;
  await rm(userDataDir, { recursive: true, force: true });
});

describe('the daily job across app starts', () => {
  it('a 02:00 missed while the app was closed runs once at start, is recorded, and the next run is tomorrow', async () => {
    await record.recordRun(
      {
        reason: 'daily',
        startedAt: '2026-11-26T02:00:10.000Z',
        finishedAt: '2026-11-26T02:01:00.000Z',
        ok: true,
        archived: 1,
        failedDays: 0,
        message: 'Archived 1 day.',
      },
      null,
    );
    const seen: ScheduledRun[] = [];
    // What the schedule does after the run: it plans the next one, or (wrongly) runs again.
    let afterRun: (next: { planned: number | null } | { ranAgain: ScheduledRun }) => void = () => undefined;
    const next = new Promise<{ planned: number | null } | { ranAgain: ScheduledRun }>(
      (resolve) => (afterRun = resolve),
    );
    const first = new Promise<ScheduledRun>((resolve) => {
      schedule = startAppSchedule({
        userDataDir,
        secrets: new MemorySecretStore(),
        env: {},
        now,
        timeZone: 'UTC',
        onRun: (r) => {
          seen.push(r);
          resolve(r);
          if (seen.length === 2) afterRun({ ranAgain: r });
        },
        // The check after a run decides what runs next: that decision is the proof nothing runs now.
        onPlanned: (dueAt) => {
          if (seen.length === 1) afterRun({ planned: dueAt });
        },
      });
    });
    const run = await first;
    if (!run.ok) throw run.error;
    expect(run.reason).toBe('missed');
    expect(run.outcome).toMatchObject({ archived: 1, from: LAST, to: LAST, failed: [] });

    await expect.poll(async () => (await record.load()).lastRun?.reason).toBe('missed');
    const saved = JSON.parse(await readFile(record.path, 'utf8')) as { lastRun: { message: string }; failure: unknown };
    expect(saved.lastRun.message).toBe(`Archived 1 day (${LAST} to ${LAST}).`);
    expect(saved.failure).toBeNull();
    // Once: after the run the schedule plans tomorrow's 02:00 instead of running again.
    expect(await next).toEqual({ planned: Date.parse('2026-11-29T02:00:00.000Z') });
    expect(schedule!.nextRunAt()).toBe(Date.parse('2026-11-29T02:00:00.000Z'));
    expect(schedule!.isRunning()).toBe(false);
    expect(seen).toHaveLength(1);
  });

  it('a first start ever waits for the next 02:00 rather than running at once', async () => {
    let ran = 0;
    schedule = startAppSchedule({
      userDataDir,
      secrets: new MemorySecretStore(),
      env: {},
      now,
      timeZone: 'UTC',
      onRun: () => (ran += 1),
    });
    await schedule.reschedule();
    expect(schedule.nextRunAt()).toBe(Date.parse('2026-11-29T02:00:00.000Z'));
    expect(ran).toBe(0);
  });

  it('a failed run leaves a failure that stays until a run succeeds', async () => {
    let fail = true;
    const recorded: Array<{ failure: unknown }> = [];
    schedule = startAppSchedule({
      userDataDir,
      secrets: new MemorySecretStore(),
      env: {},
      now,
      timeZone: 'UTC',
      record,
      runCatchUp: async () => {
        if (fail) throw new AuditArchiveError('GENESYS_AUTH_FAILED', 'Genesys refused the login (HTTP 401).');
        return {
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
        };
      },
      onRecorded: (r) => recorded.push(r),
    });
    await schedule.runNow();
    await expect.poll(() => recorded.length).toBe(1);
    const failure = (await record.load()).failure;
    expect(failure).toEqual({
      since: new Date(NOW).toISOString(),
      code: 'GENESYS_AUTH_FAILED',
      message: 'Genesys refused the login (HTTP 401).',
    });

    await schedule.runNow();
    await expect.poll(() => recorded.length).toBe(2);
    expect((await record.load()).failure).toEqual(failure);

    fail = false;
    await schedule.runNow();
    await expect.poll(() => recorded.length).toBe(3);
    expect(await record.load()).toMatchObject({ failure: null, lastRun: { ok: true, reason: 'requested' } });
  });
});
