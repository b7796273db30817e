/**
 * Stable error codes and the one error class the engine throws.
 *
 * Codes are part of the contract with the UI, the CLI's exit codes and the tests; messages are for
 * people and must say what to do next. Never put a secret in a message.
 */

/** One bad field: its path in the request and what is wrong with it. */
export interface FieldIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export const ERROR_CODES = [
  // boundary / input
  'INVALID_REQUEST',
  'INVALID_SETTINGS',
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'INTERNAL',
  // Genesys
  'GENESYS_AUTH_FAILED',
  'GENESYS_PERMISSION_MISSING',
  'GENESYS_RATE_LIMITED',
  'GENESYS_QUERY_FAILED',
  'GENESYS_UNAVAILABLE',
  'GENESYS_BAD_RESPONSE',
  'GENESYS_NOT_CONFIGURED',
  // archive
  'ARCHIVE_NOT_WORM',
  'ARCHIVE_RETENTION_TOO_SHORT',
  'ARCHIVE_UNREACHABLE',
  'ARCHIVE_OBJECT_EXISTS',
  'ARCHIVE_LOCK_NOT_CONFIRMED',
  'ARCHIVE_INTEGRITY',
  'ARCHIVE_BAD_OBJECT',
  'ARCHIVE_BUSY',
  'ARCHIVE_KEY_MISSING',
  'ARCHIVE_SOURCE_MISMATCH',
  'ARCHIVE_HOLD_DENIED',
  'DAY_UNSETTLED',
  'DAY_ALREADY_ARCHIVED',
  'DAY_UNRECOVERABLE',
  // secrets
  'SECRET_STORE_UNAVAILABLE',
  // discovery
  'QUERY_INVALID',
  'QUERY_UNBOUNDED_SCAN',
  'QUERY_ENGINE_NOT_CONFIGURED',
  'QUERY_FAILED',
  'QUERY_CANCELLED',
  'QUERY_ACCESS_DENIED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AuditArchiveError extends Error {
  readonly code: ErrorCode;
  /** Bad fields by path (relative to what the caller sent), for forms; see shared/result.ts. */
  readonly issues: readonly FieldIssue[];

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; issues?: readonly FieldIssue[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuditArchiveError';
    this.code = code;
    this.issues = options?.issues ?? [];
  }
}

export function isAuditArchiveError(e: unknown): e is AuditArchiveError {
  return e instanceof AuditArchiveError;
}
