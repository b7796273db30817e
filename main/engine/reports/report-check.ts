/** One check of a report's receipt and bundle against what it claims (check-report.ts, check-archive-copy.ts). */
export interface ReportCheck {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}
