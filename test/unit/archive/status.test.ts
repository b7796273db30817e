import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataKey, manifestKey } from '../../../shared/archive-layout';
import { addDays, eachDay, type Day } from '../../../shared/day';
import type { Assessment, ChainManifest, DayEvidence } from '../../../main/engine/archive/assessment';
import type { ArchiveManifest } from '../../../shared/manifest';
import type { VerifyProblem } from '../../../shared/verify';
import { RunJournal } from '../../../main/engine/archive/run-journal';
import { computeDayStatuses, countStates } from '../../../main/engine/archive/status';

const NOW = Date.parse('2026-11-28T10:00:00.000Z'); // 10:00 UTC: yesterday settled (2 h margin) at 02:00
const base = { now: NOW, settlementMinutes: 120, genesysRetentionDays: 365 };

/**
 * An assessment as the archive would produce it: one signed manifest on the chain per archived day
 * (its event total given), plus problems found on some days.
 */
function assessmentOf(archived: Day[], problems: VerifyProblem[] = [], events = 10): Assessment {
  const days = new Map<Day, DayEvidence>();
  const chain: ChainManifest[] = [];
  for (const [i, day] of archived.entries()) {
    const c = {
      key: manifestKey('p', day, i + 1),
      versionId: null,
      sha256: '0'.repeat(64),
      manifest: { day, sequence: i + 1, dayEventsTotal: events } as ArchiveManifest,
    };
    chain.push(c);
    days.set(day, { day, manifests: [c], problems: [] });
  }
  for (const p of problems) {
    const d = days.get(p.day as Day) ?? { day: p.day as Day, manifests: [], problems: [] };
    d.problems.push(p);
    days.set(p.day as Day, d);
  }
  return {
    root: { status: 'absent' },
    head: null,
    chain,
    keys: { epochs: [], current: null, nextIndex: 1 },
    days,
    problems,
    hasContent: archived.length > 0,
    nextPart: () => 1,
  };
}

describe('the archive calendar', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'status-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows archived days, a recoverable gap as missing and today as pending, not as a gap', () => {
    const statuses = computeDayStatuses({
      ...base,
      assessment: assessmentOf(['2026-11-24', '2026-11-25', '2026-11-27']),
      from: '2026-11-24',
      to: '2026-11-28',
    });
    expect(statuses.map((s) => [s.day, s.state])).toEqual([
      ['2026-11-24', 'archived'],
      ['2026-11-25', 'archived'],
      ['2026-11-26', 'missing'],
      ['2026-11-27', 'archived'],
      ['2026-11-28', 'pending'],
    ]);
  });

  it('keeps yesterday pending until its end plus the settlement margin has passed', () => {
    const early = Date.parse('2026-11-28T01:59:00.000Z');
    const [yesterday] = computeDayStatuses({
      ...base,
      now: early,
      assessment: assessmentOf([]),
      from: '2026-11-27',
      to: '2026-11-27',
    });
    expect(yesterday?.state).toBe('pending');
    const [later] = computeDayStatuses({
      ...base,
      now: Date.parse('2026-11-28T02:00:00.000Z'),
      assessment: assessmentOf([]),
      from: '2026-11-27',
      to: '2026-11-27',
    });
    expect(later?.state).toBe('missing');
  });

  it('marks gaps older than the Genesys retention window unrecoverable and days before the policy start not required', () => {
    const firstRecoverable = addDays('2026-11-28', -365);
    const statuses = computeDayStatuses({
      ...base,
      assessment: assessmentOf([]),
      from: addDays(firstRecoverable, -3),
      to: addDays(firstRecoverable, 1),
      policyStartDate: addDays(firstRecoverable, -1),
    });
    expect(statuses.map((s) => s.state)).toEqual([
      'not-required',
      'not-required',
      'unrecoverable',
      'missing',
      'missing',
    ]);
  });

  it('honours a configured Genesys retention window', () => {
    const [day] = computeDayStatuses({
      ...base,
      genesysRetentionDays: 30,
      assessment: assessmentOf([]),
      from: '2026-10-01',
      to: '2026-10-01',
    });
    expect(day?.state).toBe('unrecoverable');
  });

  it('shows a day whose data object was hidden by a delete marker as tampered, naming the key', () => {
    const key = dataKey('p', '2026-11-25', 1);
    const problems: VerifyProblem[] = [
      { day: '2026-11-25', kind: 'delete-marker', key, detail: `A delete marker hides ${key}.` },
    ];
    const statuses = computeDayStatuses({
      ...base,
      assessment: assessmentOf(['2026-11-25'], problems),
      from: '2026-11-25',
      to: '2026-11-25',
    });
    expect(statuses[0]?.state).toBe('tampered');
    expect(statuses[0]?.error).toContain(key);
  });

  it('shows the last failure of a day with its error, and archived once a later run succeeded', async () => {
    const journal = await RunJournal.open(dir, 's3://bucket/prefix');
    await journal.recordFailure(
      '2026-11-26',
      'GENESYS_QUERY_FAILED',
      'The audit query ended Failed; retry later.',
      new Date(NOW),
    );
    const before = computeDayStatuses({
      ...base,
      assessment: assessmentOf([]),
      from: '2026-11-26',
      to: '2026-11-26',
      journal,
    });
    expect(before[0]).toMatchObject({ state: 'failed', error: expect.stringContaining('GENESYS_QUERY_FAILED') });

    await journal.recordArchived('2026-11-26', 1234, new Date(NOW));
    const after = computeDayStatuses({
      ...base,
      assessment: assessmentOf(['2026-11-26'], [], 1234),
      from: '2026-11-26',
      to: '2026-11-26',
      journal,
    });
    expect(after[0]).toEqual({ day: '2026-11-26', state: 'archived', events: 1234 });
  });

  it('shows a day the last verification found a problem with as tampered, but not for an orphan', async () => {
    const journal = await RunJournal.open(dir, 'file:///archive');
    await journal.recordVerify(
      [
        { day: '2026-11-24', kind: 'hash-mismatch', key: 'k', detail: 'SHA-256 differs' },
        { day: '2026-11-25', kind: 'orphan', key: 'k2', detail: 'left by an interrupted run' },
      ],
      { from: null, to: null },
      new Date(NOW),
    );
    const statuses = computeDayStatuses({
      ...base,
      assessment: assessmentOf(['2026-11-24', '2026-11-25']),
      from: '2026-11-24',
      to: '2026-11-25',
      journal,
    });
    expect(statuses.map((s) => s.state)).toEqual(['tampered', 'archived']);
    expect(statuses[0]?.error).toContain('hash-mismatch');
  });

  it('a day whose only manifest-shaped key is junk is not archived; a leftover part does not make an unarchived day tampered', () => {
    const junk: VerifyProblem = {
      day: '2026-11-25',
      kind: 'manifest-invalid',
      key: manifestKey('p', '2026-11-25', 9),
      detail: 'not a manifest',
    };
    const leftover: VerifyProblem = {
      day: '2026-11-26',
      kind: 'unexpected-object',
      key: dataKey('p', '2026-11-26', 1),
      detail: 'named by no manifest',
    };
    const statuses = computeDayStatuses({
      ...base,
      assessment: assessmentOf([], [junk, leftover]),
      from: '2026-11-25',
      to: '2026-11-26',
    });
    expect(statuses.map((s) => s.state)).toEqual(['tampered', 'missing']);
    expect(statuses[0]?.error).toContain('manifest-invalid');
  });

  it('computes seven years of calendar from one listing', () => {
    const to = '2026-11-28';
    const from = addDays(to, -2556);
    const archived = [...eachDay(from, addDays(to, -1))].filter((_, i) => i % 97 !== 0);
    const statuses = computeDayStatuses({ ...base, assessment: assessmentOf(archived), from, to });
    const counts = countStates(statuses);
    expect(statuses).toHaveLength(2557);
    expect(counts.archived).toBe(archived.length);
    expect(counts.pending).toBe(1);
    expect(counts.archived + counts.missing + counts.unrecoverable + counts.pending).toBe(2557);
    expect(counts.missing).toBeGreaterThan(0);
    expect(counts.unrecoverable).toBeGreaterThan(0);
  });

  it('the run journal survives concurrent writes and a reopen, leaving no temporary files', async () => {
    const journal = await RunJournal.open(dir, 'file:///archive');
    const days = [...eachDay('2026-11-01', '2026-11-20')];
    await Promise.all(
      days.map((d, i) =>
        i % 2
          ? journal.recordArchived(d, i, new Date(NOW))
          : journal.recordFailure(d, 'GENESYS_UNAVAILABLE', 'down', new Date(NOW)),
      ),
    );
    const reopened = await RunJournal.open(dir, 'file:///archive');
    expect(reopened.warning).toBeNull();
    expect(days.map((d, i) => (i % 2 ? reopened.day(d)?.events : reopened.day(d)?.failure?.code))).toEqual(
      days.map((_, i) => (i % 2 ? i : 'GENESYS_UNAVAILABLE')),
    );
    expect(await readdir(dir)).toEqual([basename(journal.path)]);
  });

  it('a damaged run journal is started afresh with a warning, never a crash', async () => {
    const first = await RunJournal.open(dir, 'file:///a');
    await first.recordArchived('2026-11-20', 5, new Date(NOW));
    await writeFile(first.path, '{not json');
    const reopened = await RunJournal.open(dir, 'file:///a');
    expect(reopened.warning).toMatch(/not valid JSON/);
    expect(reopened.day('2026-11-20')).toBeUndefined();
    const other = await RunJournal.open(dir, 'file:///b');
    expect(other.path).not.toBe(first.path);
  });
});
