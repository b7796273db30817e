/**
 * "Add to report": the Discovery page hands a finished result's metadata (its exact query,
 * parameters, engine, archive, days, row count, cost) to the Reports page, which cites it.
 *
 * Kept in sessionStorage so it survives the route change (and a reload of this window), never in
 * the URL: the route stays `#/reports`.
 */
import { ResultMetadataSchema, type ResultMetadata } from '../../shared/discovery/result-metadata';

const KEY = 'audit-archive:report-result';

export function handOffToReport(metadata: ResultMetadata): void {
  sessionStorage.setItem(KEY, JSON.stringify(metadata));
  window.location.hash = '#/reports';
}

/** The result handed over, if any (it stays until the next hand-off, so a reload keeps it). */
export function reportHandoff(): ResultMetadata | null {
  const text = sessionStorage.getItem(KEY);
  if (!text) return null;
  try {
    const parsed = ResultMetadataSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
