/**
 * Building `evidence.json` (and so the PDF's cover and Appendix A) from what the report found: the
 * archive as its verification read it at report time, the verification run over the period, the
 * objects read back for the events, the cited results and how their rows were checked, the days
 * not archived, and what the bundle holds to prove itself. The verdict is worded here, once, for
 * the cover, the CLI and the app alike; each finding is said once.
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
import { count as plural } from '../../../shared/reports/report-words';
import { isFailingProblem } from '../../../shared/verify';
import type { Assessment } from '../archive/assessment';
import type { CopyCheckResult } from '../archive/copy/verify-copy';
import type { KeyHistory } from '../archive/key-succession';
import type { VerifyResult } from '../archive/verify';

interface EvidenceInput {
  readonly reportId: string;
  readonly generatedAt: string;
  readonly clock: ReportEvidence['clock'];
  readonly toolVersion: string;
  readonly request: ReportRequest;
  readonly period: ReportPeriod;
  readonly archiveUrl: string;
  readonly storage: ReportEvidence['archive']['storage'];
  /** The archive as the report's verification read it. */
  readonly assessment: Assessment;
  readonly results: readonly ResultEvidence[];
  readonly events: { count: number; notFound: ReadonlyArray<{ id: string; day: Day }>; files: string[] };
  /** Events of the report by the day they came from. */
  readonly citedByDay: ReadonlyMap<Day, number>;
  readonly verification: {
    result: VerifyResult;
    mode: 'full' | 'standard';
    at: string;
    secondCopy?: { at: string; result: CopyCheckResult };
  };
  readonly signature: ReportEvidence['signature'];
  readonly bundle: ReportEvidence['bundle'];
  readonly gaps: ReportEvidence['gaps'];
  readonly citedObjects: ReportEvidence['citedObjects'];
  readonly engineDays: ReportEvidence['engineDays'];
  /** Findings made while writing the bundle (an archive file that changed while the report was made). */
  readonly bundleFindings: readonly string[];
  readonly rightToLeft: boolean;
}

function daysOf(input: EvidenceInput): { days: DayEvidence[]; population: ReportEvidence['population'] } {
  const problemsByDay = new Map<Day, VerifyResult['problems']>();
  for (const p of input.verification.result.problems)
    if (p.day) problemsByDay.set(p.day, [...(problemsByDay.get(p.day) ?? []), p]);
  const days: DayEvidence[] = [];
  const population = { days: 0, archivedDays: 0, manifests: 0, objects: 0, events: 0, storedBytes: 0 };
  for (const day of eachDay(input.period.from, input.period.to)) {
    const chain = input.assessment.days.get(day)?.manifests ?? [];
    const dayEvents = chain.at(-1)?.manifest.dayEventsTotal ?? 0;
    population.days += 1;
    population.archivedDays += chain.length > 0 ? 1 : 0;
    population.manifests += chain.length;
    population.events += dayEvents;
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
          population.objects += 1;
          population.storedBytes += o.size;
          const { key, versionId, sha256, sha256Raw, size, events, lockMode, retainUntil } = o;
          return { key, versionId, sha256, sha256Raw, size, events, lockMode, retainUntil };
        }),
      })),
      events: dayEvents,
      cited: input.citedByDay.get(day) ?? 0,
      problems: problemsByDay.get(day) ?? [],
    });
  }
  return { days, population };
}

function archiveOf(input: EvidenceInput): ReportEvidence['archive'] {
  const { assessment } = input;
  const root = assessment.root.status === 'ok' ? assessment.root : null;
  return {
    url: input.archiveUrl,
    archiveId: root?.root.archiveId ?? null,
    purpose: root?.root.purpose ?? null,
    organisation: root?.root.organisation ?? null,
    root: root ? { key: root.key, versionId: root.versionId, sha256: root.sha256 } : null,
    keyFingerprint: assessment.keys.current?.fingerprint ?? null,
    keys: keysOf(assessment.keys),
    head: assessment.head,
    storage: input.storage,
  };
}

/** The archive's keys, oldest first, each with the key-succession record that brought it in. */
export function keysOf(history: KeyHistory): ReportEvidence['archive']['keys'] {
  return history.epochs.map((e) => ({
    fingerprint: e.fingerprint,
    via: e.via,
    afterSequence: e.afterSequence,
    record: e.record?.key ?? null,
    changedAt: e.record?.record.createdAt ?? null,
  }));
}

export function buildEvidence(input: EvidenceInput): ReportEvidence {
  const { days, population } = daysOf(input);
  const v = input.verification.result;
  const evidence: Omit<ReportEvidence, 'verdict'> = {
    format: REPORT_EVIDENCE_FORMAT,
    reportId: input.reportId,
    generatedAt: input.generatedAt,
    clock: input.clock,
    tool: { name: 'audit-archive', version: input.toolVersion },
    request: input.request,
    period: input.period,
    archive: archiveOf(input),
    signature: input.signature,
    bundle: input.bundle,
    gaps: input.gaps,
    ...(v.holds?.length
      ? { holds: v.holds.map(({ matter, from, to, reference }) => ({ matter, from, to, reference })) }
      : {}),
    ...secondCopyOf(input.verification.secondCopy),
    citedObjects: input.citedObjects,
    engineDays: input.engineDays,
    results: [...input.results],
    events: {
      count: input.events.count,
      notFound: [...input.events.notFound],
      idsWithoutEvent: input.results.reduce((n, r) => n + (r.ids - r.eventsFound), 0),
      files: input.events.files,
    },
    population,
    days,
    verification: {
      at: input.verification.at,
      mode: input.verification.mode,
      ok: v.ok,
      from: v.from,
      to: v.to,
      manifestsChecked: v.manifestsChecked,
      objectsChecked: v.objectsChecked,
      problems: v.problems,
      readBack: {
        objects: input.citedObjects.length,
        matched: input.citedObjects.filter((o) => o.matches).length,
      },
      trust: v.trust,
    },
    notes: { redaction: REDACTION_NOTE, rightToLeft: input.rightToLeft },
  };
  return { ...evidence, verdict: verdictOf(evidence, input.bundleFindings) };
}

/** What the archive's verification and the objects read back found. */
function archiveFindings(e: Omit<ReportEvidence, 'verdict'>): string[] {
  const findings: string[] = [];
  const hashMismatch = new Set<string>();
  for (const p of e.verification.problems) {
    if (!isFailingProblem(p.kind)) continue;
    if (p.kind === 'hash-mismatch' && p.key) hashMismatch.add(p.key);
    findings.push(`${p.day ?? 'The archive'}: ${p.kind}${p.key ? ` (${p.key})` : ''}. ${p.detail}`);
  }
  // An object verification already named is said once; the events taken from it are marked in the table.
  for (const o of e.citedObjects)
    if (!o.matches && !hashMismatch.has(o.key))
      findings.push(
        `${o.day}: ${o.key}, read back at report time for the events taken from it, does not match its manifest (SHA-256 ${o.readBack.sha256 || 'unreadable'}, recorded ${o.recorded.sha256}; ${o.readBack.events} events, recorded ${o.recorded.events}). The events of this report from it are as the archive holds them now, and marked in the table.`,
      );
  if (e.events.notFound.length > 0)
    findings.push(
      `${plural(e.events.notFound.length, 'cited event')} cannot be found in the archived objects of their day (${e.events.notFound
        .slice(0, 5)
        .map((x) => `${x.id} on ${x.day}`)
        .join(
          ', ',
        )}${e.events.notFound.length > 5 ? ', …' : ''}): the archive does not hold what the query engine's copy held.`,
    );
  for (const d of e.engineDays) {
    if (d.error)
      findings.push(
        `The ${d.engine} query engine's events per day could not be compared with the manifests: ${d.error}`,
      );
    for (const m of d.mismatches.slice(0, 10))
      findings.push(
        `${m.day}: the ${d.engine} query engine holds ${plural(m.engine, 'event')} for the day, its signed manifests ${plural(m.archived, 'event')}: the engine's copy is not the archive, so results drawn from it are not evidence.`,
      );
    if (d.mismatches.length > 10)
      findings.push(`… and ${d.mismatches.length - 10} more days where the ${d.engine} query engine's events differ.`);
  }
  return findings;
}

/** What the cited results' checks found. */
function resultFindings(e: Omit<ReportEvidence, 'verdict'>): string[] {
  const findings: string[] = [];
  for (const r of e.results) {
    if (r.error) {
      findings.push(`Result ${r.index} could not be run at report time: ${r.error.message} [${r.error.code}]`);
      continue;
    }
    const c = r.comparison;
    if (c && (c.missing > 0 || c.extra > 0)) {
      const cited = r.metadata.rowCount;
      const now = r.rerun?.rowCount ?? 0;
      findings.push(
        c.method === 'count'
          ? `Result ${r.index} returned ${plural(now, 'row')} at report time, not the ${plural(cited, 'row')} it was cited with: the archive or the query's engine answers differently now.`
          : `Result ${r.index} at report time differs from the rows it was cited with (${c.source ?? 'the cited rows'}): ${plural(c.missing, 'cited row')} not returned now${c.missingExamples.length ? ` (${c.missingExamples.join(', ')})` : ''}, ${plural(c.extra, 'row')} returned now that ${c.extra === 1 ? 'was' : 'were'} not cited${c.extraExamples.length ? ` (${c.extraExamples.join(', ')})` : ''}.`,
      );
    }
    const f = r.fieldCheck;
    if (f.mismatches > 0)
      findings.push(
        `Result ${r.index}: ${plural(f.mismatches, 'row')} ${f.mismatches === 1 ? 'differs' : 'differ'} from the archived event ${f.mismatches === 1 ? 'it names' : 'they name'} (${f.examples
          .slice(0, 3)
          .map((x) => `${x.id}: ${x.column} "${x.result}", archived "${x.archived}"`)
          .join('; ')}): the query engine's copy is not what the archive holds.`,
      );
  }
  return findings;
}

/** The verdict in words: what the cover says first, and each finding that makes it fail (each once). */
function verdictOf(
  e: Omit<ReportEvidence, 'verdict'>,
  bundleFindings: readonly string[] = [],
): ReportEvidence['verdict'] {
  const findings = [...new Set([...archiveFindings(e), ...resultFindings(e), ...bundleFindings])];
  const ok = findings.length === 0;
  const p = e.population;
  const at = e.clock === 'fixed' ? 'when this report was made' : `at ${e.verification.at}`;
  // Standard mode hashes only the objects the events came from: the rest is not called unaltered.
  const unread = e.verification.mode === 'full' ? 0 : Math.max(0, p.objects - e.verification.readBack.objects);
  const held = `every archived day of the period (${plural(p.archivedDays, 'day')} of ${plural(p.days, 'day')}, ${plural(p.events, 'event')})`;
  const signedAs = e.archive.storage.worm ? 'complete, signed and locked' : 'complete and signed';
  const headline = !ok
    ? `VERIFICATION FAILED: ${plural(findings.length, 'finding')} about the archive or the days this report draws on. The report shows the archive as it stands, but the archive does not prove it complete and unaltered:`
    : unread === 0
      ? `Verified: ${held} is complete and unaltered ${at}, and each of the ${plural(e.events.count, 'event')} in this report is exactly as archived.`
      : `Verified with the standard checks ${at}: ${held} is ${signedAs} as its manifests record, and each of the ${plural(e.events.count, 'event')} in this report is exactly as archived (the ${plural(e.verification.readBack.objects, 'archived object')} they come from were hashed); the other ${plural(unread, 'archived object')} of the period were not read (their SHA-256 was not checked); audit-archive verify --full reads them.`;
  return { ok, headline: headline + heldBy(e.holds) + copyChecked(e.secondCopy), findings };
}

function secondCopyOf(checked: EvidenceInput['verification']['secondCopy']): Pick<ReportEvidence, 'secondCopy'> {
  if (!checked) return {};
  const r = checked.result;
  return {
    secondCopy: {
      target: r.copy,
      mode: r.mode,
      at: checked.at,
      objectsChecked: r.objectsChecked,
      matched: r.ok,
      problems: [...r.problems],
    },
  };
}

/** What the check of the second locked copy found, said after the verdict (only when one was checked). */
function copyChecked(copy: ReportEvidence['secondCopy']): string {
  if (!copy) return '';
  const checked = `was checked against this archive over the period at ${copy.at} (${plural(copy.objectsChecked, 'object')}: each read in the copy and hashed, its lock read)`;
  if (copy.matched) return ` Second locked copy: ${copy.target} ${checked} and matched.`;
  const kinds = [...new Set(copy.problems.map((p) => p.kind))].join(', ');
  return ` Second locked copy: ${copy.target} ${checked} and DOES NOT MATCH: ${plural(copy.problems.length, 'problem')} (${kinds}), listed in evidence.json secondCopy; audit-archive verify --copy names each.`;
}

/** Which matters hold the period, said after the verdict (the signed hold records name them). */
function heldBy(holds: ReportEvidence['holds']): string {
  if (!holds?.length) return '';
  const each = holds.map((h) => `${h.matter}${h.reference ? ` (${h.reference})` : ''}, ${h.from} to ${h.to}`);
  return ` Legal hold: this period is held for ${each.join('; ')}.`;
}
