/**
 * The events a query engine holds for each day of the period, against the count the day's signed
 * manifests record. A query engine reads a copy (the local engine's columnar cache, downloaded
 * objects; Athena the current versions): a copy that lost or gained an event would answer every
 * cited query from it without a word, and no row-by-row check can see a row that is not there. So
 * the report asks each engine it used for its events per day over the days its results read
 * (deduplicated, as every query reads them) and names every day where the engine and the manifests
 * disagree.
 */
import { compileQuery } from '../../../shared/discovery/compile-query';
import { DT_COLUMN } from '../../../shared/discovery/audit-events-table';
import { eachDay, type Day } from '../../../shared/day';
import type { QueryEngineKind } from '../../../shared/discovery/result-metadata';
import type { ReportEvidence } from '../../../shared/reports/report-evidence';
import type { ReportPeriod } from '../../../shared/reports/report-request';
import { isAuditArchiveError } from '../../../shared/errors';
import type { Assessment } from '../archive/assessment';
import type { QueryEngine } from '../discovery/query-engine';

type EngineDays = ReportEvidence['engineDays'][number];

async function eventsPerDay(
  engine: QueryEngine,
  period: ReportPeriod,
  signal?: AbortSignal,
): Promise<Map<Day, number>> {
  const compiled = compileQuery(
    {
      kind: 'sql',
      sql: `SELECT "${DT_COLUMN}" AS "day", count(*) AS "events" FROM audit_events GROUP BY "${DT_COLUMN}"`,
      parameters: [],
      range: period,
    },
    engine.kind,
  );
  const execution = await engine.execute(compiled, signal ? { signal } : {});
  const out = new Map<Day, number>();
  for await (const page of execution.pages)
    for (const [dt, n] of page) if (typeof dt === 'string') out.set(dt.replaceAll('/', '-'), Number(n));
  return out;
}

/** Compares one engine's events per day with the manifests of the assessment, over the days the results read on it. */
export async function checkEngineDays(
  kind: QueryEngineKind,
  engine: QueryEngine,
  assessment: Assessment,
  period: ReportPeriod,
  signal?: AbortSignal,
): Promise<EngineDays> {
  let counts: Map<Day, number>;
  try {
    counts = await eventsPerDay(engine, period, signal);
  } catch (e) {
    if (!isAuditArchiveError(e) || e.code === 'QUERY_CANCELLED') throw e;
    return { engine: kind, days: 0, mismatches: [], error: `${e.message} [${e.code}]` };
  }
  const mismatches: EngineDays['mismatches'] = [];
  let days = 0;
  for (const day of eachDay(period.from, period.to)) {
    days += 1;
    const archived = assessment.days.get(day)?.manifests.at(-1)?.manifest.dayEventsTotal ?? 0;
    const held = counts.get(day) ?? 0;
    if (held !== archived) mismatches.push({ day, engine: held, archived });
  }
  return { engine: kind, days, mismatches, error: null };
}
