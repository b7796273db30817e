/**
 * What the exporter needs from Genesys: the events of one closed-open UTC interval, streamed, and
 * which organisation they come from. Implemented by GenesysAuditClient (main/engine/genesys/client.ts).
 */
import type { AuditEventRecord } from '../../../shared/audit-event';
import type { UtcInterval } from '../../../shared/day';
import type { SourceIdentity } from '../../../shared/source-identity';

export interface AuditQueryProgress {
  readonly requests: number;
  readonly pages: number;
  readonly events: number;
  readonly retries: number;
}

/** One audit query Genesys ran for the interval, and how it ended. */
export interface QueryAttempt {
  readonly transactionId: string;
  /** The query's interval, `start/end` as sent. */
  readonly interval: string;
  /** The service queried (per-service mode), or null for one query over every service. */
  readonly serviceName: string | null;
  /** `Failed` queries were resubmitted (bounded); a `Cancelled` one ends the run. */
  readonly state: 'Succeeded' | 'Failed' | 'Cancelled';
}

export interface AuditQueryRun {
  /**
   * Every event Genesys returns for the interval, in the order returned, as the text it sent
   * (not yet deduplicated: that is the exporter's job, and it counts what it drops).
   * Throws an AuditArchiveError (GENESYS_*) on failure; a malformed event throws GENESYS_BAD_RESPONSE
   * naming its position.
   */
  readonly events: AsyncIterable<AuditEventRecord>;
  /** Transaction ids of every query made so far, failed ones included, in order (filled as queries end). */
  readonly transactionIds: readonly string[];
  /** Every query made so far, in order, with its final state (filled as queries end). */
  readonly queries: readonly QueryAttempt[];
  readonly progress: AuditQueryProgress;
}

export interface AuditEventSource {
  /** Base API URL, recorded in manifests (never holds credentials). */
  readonly apiUrl: string;
  readonly perServiceQueries: boolean;
  queryInterval(interval: UtcInterval, options?: { signal?: AbortSignal }): AuditQueryRun;
  /** Which organisation the events come from (`organizations/me`), cached per source. */
  identify(options?: { signal?: AbortSignal }): Promise<SourceIdentity>;
}
