/**
 * Everything a report knows before it writes a file (the preview stops here): the cited results
 * run at report time, the archive verified over the period, each engine's events per day against
 * the manifests, the days not archived, whether the bundle can be signed here, and each cited
 * event's line read from the archive, with every cited row checked field by field against it.
 */
import path from 'node:path';
import type { Day } from '../../../shared/day';
import type { QueryEngineKind } from '../../../shared/discovery/result-metadata';
import { EventTimeFormat } from '../../../shared/reports/event-row';
import type { CitedObject, ReportEvidence, ReportGap } from '../../../shared/reports/report-evidence';
import type { ReportPeriod } from '../../../shared/reports/report-request';
import type { Archive } from '../archive/archive';
import type { Assessment } from '../archive/assessment';
import type { CopyTarget } from '../archive/copy/copy-target';
import { verifyCopy, type CopyCheckResult } from '../archive/copy/verify-copy';
import { verifyArchive, type VerifyResult } from '../archive/verify';
import type { QueryEngine } from '../discovery/query-engine';
import { bundlePathOf, mapLimited, readLock } from './bundle-archive-files';
import { bundleSigner, type BundleSigner } from './bundle-signature';
import { runCitedResults, type CitedResult } from './cited-results';
import { checkEngineDays } from './engine-days';
import { collectEventLines, objectId, type CollectedEvents, type ObjectToRead } from './event-lines';
import { FieldCheck, type FieldCheckResult } from './field-check';
import { reportGaps } from './report-gaps';
import type { ReportBuildOptions } from './report-build-options';

/** Above this, the period's objects are not all hashed at report time (the cited ones always are). */
export const DEFAULT_FULL_VERIFY_LIMIT_BYTES = 1024 ** 3;
/** The cited objects go into the bundle unless they weigh more than this (or the caller says otherwise). */
export const DEFAULT_OBJECTS_LIMIT_BYTES = 100 * 1024 ** 2;

/** The period's verification, and (a second locked copy set) the copy's check over it. */
interface PeriodVerification {
  readonly result: VerifyResult;
  readonly mode: 'full' | 'standard';
  readonly at: string;
  readonly secondCopy?: { readonly at: string; readonly result: CopyCheckResult };
}

type PreparedResult = CitedResult & { readonly eventsLocated: number; readonly fieldCheck: FieldCheckResult };

export interface Prepared {
  readonly reportId: string;
  readonly generatedAt: string;
  readonly clock: ReportEvidence['clock'];
  /** The cited results, their located ids dropped once the events are read (only their number is kept). */
  readonly results: readonly PreparedResult[];
  /** The archive as the report's verification read it (whole and fresh). */
  readonly assessment: Assessment;
  readonly verify: PeriodVerification;
  readonly engineDays: ReportEvidence['engineDays'];
  readonly gaps: ReportGap[];
  readonly signer: BundleSigner;
  readonly collected: CollectedEvents;
  readonly citedObjects: CitedObject[];
  /** Cited objects' stored bytes kept while read, by object index (empty: not included). */
  readonly keptObjects: ReadonlyMap<number, string>;
  readonly objectsPlan: ReportEvidence['bundle']['objects'];
  /** Event ids whose cited row differs from the archived line. */
  readonly differing: ReadonlySet<string>;
  readonly times: EventTimeFormat;
  close(): Promise<void>;
}

export interface Clock {
  readonly generatedAt: string;
  readonly clock: ReportEvidence['clock'];
  /** The time the report writes: the generation time when fixed, else the clock. */
  readonly stamp: () => number;
  /** The real clock (verification, settlement, locks in force). */
  readonly now: () => number;
}

export function clockOf(o: ReportBuildOptions): Clock {
  const now = o.now ?? Date.now;
  if (o.generatedAt) {
    const fixed = Date.parse(o.generatedAt);
    return { generatedAt: new Date(fixed).toISOString(), clock: 'fixed', stamp: () => fixed, now };
  }
  return { generatedAt: new Date(now()).toISOString(), clock: 'system', stamp: now, now };
}

/** Engines opened on demand, one per kind, closed together. */
class Engines {
  readonly open = new Map<QueryEngineKind, QueryEngine>();
  constructor(private readonly openEngine: (kind: QueryEngineKind) => QueryEngine) {}
  get = (kind: QueryEngineKind): QueryEngine => {
    let e = this.open.get(kind);
    if (!e) this.open.set(kind, (e = this.openEngine(kind)));
    return e;
  };
  async close(): Promise<void> {
    for (const e of this.open.values()) await e.close().catch(() => undefined);
    this.open.clear();
  }
}

/**
 * The stored bytes of the period's objects, to choose whether a report hashes them all (a preview
 * never does, so it does not ask). Only to choose the mode: everything the report states comes from
 * the verification's own fresh read.
 */
async function periodBytes(o: ReportBuildOptions, signal: { signal?: AbortSignal }): Promise<number> {
  const { from, to } = o.inputs.period;
  o.onProgress?.({ phase: 'locating', message: 'Reading the manifests of the period…' });
  const snapshot = await o.archive.read({ scope: 'layout', ...signal });
  let bytes = 0;
  for (const [day, evidence] of snapshot.assessment.days)
    if (day >= from && day <= to)
      for (const c of evidence.manifests) for (const x of c.manifest.objects) bytes += x.size;
  return bytes;
}

async function verifyPeriod(o: ReportBuildOptions, clock: Clock, mode: 'generate' | 'preview') {
  const { from, to } = o.inputs.period;
  const progress = o.onProgress ?? (() => undefined);
  const signal = o.signal ? { signal: o.signal } : {};
  const full =
    mode === 'generate' &&
    (await periodBytes(o, signal)) <= (o.fullVerifyLimitBytes ?? DEFAULT_FULL_VERIFY_LIMIT_BYTES);
  progress({
    phase: 'verifying',
    message: `Verifying ${from} to ${to}${full ? ' (every object hashed, every event read)' : ''}…`,
  });
  const at = new Date(clock.stamp()).toISOString();
  const result = await verifyArchive({
    archive: o.archive,
    from,
    to,
    full,
    now: clock.now(),
    settlementMinutes: o.verification.settlementMinutes,
    genesysRetentionDays: o.verification.genesysRetentionDays,
    ...(o.verification.policyStartDate ? { policyStartDate: o.verification.policyStartDate } : {}),
    policy: o.verification.policy,
    ...(o.verification.expectKey ? { expectKey: o.verification.expectKey } : {}),
    ...(o.verification.expectHead ? { expectHead: o.verification.expectHead } : {}),
    ...signal,
    onProgress: (p) =>
      progress({
        phase: 'verifying',
        message: p.phase === 'listing' ? 'Listing the archive…' : 'Checking objects…',
        done: p.done,
        total: p.total,
      }),
  });
  const secondCopy = o.secondCopy ? await checkSecondCopy(o, o.secondCopy, clock) : null;
  return { result, mode: full ? ('full' as const) : ('standard' as const), at, ...(secondCopy ? { secondCopy } : {}) };
}

/** The second locked copy checked over the period, object by object (bytes hashed, locks read). */
async function checkSecondCopy(o: ReportBuildOptions, copy: CopyTarget, clock: Clock) {
  o.onProgress?.({ phase: 'verifying', message: `Checking the second locked copy ${copy.store.url}…` });
  const at = new Date(clock.stamp()).toISOString();
  const { from, to } = o.inputs.period;
  const result = await verifyCopy({ archive: o.archive, copy, from, to, ...(o.signal ? { signal: o.signal } : {}) });
  return { at, result };
}

/** Each engine the results ran on, and the days they read on it (the span of their ranges). */
function daysReadBy(o: ReportBuildOptions, results: readonly CitedResult[]): Map<QueryEngineKind, ReportPeriod> {
  const out = new Map<QueryEngineKind, ReportPeriod>();
  results.forEach((r, i) => {
    const source = o.inputs.sources[i];
    const kind = o.inputs.engine ?? (source?.kind === 'result' ? source.metadata.engine.kind : o.defaultEngine);
    const range = r.evidence.metadata.range ?? o.inputs.period;
    const seen = out.get(kind);
    out.set(
      kind,
      seen
        ? { from: seen.from < range.from ? seen.from : range.from, to: seen.to > range.to ? seen.to : range.to }
        : range,
    );
  });
  return out;
}

/** The cited events by the day the archive holds them. */
function wantedDays(results: readonly CitedResult[]): Map<Day, Set<string>> {
  const wanted = new Map<Day, Set<string>>();
  for (const r of results)
    for (const [day, ids] of r.located) {
      const set = wanted.get(day) ?? new Set<string>();
      for (const id of ids) set.add(id);
      wanted.set(day, set);
    }
  return wanted;
}

function objectsOf(assessment: Assessment): (day: Day) => ObjectToRead[] {
  return (day) =>
    (assessment.days.get(day)?.manifests ?? []).flatMap((c) =>
      c.manifest.objects.map((x) => ({
        day,
        key: x.key,
        versionId: x.versionId,
        sha256: x.sha256,
        sha256Raw: x.sha256Raw,
        events: x.events,
        size: x.size,
        manifestKey: c.key,
      })),
    );
}

function formatBytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toLocaleString('en', { maximumFractionDigits: 1 })} MiB`;
}

/** Whether the cited objects go into the bundle, and why (or why not). */
function objectsPlanOf(o: ReportBuildOptions, objects: readonly ObjectToRead[], mode: string): Prepared['objectsPlan'] {
  const bytes = objects.reduce((n, x) => n + x.size, 0);
  const limitBytes = o.objectsLimitBytes ?? DEFAULT_OBJECTS_LIMIT_BYTES;
  if (mode === 'preview') return { included: false, bytes, limitBytes, reason: 'a preview writes no bundle' };
  if (objects.length === 0) return { included: false, bytes, limitBytes, reason: 'no event was cited' };
  if (o.includeObjects === false)
    return { included: false, bytes, limitBytes, reason: 'leaving them out was asked for' };
  if (o.includeObjects === true)
    return { included: true, bytes, limitBytes, reason: `including them (${formatBytes(bytes)}) was asked for` };
  return bytes <= limitBytes
    ? {
        included: true,
        bytes,
        limitBytes,
        reason: `they weigh ${formatBytes(bytes)}, within the ${formatBytes(limitBytes)} included by default`,
      }
    : {
        included: false,
        bytes,
        limitBytes,
        reason: `they weigh ${formatBytes(bytes)}, more than the ${formatBytes(limitBytes)} included by default`,
      };
}

async function citedObjectsOf(
  archive: Archive,
  collected: CollectedEvents,
  kept: ReadonlyMap<number, string>,
): Promise<CitedObject[]> {
  return mapLimited([...collected.objects.entries()], async ([i, x]) => {
    const rb = collected.readBack.get(objectId(x.key, x.versionId));
    return {
      day: x.day,
      key: x.key,
      versionId: x.versionId,
      manifestKey: x.manifestKey,
      recorded: { sha256: x.sha256, sha256Raw: x.sha256Raw, size: x.size, events: x.events },
      readBack: {
        sha256: rb?.sha256 ?? '',
        sha256Raw: rb?.sha256Raw ?? '',
        size: rb?.size ?? 0,
        events: rb?.events ?? -1,
      },
      matches: (rb?.matches ?? false) && rb?.size === x.size,
      lock: await readLock(archive.store, x.key, x.versionId),
      file: kept.has(i) ? bundlePathOf(x.key) : null,
    };
  });
}

/** Runs everything a report knows before it writes (see the module comment). */
export async function prepareReport(
  o: ReportBuildOptions,
  clock: Clock,
  reportId: string,
  workDir: string,
  mode: 'generate' | 'preview',
): Promise<Prepared> {
  const progress = o.onProgress ?? (() => undefined);
  const { inputs, archive } = o;
  const engines = new Engines(o.openEngine);
  const fieldCheck = new FieldCheck();
  const results: CitedResult[] = [];
  const close = async () => {
    for (const r of results) await r.spool?.dispose();
    await engines.close();
  };
  try {
    // Every engine the sources run on, opened first: one that is not configured is bad input, refused before anything runs.
    for (const s of inputs.sources)
      engines.get(inputs.engine ?? (s.kind === 'result' ? s.metadata.engine.kind : o.defaultEngine));
    // A preview verifies while its queries run (DuckDB's threads and the verification overlap); a
    // report does one after the other, so its steps are shown in the order they happen.
    const verifying = mode === 'preview' ? verifyPeriod(o, clock, mode) : null;
    const cited = runCitedResults(inputs.sources, {
      engineFor: engines.get,
      engine: inputs.engine,
      defaultEngine: o.defaultEngine,
      archiveUrl: archive.store.url,
      spoolFolder: workDir,
      resultIdPrefix: reportId,
      now: clock.stamp,
      recordDurations: clock.clock === 'system',
      fieldCheck,
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (message, done, total) => progress({ phase: 'queries', message, done, total }),
    });
    // Both settle before anything else happens, so a refusal never leaves a verification running.
    await Promise.allSettled([cited, verifying]);
    results.push(...(await cited));
    const verify = await (verifying ?? verifyPeriod(o, clock, mode));
    const assessment = verify.result.assessment;
    const engineDays: ReportEvidence['engineDays'] = [];
    for (const [kind, range] of daysReadBy(o, results))
      engineDays.push(await checkEngineDays(kind, engines.get(kind), assessment, range, o.signal));
    // The results are spooled: DuckDB's memory is given back before the events are read and written.
    await engines.close();
    const rest = await readCitedEvents(o, { reportId, workDir, mode, clock, results, assessment, fieldCheck });
    return { ...rest, verify, engineDays, assessment, close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function readCitedEvents(
  o: ReportBuildOptions,
  c: {
    reportId: string;
    workDir: string;
    mode: 'generate' | 'preview';
    clock: Clock;
    results: CitedResult[];
    assessment: Assessment;
    fieldCheck: FieldCheck;
  },
): Promise<Omit<Prepared, 'verify' | 'engineDays' | 'assessment' | 'close'>> {
  const progress = o.onProgress ?? (() => undefined);
  const wanted = wantedDays(c.results);
  const days = objectsOf(c.assessment);
  const objectsPlan = objectsPlanOf(o, [...wanted.keys()].flatMap(days), c.mode);
  const kept = new Map<number, string>();
  const collected = await collectEventLines(o.archive.store, wanted, days, path.join(c.workDir, 'events.spool'), {
    ...(o.signal ? { signal: o.signal } : {}),
    fieldCheck: c.fieldCheck,
    ...(objectsPlan.included
      ? {
          keepObjectAt: (_x: ObjectToRead, i: number) => {
            const file = path.join(c.workDir, `object-${i}`);
            kept.set(i, file);
            return file;
          },
        }
      : {}),
    onProgress: (done, total) =>
      progress({
        phase: 'events',
        message: `Reading the cited events from the archive: object ${done} of ${total}`,
        done,
        total,
      }),
  });
  const results: PreparedResult[] = [];
  for (const r of c.results) {
    const fieldResult = await c.fieldCheck.resultOf(r.evidence.index, r.columns, () => r.spool?.pages() ?? none());
    // The located ids (a string per event) would stay live through the PDF for a count: only the count is kept.
    const eventsLocated = [...r.located.values()].reduce((n, s) => n + s.size, 0);
    results.push({ ...r, located: new Map(), eventsLocated, fieldCheck: fieldResult });
  }
  c.results.splice(0, c.results.length, ...results);
  return {
    reportId: c.reportId,
    generatedAt: c.clock.generatedAt,
    clock: c.clock.clock,
    results,
    gaps: reportGaps(c.assessment, o.inputs.period.from, o.inputs.period.to, {
      now: c.clock.now(),
      settlementMinutes: o.verification.settlementMinutes,
      genesysRetentionDays: o.verification.genesysRetentionDays,
      ...(o.verification.policyStartDate ? { policyStartDate: o.verification.policyStartDate } : {}),
      ...(o.journal ? { journal: o.journal } : {}),
    }),
    signer: await bundleSigner(o.archive, c.assessment),
    collected,
    citedObjects: await citedObjectsOf(o.archive, collected, kept),
    keptObjects: kept,
    objectsPlan,
    differing: c.fieldCheck.differingIds(),
    times: new EventTimeFormat(o.inputs.request.timeZone),
  };
}

async function* none(): AsyncGenerator<never> {}
