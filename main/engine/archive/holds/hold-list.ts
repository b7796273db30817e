/**
 * The matters holding days now, as `audit-archive hold list` prints them and the app's Legal holds
 * page shows them: one read of the archive's layout and its hold ledger (hold-ledger.ts: only
 * records that pass their schema, canonical form, archive and signature checks count; every other
 * record under `holds/` is named, never shown as a hold), with the days each matter's periods
 * cover counted against the archive as read now.
 *
 * A local folder cannot enforce a hold: it lists nothing and says why (`holdRefusal`).
 */
import { eachDay, lastSettledDay, type Day } from '../../../../shared/day';
import { daySpan, type DaySpan } from '../../../../shared/holds/hold-contract';
import type { VerifyProblem } from '../../../../shared/verify';
import type { Archive } from '../archive';
import type { Assessment } from '../assessment';
import { readHoldLedger, type HeldMatter, type HoldLedger } from './hold-ledger';
import { isArchived } from './hold-versions';
import { holdRefusal } from './place-hold';

/** A matter holding days now, with the days its periods cover (each day once, however many periods cover it). */
export interface ListedMatter extends HeldMatter {
  /** Archived days: every version their manifests vouch for is held. */
  readonly archived: DaySpan;
  /** Days after the last settled day: held as they are archived. */
  readonly later: DaySpan;
  /** Settled days not archived: nothing of them is in the archive to hold. */
  readonly notArchived: DaySpan;
  /** Days another matter holds too: they stay held when this one is released. */
  readonly shared: DaySpan;
}

export interface HoldList {
  /** The archive read (`s3://bucket/prefix`, `file:///…`). */
  readonly archive: string;
  /** Why the archive cannot hold anything (a local folder); null when it can. */
  readonly refusal: string | null;
  /** Matters holding days now, in the order their first standing record was written. */
  readonly matters: readonly ListedMatter[];
  /** Records and keys under `holds/` that do not count, named (hold-ledger.ts). */
  readonly problems: readonly VerifyProblem[];
}

export interface HoldListOptions {
  /** Minutes after a UTC day's end before it is settled (the archive's setting): later days are still to come. */
  readonly settlementMinutes: number;
  readonly signal?: AbortSignal;
}

/** Every matter holding days of `archive` now, read from its signed hold records. */
export async function listHolds(archive: Archive, options: HoldListOptions): Promise<HoldList> {
  const store = archive.store;
  const refusal = holdRefusal(store);
  if (refusal !== null) return { archive: store.url, refusal, matters: [], problems: [] };
  const signal = options.signal ? { signal: options.signal } : {};
  const snapshot = await archive.read({ scope: 'layout', ...signal });
  const ledger = await readHoldLedger(store, snapshot.assessment, options.signal);
  const lastSettled = lastSettledDay((archive.options.now ?? Date.now)(), options.settlementMinutes);
  return {
    archive: store.url,
    refusal: null,
    matters: listedMatters(ledger, snapshot.assessment, lastSettled),
    problems: ledger.problems,
  };
}

/**
 * The ledger's matters with the days their periods cover counted against `assessment`: days after
 * `lastSettled` are still to come. No I/O.
 */
export function listedMatters(ledger: HoldLedger, assessment: Assessment, lastSettled: Day): ListedMatter[] {
  const matters = [...ledger.matters.values()].map((m) => ({ matter: m, covered: coveredDays(m) }));
  const holders = new Map<Day, number>();
  for (const { covered } of matters) for (const day of covered) holders.set(day, (holders.get(day) ?? 0) + 1);
  const judge = { assessment, lastSettled, holders };
  return matters.map(({ matter, covered }) => listedMatter(matter, covered, judge));
}

/** Every day a matter's periods cover, once each, in order. */
function coveredDays(matter: HeldMatter): Day[] {
  return [...new Set(matter.periods.flatMap((p) => [...eachDay(p.from, p.to)]))].sort();
}

/** The days a matter's periods cover, sorted into archived, still to come and not archived, and those shared. */
function listedMatter(
  matter: HeldMatter,
  covered: readonly Day[],
  judge: { assessment: Assessment; lastSettled: Day; holders: ReadonlyMap<Day, number> },
): ListedMatter {
  const { assessment, lastSettled, holders } = judge;
  const archived: Day[] = [];
  const later: Day[] = [];
  const notArchived: Day[] = [];
  for (const day of covered) {
    if (isArchived(assessment, day)) archived.push(day);
    else if (day > lastSettled) later.push(day);
    else notArchived.push(day);
  }
  const shared = covered.filter((d) => (holders.get(d) ?? 0) > 1);
  return {
    ...matter,
    archived: daySpan(archived),
    later: daySpan(later),
    notArchived: daySpan(notArchived),
    shared: daySpan(shared),
  };
}
