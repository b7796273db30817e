/**
 * The rows of a result the Discovery page still keeps, for a report that cites it ("Add to
 * report"): read through the Discovery service's own channels, and only when the run is the cited
 * result (same result id) and finished. The report then compares today's rows with them by
 * content; a run no longer kept leaves the comparison to the row count, which the report says.
 */
import type { DiscoveryService } from '../discovery/discovery-service';
import { citedRowsFromPages, type CitedRows } from './rerun-comparison';

const PAGE_ROWS = 1000;

export async function discoveryRunRows(
  discovery: Pick<DiscoveryService, 'discovery:status' | 'discovery:rows'>,
  runId: string,
  resultId: string,
): Promise<CitedRows | null> {
  const status = await discovery['discovery:status']({ runId }).catch(() => null);
  if (!status || status.state !== 'succeeded' || status.metadata?.resultId !== resultId || !status.columns) return null;
  const rowCount = status.rowCount;
  return citedRowsFromPages("the Discovery page's result", status.columns, async function* () {
    for (let offset = 0; offset < rowCount; offset += PAGE_ROWS)
      yield (await discovery['discovery:rows']({ runId, offset, limit: PAGE_ROWS })).rows;
  });
}
