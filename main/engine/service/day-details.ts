/**
 * One day's evidence for the calendar's day panel, read the way the calendar and verify judge the
 * archive (the same assessment), plus what only this installation knows (the run journal: failed
 * attempts, the last verification), and the matters holding it under a legal hold (day-holds.ts).
 */
import type { Day } from '../../../shared/day';
import { DAY_OBJECTS_LIMIT, type DayDetails, type DayHistoryEntry } from '../../../shared/day-details';
import { calendarRulesOf } from '../../../shared/settings';
import type { VerifyProblem } from '../../../shared/verify';
import type { ArchiveSession } from '../archive/archive-session';
import { computeDayStatuses } from '../archive/status';
import { dayCopyOf } from './copy-check';
import { holdsOfDay, readSessionHolds, withHolds } from './day-holds';

type Assessed = Awaited<ReturnType<ArchiveSession['archive']['read']>>['assessment'];
type DayEvidence = NonNullable<ReturnType<Assessed['days']['get']>>;
type ChainEntry = DayEvidence['manifests'][number];
type Journal = ArchiveSession['journal'];

export async function readDayDetails(session: ArchiveSession, day: Day, now: number): Promise<DayDetails> {
  const { settings, journal } = session;
  const snapshot = await session.archive.read({ scope: 'layout' });
  const ledger = await readSessionHolds(session, snapshot.assessment);
  const [status] = withHolds(
    computeDayStatuses({
      assessment: snapshot.assessment,
      from: day,
      to: day,
      now,
      ...calendarRulesOf(settings),
      journal,
    }),
    ledger,
  );
  if (!status) throw new Error(`no status computed for ${day}`);
  const evidence = snapshot.assessment.days.get(day);
  const chain = evidence?.manifests ?? [];
  const archived = chain.length > 0;
  return {
    status,
    manifests: chain.map(manifestSummary),
    problems: dayProblems(evidence?.problems ?? [], journal, day),
    history: dayHistory(chain, journal, day),
    lastVerification: lastVerification(journal, day),
    holds: holdsOfDay(ledger, day),
    copy: dayCopyOf(settings, journal, day, chain.at(-1)?.manifest.createdAt ?? null),
    actions: {
      export: status.state === 'missing' || status.state === 'failed',
      reconcile: status.state === 'archived',
      verify: archived,
    },
  };
}

/** One manifest on the day's chain as the day panel shows it (its objects up to DAY_OBJECTS_LIMIT). */
function manifestSummary(c: ChainEntry): DayDetails['manifests'][number] {
  const m = c.manifest;
  return {
    key: c.key,
    versionId: c.versionId,
    sha256: c.sha256,
    sequence: m.sequence,
    kind: m.kind,
    createdAt: m.createdAt,
    events: m.events,
    dayEventsTotal: m.dayEventsTotal,
    duplicatesDropped: m.duplicatesDropped,
    firstEventDate: m.firstEventDate,
    lastEventDate: m.lastEventDate,
    queries: m.queries.length,
    source: {
      demo: m.source.demo,
      organisationId: m.source.organisationId,
      organisationName: m.source.organisationName,
      apiHost: m.source.apiHost,
      clientId: m.source.clientId,
    },
    objects: m.objects.slice(0, DAY_OBJECTS_LIMIT).map((o) => ({
      key: o.key,
      versionId: o.versionId,
      size: o.size,
      sha256: o.sha256,
      events: o.events,
      lockMode: o.lockMode,
      retainUntil: o.retainUntil,
    })),
    objectsTotal: m.objects.length,
  };
}

/**
 * The assessment's problems and the last verification's for the day, each once, at most 50. A
 * finding is one per kind and key, except the events a full verify names: several in one part are
 * several findings (main/engine/archive/verify/day-events.ts), and only verify makes them, so none is said twice.
 */
function dayProblems(assessed: readonly VerifyProblem[], journal: Journal, day: Day): VerifyProblem[] {
  const seen = new Set<string>();
  const problems: VerifyProblem[] = [];
  for (const p of [...assessed, ...journal.verifyProblems(day)]) {
    const perLine = p.kind === 'event-duplicated' || p.kind === 'event-invalid';
    const id = `${p.kind}\u0000${p.key ?? ''}${perLine ? `\u0000${p.detail}` : ''}`;
    if (seen.has(id) || problems.length >= 50) continue;
    seen.add(id);
    problems.push(p);
  }
  return problems;
}

/** Exports, reconciliations and the last failure, newest first (at most 100). */
function dayHistory(chain: readonly ChainEntry[], journal: Journal, day: Day): DayHistoryEntry[] {
  const history: DayHistoryEntry[] = chain.map((c) => ({
    at: c.manifest.createdAt,
    what: c.manifest.kind === 'reconcile' ? 'reconciled' : 'exported',
    detail:
      c.manifest.kind === 'reconcile'
        ? `Reconciled: ${c.manifest.events} late event(s) added (day total ${c.manifest.dayEventsTotal}), manifest ${c.manifest.sequence}.`
        : `Exported ${c.manifest.events} event(s) in ${c.manifest.objects.length} part(s), manifest ${c.manifest.sequence}.`,
  }));
  const failure = journal.day(day)?.failure;
  if (failure) history.push({ at: failure.at, what: 'failed', detail: `${failure.code}: ${failure.message}` });
  history.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return history.slice(0, 100);
}

/** The last verification, when its range covered the day. */
function lastVerification(journal: Journal, day: Day): DayDetails['lastVerification'] {
  const verified = journal.lastVerify;
  const covered =
    verified !== null &&
    (verified.from === null || verified.from <= day) &&
    (verified.to === null || verified.to >= day);
  return covered
    ? { at: verified.at, from: verified.from, to: verified.to, problems: journal.verifyProblems(day).length }
    : null;
}
