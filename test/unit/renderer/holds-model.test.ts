/**
 * The Legal holds page's model (renderer/holds/holds-model.ts): a local folder says why it cannot
 * hold anything and lists nothing; an S3 archive with no matter says so; each matter shows its days
 * counted against the archive (those still to come, not archived and shared only when there are
 * some) and each period's words with a link to its first day on the calendar; records that do not
 * count are named; what the answer's bounds left out is said, never dropped silently.
 */
import { describe, expect, it } from 'vitest';
import { HoldListSchema, type HoldList, type ListedMatterView } from '../../../shared/holds/hold-contract';
import { dayInRoute, routeFromHash } from '../../../renderer/app/routes';
import { dayFacts, holdsPage, periodText } from '../../../renderer/holds/holds-model';

const NONE = { count: 0, first: null, last: null };
const S3 = 's3://audit/genesys';

const sec: ListedMatterView = {
  matter: 'SEC inquiry HO-1234',
  periods: [
    {
      from: '2026-03-01',
      to: '2026-03-31',
      reference: 'HO-1234',
      reason: 'subpoena of 2026-11-02',
      by: 'Dana Officer',
      placedAt: '2026-11-03T09:00:00.000Z',
    },
  ],
  periodsTotal: 1,
  archived: { count: 31, first: '2026-03-01', last: '2026-03-31' },
  later: NONE,
  notArchived: NONE,
  shared: NONE,
};

const litigation: ListedMatterView = {
  matter: 'Litigation B',
  periods: [
    {
      from: '2026-03-31',
      to: '2026-04-02',
      reference: '',
      reason: '',
      by: 'Counsel',
      placedAt: '2026-11-04T10:00:00.000Z',
    },
    {
      from: '2026-04-02',
      to: '2026-04-02',
      reference: 'B-2',
      reason: '',
      by: 'Counsel',
      placedAt: '2026-11-05T10:00:00.000Z',
    },
  ],
  periodsTotal: 2,
  archived: { count: 1, first: '2026-03-31', last: '2026-03-31' },
  later: { count: 1, first: '2026-04-02', last: '2026-04-02' },
  notArchived: { count: 1, first: '2026-04-01', last: '2026-04-01' },
  shared: { count: 1, first: '2026-03-31', last: '2026-03-31' },
};

const list = (over: Partial<HoldList>): HoldList =>
  HoldListSchema.parse({
    archiveTarget: S3,
    refusal: null,
    matters: [],
    mattersTotal: 0,
    invalidRecords: [],
    invalidRecordsTotal: 0,
    ...over,
  });

describe('the Legal holds page', () => {
  it("says a local folder cannot hold anything, in the engine's words, and lists nothing", () => {
    const refusal =
      'file:///srv/archive is a local folder: it cannot enforce a legal hold (anyone who can write the folder can delete a file), so the product does not pretend to place one. Holds need S3 Object Lock storage.';
    expect(holdsPage(list({ archiveTarget: 'file:///srv/archive', refusal }))).toEqual({
      kind: 'cannot-hold',
      title: 'This archive cannot hold records under a legal hold.',
      detail: refusal,
    });
  });

  it('says no matter holds anything in an S3 archive without holds, and where the list comes from', () => {
    const page = holdsPage(list({}));
    if (page.kind !== 'list') throw new Error('expected a list');
    expect(page.empty).toBe(`No matter holds any day of ${S3} now.`);
    expect(page.matters).toEqual([]);
    expect(page.invalid).toBeNull();
    expect(page.intro).toContain(`Every matter holding days of ${S3} now, read from the archive's signed hold records`);
    expect(page.intro).toContain('signed by one of its keys');
  });

  it("shows each matter's periods with their words, and a link to each period's first day on the calendar", () => {
    const page = holdsPage(list({ matters: [litigation, sec], mattersTotal: 2 }));
    if (page.kind !== 'list') throw new Error('expected a list');
    expect(page.empty).toBeNull();
    expect(page.matters.map((m) => m.matter)).toEqual(['Litigation B', 'SEC inquiry HO-1234']);
    const [first, second] = page.matters[0]!.periods;
    expect(first).toMatchObject({
      period: '2026-03-31 to 2026-04-02',
      reference: 'none given',
      reason: 'none given',
      by: 'Counsel',
      calendarLink: 'Open 2026-03-31 on the calendar',
    });
    expect(second?.period).toBe('2026-04-02');
    expect(routeFromHash(first!.calendarHref)).toBe('calendar');
    expect(dayInRoute(first!.calendarHref)).toBe('2026-03-31');
    expect(page.matters[1]!.periods[0]).toMatchObject({ reference: 'HO-1234', reason: 'subpoena of 2026-11-02' });
    expect(page.moreMatters).toBeNull();
  });

  it('counts the archived days held always, and the days still to come, not archived or shared only when there are some', () => {
    expect(dayFacts(sec)).toEqual([
      { term: 'Archived days held', value: '31 archived day(s) (2026-03-01 to 2026-03-31)' },
    ]);
    expect(dayFacts(litigation)).toEqual([
      { term: 'Archived days held', value: '1 archived day(s) (2026-03-31)' },
      { term: 'Days still to come', value: '1 later day(s) (2026-04-02): held as they are archived' },
      {
        term: 'Days not archived',
        value: '1 day(s) (2026-04-01): not in the archive, so there is nothing of them to hold',
      },
      {
        term: 'Also held by another matter',
        value: '1 day(s) (2026-03-31): they stay held when this matter is released',
      },
    ]);
    expect(dayFacts({ ...sec, archived: NONE, later: litigation.later })[0]).toEqual({
      term: 'Archived days held',
      value: 'no archived day',
    });
  });

  it('names the records that do not count, and says what the bounds left out', () => {
    const page = holdsPage(
      list({
        matters: [{ ...sec, periodsTotal: 250 }],
        mattersTotal: 1204,
        invalidRecords: [
          {
            key: 'genesys/holds/000002.json',
            detail:
              "genesys/holds/000002.json is not signed by any of the archive's keys: it places or releases nothing.",
          },
          { key: 'genesys/holds/000009.json', detail: 'A rewritten record.' },
        ],
        invalidRecordsTotal: 2,
      }),
    );
    if (page.kind !== 'list') throw new Error('expected a list');
    expect(page.invalid).toEqual({
      headline: '2 records under holds/ do not count as a legal hold (not shown as holds; verify names them)',
      records: [
        "genesys/holds/000002.json is not signed by any of the archive's keys: it places or releases nothing.",
        'genesys/holds/000009.json: A rewritten record.',
      ],
      more: null,
    });
    expect(page.moreMatters).toBe('Shown: the first 1 of 1,204 matters; audit-archive hold list lists them all.');
    expect(page.matters[0]!.morePeriods).toBe(
      'Shown: the first 1 of 250 periods of this matter; audit-archive hold list lists them all.',
    );
  });

  it('writes a one-day period as its day', () => {
    expect(periodText('2026-03-02', '2026-03-02')).toBe('2026-03-02');
    expect(periodText('2026-03-02', '2026-03-04')).toBe('2026-03-02 to 2026-03-04');
  });
});
