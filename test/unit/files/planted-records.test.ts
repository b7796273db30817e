/**
 * The app's own records (settings, the daily job's record, the demo marker and key, report receipts) sit in
 * folders that other programs, or someone with the state folder, can write to. A named pipe planted
 * where one is expected must never hang the app: each is read only if it is a regular file
 * (main/engine/files/regular-file.ts), and what it is instead is said where the record is used.
 * Each test here hung until killed before that rule (a FIFO opens only when a writer comes).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings, type Settings } from '../../../shared/settings';
import { stateDirIn } from '../../../main/engine/archive/app-archive';
import { FileSigningKeyStore } from '../../../main/engine/archive/signing-keys';
import { listReceipts } from '../../../main/engine/reports/report-jobs';
import { ScheduleRecordFile, scheduleRecordPathIn } from '../../../main/engine/schedule/schedule-record';
import { DemoFill } from '../../../main/engine/service/demo-fill';
import { SettingsFile } from '../../../main/engine/settings/settings-file';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aa-planted-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function mkfifo(file: string): void {
  execFileSync('mkfifo', ['-m', '600', file]);
}

function customised(): Settings {
  const s = defaultSettings();
  return { ...s, archive: { ...s.archive, retentionDays: 2557 } };
}

describe('the settings file', () => {
  it('a named pipe gives the defaults and a warning saying what it is', async () => {
    const file = join(dir, 'settings.json');
    mkfifo(file);
    const { settings, warnings } = await new SettingsFile(file).load();
    expect(settings).toEqual(defaultSettings());
    expect(warnings).toEqual([
      `Settings file ${file} could not be read (it is a named pipe (FIFO), not a settings file); using defaults for this session; fix or delete the file.`,
    ]);
  });

  it('a symbolic link to a settings file kept elsewhere is followed; a link to a named pipe is not read', async () => {
    const kept = join(dir, 'kept.json');
    await writeFile(kept, JSON.stringify(customised()));
    const linked = join(dir, 'settings.json');
    await symlink(kept, linked);
    expect((await new SettingsFile(linked).load()).settings).toEqual(customised());

    const pipe = join(dir, 'pipe');
    mkfifo(pipe);
    const toPipe = join(dir, 'other-settings.json');
    await symlink(pipe, toPipe);
    const { settings, warnings } = await new SettingsFile(toPipe).load();
    expect(settings).toEqual(defaultSettings());
    expect(warnings[0]).toContain('it is a named pipe (FIFO), not a settings file');
  });
});

describe("the daily job's record", () => {
  it('a named pipe is read as nothing recorded, with a warning', async () => {
    const file = scheduleRecordPathIn(stateDirIn(dir));
    await mkdir(stateDirIn(dir), { recursive: true });
    mkfifo(file);
    const warnings: string[] = [];
    const record = new ScheduleRecordFile(file, (m) => warnings.push(m));
    expect(await record.load()).toEqual({ lastRun: null, failure: null });
    expect(warnings).toEqual([
      `The daily job's record ${file} is a named pipe (FIFO), not a record; it starts afresh (the archive is unaffected).`,
    ]);
  });
});

describe("the demo archive's marker", () => {
  function demoFill(): DemoFill {
    return new DemoFill({ userDataDir: dir, days: 30, env: {}, now: () => Date.now(), onWarning: () => undefined });
  }

  it('a named pipe is no marker: the demo is not filled and has no first day yet', async () => {
    await mkdir(stateDirIn(dir), { recursive: true });
    mkfifo(join(stateDirIn(dir), 'demo-archive.json'));
    expect(await demoFill().isFilled()).toBe(false);
    expect(await demoFill().policyStart()).toBeNull();
  });

  it('a marker that is not JSON is no marker either (it used to reject)', async () => {
    await mkdir(stateDirIn(dir), { recursive: true });
    await writeFile(join(stateDirIn(dir), 'demo-archive.json'), 'not json');
    expect(await demoFill().isFilled()).toBe(false);
    expect(await demoFill().policyStart()).toBeNull();
  });
});

describe('report receipts', () => {
  it('a named pipe named like a receipt is not a report of ours: the list is read without it', async () => {
    mkfifo(join(dir, 'planted.receipt.json'));
    await writeFile(join(dir, 'junk.receipt.json'), '{}');
    expect(await listReceipts(dir)).toEqual([]);
  });
});

describe("a demo archive's signing key in the state folder", () => {
  it('a named pipe in its place is refused, saying what it is, instead of hanging the export', async () => {
    const fingerprint = 'ab'.repeat(32);
    await mkdir(join(dir, 'keys'), { recursive: true });
    const file = join(dir, 'keys', `${fingerprint}.pem`);
    mkfifo(file);
    await expect(new FileSigningKeyStore(dir).get(fingerprint)).rejects.toMatchObject({
      code: 'SECRET_STORE_UNAVAILABLE',
      message: `The signing key file ${file} is a named pipe (FIFO), not a key file, so the key cannot be read from it; put the key file back in its place, then run again.`,
    });
  });
});
