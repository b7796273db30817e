/**
 * What the exporter needs from Genesys: the events of one closed-open UTC interval, streamed.
 * Implemented by GenesysAuditClient (main/engine/genesys/client.ts).
 */
import type { AuditEventRecord } from '../../../shared/audit-event';
import type { UtcInterval } from '../../../shared/day';

export interface AuditQueryProgress {
  readonly requests: number;
  readonly pages: number;
  readonly events: number;
  readonly retries: number;
}

export interface AuditQueryRun {
  /**
   * Every event Genesys returns for the interval, in the order returned, exactly as returned
   * (not yet deduplicated: that is the exporter's job, and it counts what it drops).
   * Throws an AuditArchiveError (GENESYS_*) on failure; a malformed event throws GENESYS_BAD_RESPONSE
   * naming its position.
   */
  readonly events: AsyncIterable<AuditEventRecord>;
  /** Transaction ids of the queries made so far (filled as queries are submitted). */
  readonly transactionIds: readonly string[];
  readonly progress: AuditQueryProgress;
}

export interface AuditEventSource {
  /** Base API URL, recorded in manifests. */
  readonly apiUrl: string;
  readonly perServiceQueries: boolean;
  queryInterval(interval: UtcInterval, options?: { signal?: AbortSignal }): AuditQueryRun;
}
