/**
 * One day's evidence for the calendar's day panel, read the way the calendar and verify judge the
 * archive (the same assessment), plus what only this installation knows (the run journal: failed
 * attempts, the last verification).
 */
import type { Day } from '../../../shared/day';
import { DAY_OBJECTS_LIMIT, type DayDetails, type DayHistoryEntry } from '../../../shared/day-details';
import { calendarRulesOf } from '../../../shared/settings';
import type { VerifyProblem } from '../../../shared/verify';
import type { ArchiveSession } from '../archive/archive-session';
import { computeDayStatuses } from '../archive/status';

export async function readDayDetails(session: ArchiveSession, day: Day, now: number): Promise<DayDetails> {
  const { settings, journal } = session;
  const snapshot = await session.archive.read({ scope: 'layout' });
  const [status] = computeDayStatuses({
    assessment: snapshot.assessment,
    from: day,
    to: day,
    now,
    ...calendarRulesOf(settings),
    journal,
  });
  if (!status) throw new Error(`no status computed for ${day}`);
  const evidence = snapshot.assessment.days.get(day);
  const chain = evidence?.manifests ?? [];

  const manifests: DayDetails['manifests'] = chain.map((c) => {
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
  });

  const seen = new Set<string>();
  const problems: VerifyProblem[] = [];
  for (const p of [...(evidence?.problems ?? []), ...journal.verifyProblems(day)]) {
    const id = `${p.kind}\u0000${p.key ?? ''}`;
    if (seen.has(id) || problems.length >= 50) continue;
    seen.add(id);
    problems.push(p);
  }

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

  const verified = journal.lastVerify;
  const covered =
    verified !== null &&
    (verified.from === null || verified.from <= day) &&
    (verified.to === null || verified.to >= day);
  const archived = chain.length > 0;
  return {
    status,
    manifests,
    problems,
    history: history.slice(0, 100),
    lastVerification: covered
      ? { at: verified.at, from: verified.from, to: verified.to, problems: journal.verifyProblems(day).length }
      : null,
    actions: {
      export: status.state === 'missing' || status.state === 'failed',
      reconcile: status.state === 'archived',
      verify: archived,
    },
  };
}
