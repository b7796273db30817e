/**
 * The Result type that crosses every boundary (IPC, dev transport, service calls).
 *
 * Electron forwards only `error.message` of a thrown error, so handlers return a Result instead of
 * throwing; the code is stable (for tests and UI logic), the message says what to do next.
 */
import type { ErrorCode } from './errors';

export interface ResultError {
  readonly code: ErrorCode;
  readonly message: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ResultError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
