/**
 * The run journal is bookkeeping: it never fails the work it records, and it stays small whatever a
 * verification finds, so every later status stays quick.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manifestKey } from '../../../shared/archive-layout';
import { addDays, eachDay, type Day } from '../../../shared/day';
import type { VerifyProblem } from '../../../shared/verify';
import type { Assessment, ChainManifest, DayEvidence } from '../../../main/engine/archive/assessment';
import type { ArchiveManifest } from '../../../shared/manifest';
import { JOURNAL_LIMITS, journalPath, RunJournal } from '../../../main/engine/archive/run-journal';
import { computeDayStatuses } from '../../../main/engine/archive/status';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');
const ARCHIVE = 'file:///srv/audit-archive';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The archive as assessed, with one manifest on the chain for each of `days`. */
function archivedDays(days: Day[]): Assessment {
  const chain: ChainManifest[] = days.map((day, i) => ({
    key: manifestKey('', day, i + 1),
    versionId: null,
    sha256: '0'.repeat(64),
    manifest: { day, sequence: i + 1, dayEventsTotal: 1 } as ArchiveManifest,
  }));
  const byDay = new Map<Day, DayEvidence>(
    chain.map((c) => [c.manifest.day, { day: c.manifest.day, manifests: [c], problems: [] }]),
  );
  return {
    root: { status: 'absent' },
    head: null,
    chain,
    keys: { epochs: [], current: null, nextIndex: 1 },
    days: byDay,
    problems: [],
    hasContent: true,
    nextPart: () => 1,
  };
}

describe('a verification that finds a great many problems', () => {
  // A verify over a huge range: a missing day for every day since 1760, and a tampered month with
  // a hundred damaged objects a day. 100,000 problems in all.
  const tampered = [...eachDay('2026-10-01', '2026-10-30')];
  const missing = [...eachDay('1760-01-01', '2026-12-31')]
    .filter((d) => !tampered.includes(d))
    .slice(0, 100_000 - tampered.length * 100);
  const problems: VerifyProblem[] = [
    ...missing.map((day) => ({
      day,
      kind: 'day-missing' as const,
      detail: `No manifest for ${day}: the day was never archived or its manifests are gone. Run catch-up while Genesys still holds it.`,
    })),
    ...tampered.flatMap((day) =>
      Array.from({ length: 100 }, (_, i) => ({
        day,
        kind: 'hash-mismatch' as const,
        key: `audit-logs/${day.replaceAll('-', '/')}/events-${String(i + 1).padStart(4, '0')}.jsonl.gz`,
        detail: 'The SHA-256 differs from the manifest.',
      })),
    ),
  ].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));

  it('keeps a bounded file that still marks every tampered day, and counts what it left out', async () => {
    expect(problems).toHaveLength(100_000);
    const journal = await RunJournal.open(dir, ARCHIVE);
    await journal.recordVerify(problems, { from: null, to: null }, new Date(NOW));

    expect((await stat(journal.path)).size).toBeLessThan(1_000_000);
    const reopened = await RunJournal.open(dir, ARCHIVE);
    expect(reopened.warning).toBeNull();
    const kept = reopened.lastVerify?.problems ?? [];
    expect(kept.length).toBeLessThanOrEqual(JOURNAL_LIMITS.problems);
    expect(reopened.lastVerify?.omitted).toBe(100_000 - kept.length);
    for (const day of tampered) {
      expect(reopened.verifyProblems(day).length).toBeLessThanOrEqual(JOURNAL_LIMITS.problemsPerDay);
      expect(reopened.verifyProblems(day)[0]?.kind).toBe('hash-mismatch');
    }

    const calendar = computeDayStatuses({
      assessment: archivedDays(tampered),
      from: tampered[0] as Day,
      to: tampered.at(-1) as Day,
      now: NOW,
      settlementMinutes: 120,
      genesysRetentionDays: 365,
      journal: reopened,
    });
    expect(calendar.every((d) => d.state === 'tampered')).toBe(true);
  });

  it('a journal written before the bounds existed is bounded when it is opened', async () => {
    const path = journalPath(dir, ARCHIVE);
    await mkdir(dirname(path), { recursive: true });
    const old = {
      format: 'audit-archive/run-journal@1',
      archive: ARCHIVE,
      days: {},
      verify: { at: new Date(NOW).toISOString(), from: null, to: null, problems: problems.slice(-40_000) },
      catchUp: null,
    };
    await writeFile(path, JSON.stringify(old));
    expect((await stat(path)).size).toBeGreaterThan(5_000_000);
    const journal = await RunJournal.open(dir, ARCHIVE);
    expect(journal.warning).toBeNull();
    expect(journal.lastVerify?.problems.length).toBeLessThanOrEqual(JOURNAL_LIMITS.problems);
    expect(journal.verifyProblems('2026-10-15')[0]?.kind).toBe('hash-mismatch');

    await journal.recordArchived('2026-11-27', 12, new Date(NOW));
    expect((await stat(path)).size).toBeLessThan(1_000_000);
  });

  it('a verification of one month keeps the findings of another, and one of the whole archive starts the count afresh', async () => {
    const journal = await RunJournal.open(dir, ARCHIVE);
    await journal.recordVerify(problems, { from: null, to: null }, new Date(NOW));
    await journal.recordVerify([], { from: '2026-11-01', to: '2026-11-30' }, new Date(NOW));
    expect(journal.verifyProblems('2026-10-15')[0]?.kind).toBe('hash-mismatch');
    expect(journal.lastVerify?.omitted).toBeGreaterThan(0);

    await journal.recordVerify(
      [{ day: '2026-10-15', kind: 'orphan', key: 'k', detail: 'left by an interrupted run' }],
      { from: null, to: null },
      new Date(NOW),
    );
    expect(journal.lastVerify).toMatchObject({ omitted: 0, problems: [{ day: '2026-10-15', kind: 'orphan' }] });
    expect(journal.verifyProblems('2026-10-16')).toEqual([]);
  });

  it('a failure message of any length is kept short', async () => {
    const journal = await RunJournal.open(dir, ARCHIVE);
    await journal.recordFailure('2026-11-20', 'GENESYS_QUERY_FAILED', 'x'.repeat(100_000), new Date(NOW));
    const reopened = await RunJournal.open(dir, ARCHIVE);
    expect(reopened.day('2026-11-20')?.failure?.message.length).toBeLessThanOrEqual(JOURNAL_LIMITS.text);
  });
});

describe('a journal file that cannot be used', () => {
  it('holding a day that does not exist is started afresh with a warning, like any damaged journal', async () => {
    const first = await RunJournal.open(dir, ARCHIVE);
    await first.recordArchived('2026-11-20', 5, new Date(NOW));
    const file = JSON.parse(await readFile(first.path, 'utf8')) as { days: Record<string, unknown> };
    file.days['2026-13-45'] = { events: 1 };
    await writeFile(first.path, JSON.stringify(file));

    const reopened = await RunJournal.open(dir, ARCHIVE);
    expect(reopened.warning).toBe(
      `The run journal ${first.path} is not in the expected format; error history starts afresh (the archive itself is unaffected).`,
    );
    expect(reopened.warnings).toEqual([reopened.warning]);
    expect(reopened.day('2026-11-20')).toBeUndefined();

    await reopened.recordArchived('2026-11-21', 7, new Date(NOW));
    expect((await RunJournal.open(dir, ARCHIVE)).warning).toBeNull();
  });

  it('a named pipe in its place is never opened: the journal starts afresh, saying so, and a file replaces it at the next write', async () => {
    const path = journalPath(dir, ARCHIVE);
    await mkdir(dirname(path), { recursive: true });
    execFileSync('mkfifo', [path]);

    const opened = await RunJournal.open(dir, ARCHIVE);
    expect(opened.warning).toBe(
      `The run journal ${path} is a named pipe (FIFO), not a file, so it is not read and is replaced at the next write; error history starts afresh (the archive itself is unaffected).`,
    );
    await opened.recordArchived('2026-11-21', 7, new Date(NOW));
    expect((await stat(path)).isFile()).toBe(true);
    expect((await RunJournal.open(dir, ARCHIVE)).day('2026-11-21')).toMatchObject({ events: 7 });
  });

  it('too large to be a bounded journal is not even read, and is replaced at the next write', async () => {
    const path = journalPath(dir, ARCHIVE);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '');
    await truncate(path, JOURNAL_LIMITS.fileBytes + 1);
    const journal = await RunJournal.open(dir, ARCHIVE);
    expect(journal.warning).toMatch(/is too large \(16 MB;.*replaced at the next write/);
    await journal.recordArchived('2026-11-27', 3, new Date(NOW));
    expect((await stat(path)).size).toBeLessThan(1000);
  });
});

describe('a state folder that cannot be written', () => {
  it('never fails a write: one warning says which file and why, and the next good write stores everything', async () => {
    // A path through a file cannot be created by anyone, root included.
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, '');
    const stateDir = join(blocker, 'state');
    const journal = await RunJournal.open(stateDir, ARCHIVE);
    const heard: string[] = [];
    journal.onWarning((w) => heard.push(w));

    await expect(journal.recordArchived('2026-11-25', 10, new Date(NOW))).resolves.toBeUndefined();
    await expect(
      journal.recordFailure('2026-11-26', 'GENESYS_UNAVAILABLE', 'down', new Date(NOW)),
    ).resolves.toBeUndefined();
    await expect(journal.recordVerify([], { from: null, to: null }, new Date(NOW))).resolves.toBeUndefined();
    await journal.startCatchUp(['2026-11-27'], new Date(NOW));
    await journal.catchUpDayFinished('2026-11-27', 'done');
    await journal.finishCatchUp();

    expect(heard).toEqual([
      expect.stringMatching(
        new RegExp(
          `^The run journal ${journal.path} could not be written \\((ENOTDIR|EEXIST): .*\\): the archive itself is unaffected`,
        ),
      ),
    ]);
    expect(journal.warnings.filter((w) => w.includes('could not be written'))).toEqual(heard);
    expect(journal.day('2026-11-25')?.events).toBe(10);

    await rm(blocker);
    await journal.recordEventCounts(new Map([[addDays('2026-11-25', 2), 4]]));
    const reopened = await RunJournal.open(stateDir, ARCHIVE);
    expect(reopened.day('2026-11-25')?.events).toBe(10);
    expect(reopened.day('2026-11-26')?.failure?.code).toBe('GENESYS_UNAVAILABLE');
    expect(reopened.day('2026-11-27')?.events).toBe(4);
  });
});

describe('a catch-up recording many days at once', () => {
  it('has each record on disk once it resolves, whatever else is being written meanwhile, and loses none', async () => {
    const journal = await RunJournal.open(dir, ARCHIVE);
    const days = [...eachDay('2026-01-01', '2026-03-31')];
    await journal.startCatchUp(days, new Date(NOW));
    await Promise.all(
      days.map(async (day, i) => {
        await journal.recordArchived(day, i + 1, new Date(NOW));
        // Read from disk, as the next start of the app would.
        expect((await RunJournal.open(dir, ARCHIVE)).day(day)?.events).toBe(i + 1);
        await journal.catchUpDayFinished(day, 'done');
      }),
    );
    const reopened = await RunJournal.open(dir, ARCHIVE);
    expect(days.map((d) => reopened.day(d)?.events)).toEqual(days.map((_, i) => i + 1));
    expect([...(reopened.catchUp?.done ?? [])].sort()).toEqual(days);
  });
});
