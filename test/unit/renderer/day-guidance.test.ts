/** A day that is not simply archived tells the officer what happened, what it means and what to do. */
import { describe, expect, it } from 'vitest';
import type { DayDetails } from '../../../shared/day-details';
import { dayGuidance, findingDetail } from '../../../renderer/calendar/day-guidance';

function details(status: DayDetails['status'], problems: DayDetails['problems'] = []): DayDetails {
  return {
    status,
    manifests: [],
    problems,
    history: [],
    lastVerification: null,
    holds: [],
    actions: { export: false, reconcile: false, verify: true },
  };
}

describe('day guidance', () => {
  it('a tampered day says what verify found in words, what it means for the evidence, and to keep it, report it and tell people', () => {
    const g = dayGuidance(
      details({ day: '2026-03-14', state: 'tampered', events: 40, error: 'hash-mismatch …' }, [
        { day: '2026-03-14', kind: 'hash-mismatch', key: 'audit-logs/x.ndjson.gz', detail: 'x' },
      ]),
      365,
    );
    expect(g?.title).toBe('This day was changed after it was archived');
    expect(g?.happened).toContain('no longer has the bytes its manifest recorded');
    expect(g?.meaning).toContain('can no longer be relied on');
    expect(g?.steps.map((s) => s.split(':')[0])).toEqual([
      'Keep the evidence',
      "Export this day's report (Reports, period this day to this day) to record the finding, signed with the archive's key.",
      'Tell your information-security team and your compliance lead now, with the day, the file and the finding; they decide whether the regulator must be told.',
      'Verify this day again in full once the storage has been investigated, to record what it shows then.',
    ]);
  });

  it('a day whose files match their signed manifests but repeat an event is not called changed: its words say who could have written it', () => {
    const day = '2026-03-14';
    const g = dayGuidance(
      details({ day, state: 'tampered', events: 40, error: 'event-duplicated …' }, [
        { day, kind: 'event-duplicated', key: 'audit-logs/x.ndjson.gz', detail: 'x' },
        { day, kind: 'event-invalid', key: 'audit-logs/x.ndjson.gz', detail: 'y' },
        { day, kind: 'orphan', key: 'audit-logs/y.ndjson.gz', detail: 'z' },
      ]),
      365,
    );
    expect(g?.title).toBe("This day's archived events are not each there once");
    expect(g?.happened).toBe(
      "Verification read every event of the day and found that an event is in the day's files more than once; a line of the day's files is not an audit event of this day (not JSON, not an event, or dated another day).",
    );
    expect(g?.meaning).toContain(
      'written this way by whoever held that key: a fault in the exporter, or someone else who has the key',
    );
    expect(g?.steps[0]).toContain('name each file and line');
    // With a changed file beside it, the day was changed after it was archived: both are said.
    const mixed = dayGuidance(
      details({ day, state: 'tampered', events: 40, error: 'event-duplicated …' }, [
        { day, kind: 'event-duplicated', key: 'audit-logs/x.ndjson.gz', detail: 'x' },
        { day, kind: 'lock-not-in-force', key: 'audit-logs/x.ndjson.gz', detail: 'x' },
      ]),
      365,
    );
    expect(mixed?.title).toBe('This day was changed after it was archived');
    expect(mixed?.happened).toContain("an event is in the day's files more than once");
  });

  it('a failed day says until when Genesys still holds it; an unrecoverable one that it is a known gap; an archived one needs nothing', () => {
    expect(
      dayGuidance(details({ day: '2026-03-14', state: 'failed', error: 'GENESYS_UNAVAILABLE' }), 365)?.meaning,
    ).toContain('until 2027-03-14 (UTC)');
    expect(dayGuidance(details({ day: '2024-01-01', state: 'unrecoverable' }), 365)?.meaning).toContain(
      'known, accepted gap',
    );
    expect(dayGuidance(details({ day: '2026-03-14', state: 'archived', events: 3 }), 365)).toBeNull();
  });

  it('an event count of -1 (bytes that are not gzip) is said in words', () => {
    expect(findingDetail('a does not match b: SHA-256 x (recorded y), -1 events (recorded 142).')).toBe(
      'a does not match b: SHA-256 x (recorded y), events could not be counted: the file is no longer valid gzip (recorded 142 events).',
    );
  });
});
