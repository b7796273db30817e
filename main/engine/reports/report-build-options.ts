/**
 * What a report is built from and how its period is verified: the inputs, the verification policy
 * and the builder's options, in their own module so that the builder (build-report.ts) and the
 * preparation it runs (report-prepare.ts) share them without importing each other.
 */
import type { QueryEngineKind } from '../../../shared/discovery/result-metadata';
import type { SavedQuery } from '../../../shared/discovery/saved-query';
import type { Day } from '../../../shared/day';
import type { ReportProgress } from '../../../shared/reports/report-contract';
import type { ReportPeriod, ReportRequest } from '../../../shared/reports/report-request';
import type { LockMode } from '../../../shared/manifest';
import { calendarRulesOf, type Settings } from '../../../shared/settings';
import type { Archive } from '../archive/archive';
import type { CopyTarget } from '../archive/copy/copy-target';
import type { RunJournalSnapshot } from '../archive/run-journal';
import type { ExpectedHead } from '../archive/verify-trust';
import type { QueryEngine } from '../discovery/query-engine';
import type { CitedSource } from './cited-results';
import type { ResolvedFonts } from './pdf/fonts';

export interface ReportInputs {
  readonly request: ReportRequest;
  readonly period: ReportPeriod;
  readonly sources: readonly CitedSource[];
  /** Where the cited queries run (default: a result's own engine; queries: `defaultEngine`). */
  readonly engine?: QueryEngineKind;
}

export interface VerificationPolicy {
  readonly settlementMinutes: number;
  readonly genesysRetentionDays: number;
  readonly policyStartDate?: Day;
  readonly policy: { readonly lockMode: LockMode; readonly retentionDays: number };
  /**
   * The key fingerprint and head the officer recorded (verify --expect-key, --expect-head): the
   * report then states its trust rests on them, and fails when the archive does not reach them.
   * Without them, this installation's head record, else trust on first use, said on the cover.
   */
  readonly expectKey?: string;
  readonly expectHead?: ExpectedHead;
}

/** The verification a report runs, as the settings describe the archive. */
export function verificationPolicyOf(settings: Settings): VerificationPolicy {
  return {
    ...calendarRulesOf(settings),
    policy: { lockMode: settings.archive.lockMode, retentionDays: settings.archive.retentionDays },
  };
}

export interface ReportBuildOptions {
  /** The archive read, verified and (archive copy) written; the caller's installation state and keys. */
  readonly archive: Archive;
  readonly inputs: ReportInputs;
  /** Opens a query engine of a kind (closed by the builder when it is done). */
  readonly openEngine: (kind: QueryEngineKind) => QueryEngine;
  readonly defaultEngine: QueryEngineKind;
  readonly verification: VerificationPolicy;
  readonly toolVersion: string;
  /** The saved and starter queries: a result's claim to be one of them is checked against it. */
  readonly library: readonly SavedQuery[];
  /** This installation's run journal (a day's failed export), for the days not archived. */
  readonly journal?: RunJournalSnapshot;
  readonly now?: () => number;
  /** A fixed generation time (ISO, UTC) for a reproducible report (generation-time.ts). */
  readonly generatedAt?: string;
  readonly fonts?: ResolvedFonts;
  readonly fullVerifyLimitBytes?: number;
  /** Put the cited archived objects into the bundle: true, false, or (unset) when they weigh at most `objectsLimitBytes`. */
  readonly includeObjects?: boolean;
  readonly objectsLimitBytes?: number;
  /** The second locked copy (archive.copy.target): checked over the period when set, said in the verdict. */
  readonly secondCopy?: CopyTarget | null;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ReportProgress) => void;
}
