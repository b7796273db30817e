/**
 * The Result type that crosses every boundary (IPC, dev transport, service calls).
 *
 * Electron forwards only `error.message` of a thrown error, so handlers return a Result instead of
 * throwing; the code is stable (for tests and UI logic), the message says what to do next, and
 * `issues` name each bad field by its path in the request (`['settings', 'archive', 'retentionDays']`)
 * so a form can mark the field without parsing the message.
 */
import type { ErrorCode, FieldIssue } from './errors';

export interface ResultError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly issues?: readonly FieldIssue[];
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ResultError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, message: string, issues?: readonly FieldIssue[]): Result<T> {
  return { ok: false, error: issues && issues.length > 0 ? { code, message, issues } : { code, message } };
}
