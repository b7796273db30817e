/**
 * The Legal holds page as pure functions (unit-tested in test/unit/renderer/holds-model.test.ts): from
 * the engine's list of the matters holding days now (`holds:list`, the list `audit-archive hold list`
 * prints), what the page says: why an archive cannot hold anything, that none holds anything, each
 * matter with its periods and the days they cover, the records that do not count, and what the
 * answer's bounds left out.
 */
import type { Day } from '../../shared/day';
import { invalidHoldRecordsHeadline } from '../../shared/discovery/answer-holds';
import type { DaySpan, HeldPeriodView, HoldList, ListedMatterView } from '../../shared/holds/hold-contract';
import { formatCount } from '../app/display-format';
import { calendarRouteFor } from '../app/routes';
import { spanText } from '../calendar/hold-forms-model';

export type HoldsPage =
  | { readonly kind: 'cannot-hold'; readonly title: string; readonly detail: string }
  | {
      readonly kind: 'list';
      readonly intro: string;
      /** Said when no matter holds anything. */
      readonly empty: string | null;
      readonly matters: readonly MatterCard[];
      /** Matters the answer left out, in words (null: none). */
      readonly moreMatters: string | null;
      readonly invalid: InvalidRecords | null;
    };

export interface MatterCard {
  readonly matter: string;
  /** The days its periods cover, one fact each (archived and held first). */
  readonly days: readonly { readonly term: string; readonly value: string }[];
  readonly periods: readonly PeriodCard[];
  /** Periods the answer left out, in words (null: none). */
  readonly morePeriods: string | null;
}

export interface PeriodCard {
  /** `2026-03-01 to 2026-03-31`, or the one day. */
  readonly period: string;
  readonly reference: string;
  readonly by: string;
  /** When it was placed (an instant, shown in local time by the page). */
  readonly placedAt: string;
  readonly reason: string;
  /** The calendar opened on the period's first day, and the link's words. */
  readonly calendarHref: string;
  readonly calendarLink: string;
}

export interface InvalidRecords {
  readonly headline: string;
  readonly records: readonly string[];
  readonly more: string | null;
}

const LIST_COMMAND = 'audit-archive hold list';

/** What the page shows for the engine's answer. */
export function holdsPage(list: HoldList): HoldsPage {
  if (list.refusal !== null)
    return { kind: 'cannot-hold', title: 'This archive cannot hold records under a legal hold.', detail: list.refusal };
  return {
    kind: 'list',
    intro: `Every matter holding days of ${list.archiveTarget} now, read from the archive's signed hold records, as ${LIST_COMMAND} prints them: a record counts only if it is in the form the archive writes, belongs to this archive and is signed by one of its keys. The records say which days are held; the legal hold of each object version enforces it, and Verify checks the two agree (it names a held version whose hold is off).`,
    empty: list.mattersTotal === 0 ? `No matter holds any day of ${list.archiveTarget} now.` : null,
    matters: list.matters.map(matterCard),
    moreMatters: left(list.matters.length, list.mattersTotal, 'matters'),
    invalid: invalidRecords(list),
  };
}

function matterCard(m: ListedMatterView): MatterCard {
  return {
    matter: m.matter,
    days: dayFacts(m),
    periods: m.periods.map(periodCard),
    morePeriods: left(m.periods.length, m.periodsTotal, 'periods of this matter'),
  };
}

/**
 * The days a matter's periods cover, counted against the archive: the archived days it holds
 * always, the others only when there are some.
 */
export function dayFacts(m: ListedMatterView): { term: string; value: string }[] {
  return [
    { term: 'Archived days held', value: spanText(m.archived, 'archived day') },
    ...fact(m.later, 'Days still to come', 'later day', 'held as they are archived'),
    ...fact(m.notArchived, 'Days not archived', 'day', 'not in the archive, so there is nothing of them to hold'),
    ...fact(m.shared, 'Also held by another matter', 'day', 'they stay held when this matter is released'),
  ];
}

function fact(span: DaySpan, term: string, noun: string, meaning: string) {
  return span.count > 0 ? [{ term, value: `${spanText(span, noun)}: ${meaning}` }] : [];
}

export function periodCard(p: HeldPeriodView): PeriodCard {
  const period = periodText(p.from, p.to);
  return {
    period,
    reference: p.reference || 'none given',
    by: p.by,
    placedAt: p.placedAt,
    reason: p.reason || 'none given',
    calendarHref: calendarRouteFor(p.from),
    calendarLink: `Open ${p.from} on the calendar`,
  };
}

/** `2026-03-01 to 2026-03-31`; a one-day period is its day. */
export function periodText(from: Day, to: Day): string {
  return from === to ? from : `${from} to ${to}`;
}

function invalidRecords(list: HoldList): InvalidRecords | null {
  if (list.invalidRecordsTotal === 0) return null;
  return {
    headline: invalidHoldRecordsHeadline(list.invalidRecordsTotal),
    records: list.invalidRecords.map((r) => (r.key && !r.detail.includes(r.key) ? `${r.key}: ${r.detail}` : r.detail)),
    more: left(list.invalidRecords.length, list.invalidRecordsTotal, 'records'),
  };
}

/** `Shown: the first 1,000 of 1,204 matters; audit-archive hold list lists them all.` */
function left(shown: number, total: number, what: string): string | null {
  if (shown >= total) return null;
  return `Shown: the first ${formatCount(shown)} of ${formatCount(total)} ${what}; ${LIST_COMMAND} lists them all.`;
}
