/**
 * The app's record of its last copy check, as the calendar and the day panel read it: kept in the
 * run journal (and read again after a restart), shown only for the copy set now, a day covered
 * only when the check ran after its newest manifest, and a finished check said as what passed and
 * what did not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DayStatus } from '../../../shared/day-status';
import { SettingsSchema } from '../../../shared/settings';
import type { VerifyProblem } from '../../../shared/verify';
import type { CopyCheckResult } from '../../../main/engine/archive/copy/verify-copy';
import { RunJournal } from '../../../main/engine/archive/run-journal';
import { copyCheckJobPatch, copyUrlOf, dayCopyOf, withCopyCheck } from '../../../main/engine/service/copy-check';

const ARCHIVE = 's3://primary/acme/prod';
const COPY = 's3://copy-bucket/acme/copy';
const AT = '2026-12-07T05:00:00.000Z';
const settings = (target: string) =>
  SettingsSchema.parse({ archive: { target: ARCHIVE, copy: { target, mode: 'write' } } });
const missing = (day: string, key: string): VerifyProblem => ({
  day,
  kind: 'copy-missing',
  key,
  detail: `${key} is missing`,
});
const days: DayStatus[] = ['2026-03-13', '2026-03-14', '2026-03-15'].map((day) => ({
  day,
  state: 'archived',
  events: 3,
}));
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'copy-check-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function journalWithCheck(problems: VerifyProblem[]): Promise<RunJournal> {
  const journal = await RunJournal.open(dir, ARCHIVE);
  await journal.recordCopyCheck(
    { at: AT, copy: COPY, mode: 'write', from: '2026-03-13', to: '2026-03-15', objectsChecked: 7 },
    problems,
  );
  return RunJournal.open(dir, ARCHIVE); // as read after a restart
}

describe('the last copy check on the calendar and in the day panel', () => {
  it("names the copy as its store does, whatever the prefix's slashes", () => {
    expect(copyUrlOf(settings('s3://copy-bucket/acme/copy/'))).toBe(COPY);
    expect(copyUrlOf(settings('s3://copy-bucket'))).toBe('s3://copy-bucket');
    expect(copyUrlOf(settings(''))).toBeNull();
  });

  it('marks the days it found wrong with their kinds, and says when it ran and what it covered', async () => {
    const journal = await journalWithCheck([
      missing('2026-03-14', 'acme/copy/a'),
      { day: '2026-03-14', kind: 'copy-unlocked', key: 'acme/copy/b', detail: 'weak' },
      { day: null, kind: 'copy-missing', key: 'acme/copy/root.json', detail: 'root' },
    ]);
    const shown = withCopyCheck(days, settings(COPY), journal);
    expect(shown.days.map((d) => d.copy)).toEqual([undefined, ['copy-missing', 'copy-unlocked'], undefined]);
    expect(shown.copyCheck).toEqual({
      at: AT,
      copy: COPY,
      mode: 'write',
      from: '2026-03-13',
      to: '2026-03-15',
      objectsChecked: 7,
      problems: 3,
      problemDays: 1,
    });
  });

  it('marks nothing from a check of another copy, and says nothing of a copy when none is set', async () => {
    const journal = await journalWithCheck([missing('2026-03-14', 'acme/copy/a')]);
    const other = withCopyCheck(days, settings('s3://another-copy/acme'), journal);
    expect(other.days.some((d) => d.copy)).toBe(false);
    expect(other.copyCheck).toBeNull();
    expect(withCopyCheck(days, settings(''), journal)).toEqual({ days });
    expect(dayCopyOf(settings(''), journal, '2026-03-14', AT)).toBeNull();
  });

  it('covers a day only when the check ran after its newest manifest and the day was in its range', async () => {
    const journal = await journalWithCheck([missing('2026-03-14', 'acme/copy/a')]);
    const before = '2026-12-07T04:00:00.000Z';
    expect(dayCopyOf(settings(COPY), journal, '2026-03-14', before)?.checked?.problems).toHaveLength(1);
    expect(dayCopyOf(settings(COPY), journal, '2026-03-13', before)?.checked).toMatchObject({ at: AT, problems: [] });
    // Reconciled after the check: its new objects were not checked in the copy.
    expect(dayCopyOf(settings(COPY), journal, '2026-03-13', '2026-12-07T06:00:00.000Z')).toEqual({
      target: COPY,
      mode: 'write',
      checked: null,
    });
    expect(dayCopyOf(settings(COPY), journal, '2026-03-16', before)?.checked).toBeNull();
    expect(dayCopyOf(settings(COPY), journal, '2026-03-14', null)?.checked).toBeNull();
  });

  it('says a finished check as what passed and what did not, by kind and day', () => {
    const result: CopyCheckResult = {
      ok: false,
      copy: COPY,
      mode: 'write',
      from: '2026-03-13',
      to: '2026-03-15',
      objectsChecked: 7,
      problems: [
        missing('2026-03-14', 'acme/copy/a'),
        { day: '2026-03-15', kind: 'copy-different', key: 'acme/copy/b', detail: 'other bytes' },
      ],
      repaired: 0,
    };
    const patch = copyCheckJobPatch(result, ARCHIVE);
    expect(patch.summary).toBe(
      `The copy ${COPY} (write mode) against ${ARCHIVE}, 2026-03-13 to 2026-03-15: DOES NOT MATCH. 5 of 7 objects matched; 1 missing, 1 with other bytes, on 2 days (listed below).`,
    );
    expect(patch.problems).toMatchObject({ total: 2, failing: 2 });
    expect(copyCheckJobPatch({ ...result, ok: true, problems: [] }, ARCHIVE).summary).toBe(
      `The copy ${COPY} (write mode) against ${ARCHIVE}, 2026-03-13 to 2026-03-15: matches. All 7 objects the manifests vouch for are in the copy with the recorded SHA-256 (bytes hashed) and locked at least as long as in the primary.`,
    );
  });
});
