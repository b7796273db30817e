/**
 * "Add to report": the Discovery page hands a finished result's metadata (its exact query,
 * parameters, engine, archive, days, row count, cost) and its run's id to the Reports page, which
 * cites it; while the app still keeps the run, the report compares today's rows with its rows.
 *
 * Kept in sessionStorage so it survives the route change (and a reload of this window), never in
 * the URL: the route stays `#/reports`.
 */
import * as z from 'zod';
import { ResultMetadataSchema, type ResultMetadata } from '../../shared/discovery/result-metadata';

const KEY = 'audit-archive:report-result';
const HandoffSchema = z.strictObject({ metadata: ResultMetadataSchema, runId: z.uuid() });

export function handOffToReport(metadata: ResultMetadata, runId: string): void {
  sessionStorage.setItem(KEY, JSON.stringify({ metadata, runId }));
  window.location.hash = '#/reports';
}

/** The result handed over and its run, if any (it stays until the next hand-off, so a reload keeps it). */
export function reportHandoff(): { metadata: ResultMetadata; runId: string } | null {
  const text = sessionStorage.getItem(KEY);
  if (!text) return null;
  try {
    const parsed = HandoffSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
