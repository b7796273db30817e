/**
 * Building `evidence.json` (and so the PDF's cover and Appendix A) from what the report found: the
 * archive as read at report time, the verification run over the period, the objects read back for
 * the events, and the cited results. The verdict is worded here, once, for the cover, the CLI and
 * the app alike.
 */
import { eachDay, type Day } from '../../../shared/day';
import {
  REDACTION_NOTE,
  REPORT_EVIDENCE_FORMAT,
  type DayEvidence,
  type ReportEvidence,
  type ResultEvidence,
} from '../../../shared/reports/report-evidence';
import type { ReportPeriod, ReportRequest } from '../../../shared/reports/report-request';
import { isFailingProblem, type VerifyProblem } from '../../../shared/verify';
import type { Assessment } from '../archive/assessment';
import type { VerifyResult } from '../archive/verify';
import { objectId, type ReadBack } from './event-lines';

export interface EvidenceInput {
  readonly reportId: string;
  readonly generatedAt: string;
  readonly toolVersion: string;
  readonly request: ReportRequest;
  readonly period: ReportPeriod;
  readonly archiveUrl: string;
  readonly assessment: Assessment;
  readonly results: readonly ResultEvidence[];
  readonly events: { count: number; notFound: ReadonlyArray<{ id: string; day: Day }>; files: string[] };
  /** Events of the report by the day they came from. */
  readonly citedByDay: ReadonlyMap<Day, number>;
  readonly verification: { result: VerifyResult; mode: 'full' | 'standard'; at: string };
  readonly readBack: ReadonlyMap<string, ReadBack>;
  readonly rightToLeft: boolean;
}

export function buildEvidence(input: EvidenceInput): ReportEvidence {
  const { assessment, period } = input;
  const root = assessment.root.status === 'ok' ? assessment.root : null;
  const problemsByDay = new Map<Day, VerifyProblem[]>();
  for (const p of input.verification.result.problems)
    if (p.day) problemsByDay.set(p.day, [...(problemsByDay.get(p.day) ?? []), p]);

  const days: DayEvidence[] = [];
  let manifests = 0;
  let objects = 0;
  let events = 0;
  let storedBytes = 0;
  for (const day of eachDay(period.from, period.to)) {
    const chain = assessment.days.get(day)?.manifests ?? [];
    manifests += chain.length;
    const dayEvents = chain.at(-1)?.manifest.dayEventsTotal ?? 0;
    events += dayEvents;
    days.push({
      day,
      manifests: chain.map((c) => ({
        key: c.key,
        versionId: c.versionId,
        sha256: c.sha256,
        sequence: c.manifest.sequence,
        kind: c.manifest.kind,
        createdAt: c.manifest.createdAt,
        events: c.manifest.events,
        dayEventsTotal: c.manifest.dayEventsTotal,
        objects: c.manifest.objects.map((o) => {
          objects += 1;
          storedBytes += o.size;
          return {
            key: o.key,
            versionId: o.versionId,
            sha256: o.sha256,
            sha256Raw: o.sha256Raw,
            size: o.size,
            events: o.events,
            lockMode: o.lockMode,
            retainUntil: o.retainUntil,
            readBack: input.readBack.get(objectId(o.key, o.versionId)) ?? null,
          };
        }),
      })),
      events: dayEvents,
      cited: input.citedByDay.get(day) ?? 0,
      problems: problemsByDay.get(day) ?? [],
    });
  }

  const v = input.verification.result;
  const readBacks = [...input.readBack.values()];
  const verification = {
    at: input.verification.at,
    mode: input.verification.mode,
    ok: v.ok,
    from: v.from,
    to: v.to,
    manifestsChecked: v.manifestsChecked,
    objectsChecked: v.objectsChecked,
    problems: v.problems,
    readBack: { objects: readBacks.length, matched: readBacks.filter((r) => r.matches).length },
  };
  const evidence: Omit<ReportEvidence, 'verdict'> = {
    format: REPORT_EVIDENCE_FORMAT,
    reportId: input.reportId,
    generatedAt: input.generatedAt,
    tool: { name: 'audit-archive', version: input.toolVersion },
    request: input.request,
    period,
    archive: {
      url: input.archiveUrl,
      archiveId: root?.root.archiveId ?? null,
      purpose: root?.root.purpose ?? null,
      organisation: root?.root.organisation ?? null,
      root: root ? { key: root.key, versionId: root.versionId, sha256: root.sha256 } : null,
      keyFingerprint: root?.root.signingKey.fingerprint ?? null,
      head: assessment.head,
    },
    results: [...input.results],
    events: {
      count: input.events.count,
      notFound: [...input.events.notFound],
      idsWithoutEvent: input.results.reduce((n, r) => n + (r.ids - r.eventsFound), 0),
      files: input.events.files,
    },
    population: {
      days: days.length,
      archivedDays: days.filter((d) => d.manifests.length > 0).length,
      manifests,
      objects,
      events,
      storedBytes,
    },
    days,
    verification,
    notes: { redaction: REDACTION_NOTE, rightToLeft: input.rightToLeft },
  };
  return { ...evidence, verdict: verdictOf(evidence) };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** The verdict in words: what the cover says first, and each finding that makes it fail. */
export function verdictOf(e: Omit<ReportEvidence, 'verdict'>): ReportEvidence['verdict'] {
  const findings: string[] = [];
  for (const p of e.verification.problems) {
    if (!isFailingProblem(p.kind)) continue;
    findings.push(`${p.day ?? 'The archive'}: ${p.kind}${p.key ? ` (${p.key})` : ''}. ${p.detail}`);
  }
  for (const d of e.days)
    for (const m of d.manifests)
      for (const o of m.objects)
        if (o.readBack && !o.readBack.matches)
          findings.push(
            `${d.day}: ${o.key}, read back at report time for the events taken from it, does not match its manifest (SHA-256 ${o.readBack.sha256 || 'unreadable'}, recorded ${o.sha256}; ${o.readBack.events} events, recorded ${o.events}). The events of this report from it are as the archive holds them now.`,
          );
  if (e.events.notFound.length > 0)
    findings.push(
      `${plural(e.events.notFound.length, 'cited event')} cannot be found in the archived objects of their day (${e.events.notFound
        .slice(0, 5)
        .map((x) => `${x.id} on ${x.day}`)
        .join(
          ', ',
        )}${e.events.notFound.length > 5 ? ', …' : ''}): the archive no longer holds what the query engine's verified copy held.`,
    );
  for (const r of e.results) {
    if (r.error)
      findings.push(`Result ${r.index} could not be run at report time: ${r.error.message} [${r.error.code}]`);
    else if (r.rerun && r.rerun.rowCount !== r.metadata.rowCount)
      findings.push(
        `Result ${r.index} returned ${plural(r.rerun.rowCount, 'row')} at report time, not the ${plural(r.metadata.rowCount, 'row')} it was cited with: the archive or the query's engine answers differently now.`,
      );
  }
  const ok = findings.length === 0;
  const p = e.population;
  // Standard mode hashes only the objects the events came from: the rest is not called unaltered.
  const unread = e.verification.mode === 'full' ? 0 : Math.max(0, p.objects - e.verification.readBack.objects);
  const headline = !ok
    ? `VERIFICATION FAILED: ${plural(findings.length, 'finding')} about the archive or the days this report draws on. The report shows the archive as it stands, but the archive does not prove it complete and unaltered:`
    : unread === 0
      ? `Verified: every archived day of the period (${plural(p.archivedDays, 'day')} of ${plural(p.days, 'day')}, ${plural(p.events, 'event')}) is complete and unaltered at ${e.verification.at}, and each of the ${plural(e.events.count, 'event')} in this report is exactly as archived.`
      : `Verified with the standard checks at ${e.verification.at}: every archived day of the period (${plural(p.archivedDays, 'day')} of ${plural(p.days, 'day')}, ${plural(p.events, 'event')}) is complete, signed and locked as its manifests record, and each of the ${plural(e.events.count, 'event')} in this report is exactly as archived (the ${plural(e.verification.readBack.objects, 'archived object')} they come from were hashed); the other ${plural(unread, 'archived object')} of the period were not read (their SHA-256 was not checked); audit-archive verify --full reads them.`;
  return { ok, headline, findings };
}
