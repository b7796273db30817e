/**
 * The CLI's exit status (README, The CLI): 0 success; 1 a day failed, verification found problems,
 * or the run was stopped; 2 bad usage or settings, where nothing was attempted.
 */
import type { ErrorCode } from '../../shared/errors';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Codes that mean "the request or the configuration is wrong": nothing was attempted. */
const USAGE_CODES: ReadonlySet<ErrorCode> = new Set([
  'INVALID_ARGUMENT',
  'INVALID_SETTINGS',
  'INVALID_REQUEST',
  'GENESYS_NOT_CONFIGURED',
  'ARCHIVE_NOT_WORM',
  'ARCHIVE_RETENTION_TOO_SHORT',
  'DAY_UNSETTLED',
  'DAY_UNRECOVERABLE',
  'NOT_FOUND',
  'QUERY_INVALID',
  'QUERY_UNBOUNDED_SCAN',
  'QUERY_ENGINE_NOT_CONFIGURED',
]);

/** The exit status of a run that stopped on an AuditArchiveError with `code`. */
export function exitCodeOf(code: ErrorCode): number {
  return USAGE_CODES.has(code) ? EXIT_USAGE : EXIT_FAILED;
}
