/** A finished verification says what passed, and keeps known, accepted gaps apart from new problems. */
import { describe, expect, it } from 'vitest';
import type { JobState } from '../../../shared/archive-jobs';
import type { DayStatus } from '../../../shared/day-status';
import { knownFactsText, verifyOutcome } from '../../../renderer/jobs/verify-outcome';

function verifyJob(problems: NonNullable<JobState['problems']>): JobState {
  return {
    id: 'j1',
    kind: 'verify',
    origin: 'officer',
    phase: 'done',
    startedAt: '2026-03-20T10:00:00.000Z',
    finishedAt: '2026-03-20T10:00:05.000Z',
    range: { from: '2026-03-01', to: '2026-03-05' },
    full: true,
    days: { total: 0, done: 0, failed: 0, notStarted: 0 },
    inFlight: [],
    events: 0,
    bytes: 0,
    elapsedMs: 5000,
    etaMs: null,
    waitingFor: null,
    rateLimitedUntil: null,
    verify: null,
    failures: [],
    problems,
    error: null,
    summary: 'Verified 2026-03-01 to 2026-03-05: 2 problem(s) on 2 day(s).',
  };
}

const calendar: DayStatus[] = [
  { day: '2026-03-01', state: 'unrecoverable' },
  { day: '2026-03-02', state: 'archived', events: 3 },
  { day: '2026-03-03', state: 'archived', events: 3 },
  { day: '2026-03-04', state: 'tampered', events: 3, error: 'hash-mismatch' },
  { day: '2026-03-05', state: 'archived', events: 3 },
];

describe('a verification beside the calendar', () => {
  it('with only known gaps, says how many days passed and that nothing is new', () => {
    const o = verifyOutcome(
      verifyJob({ total: 1, failing: 1, listed: [{ day: '2026-03-01', kind: 'day-missing', detail: 'no manifest' }] }),
      calendar.map((d) => (d.state === 'tampered' ? { ...d, state: 'archived' } : d)),
    );
    expect(o?.headline).toBe('Verified 2026-03-01 to 2026-03-05: 4 archived days passed; no new problem.');
    expect(o?.alarm).toBe(false);
    expect(o?.fresh).toEqual([]);
    expect(knownFactsText(o!.known)).toBe(
      '1 day older than Genesys keeps was never archived (unrecoverable on the calendar): known and accepted, not new.',
    );
  });

  it('with a changed day, names it as new, apart from the known gap', () => {
    const o = verifyOutcome(
      verifyJob({
        total: 2,
        failing: 2,
        listed: [
          { day: '2026-03-01', kind: 'day-missing', detail: 'no manifest' },
          { day: '2026-03-04', kind: 'hash-mismatch', key: 'k', detail: 'changed' },
        ],
      }),
      calendar,
    );
    expect(o?.headline).toBe('Verified 2026-03-01 to 2026-03-05: 3 archived days passed; 1 new problem on 1 day.');
    expect(o?.alarm).toBe(true);
    expect(o?.fresh.map((p) => p.kind)).toEqual(['hash-mismatch']);
    expect(o?.known.map((p) => p.day)).toEqual(['2026-03-01']);
  });
});
