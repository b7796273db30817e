/**
 * S3 failures in words: an SDK error as an AuditArchiveError (unreachable, denied, missing bucket),
 * with what to do. Shared by the store, its lease and `bucket init`/`bucket check`.
 */
import { AuditArchiveError, type ErrorCode } from '../../../../shared/errors';

/**
 * An S3 failure as an AuditArchiveError: unreachable, denied, or missing bucket, with what to do.
 * Only the error name and HTTP status are quoted: S3 error bodies can echo signing details.
 */
export function s3Failure(e: unknown, url: string, action: string): AuditArchiveError {
  if (e instanceof AuditArchiveError) return e;
  const name = errorName(e);
  const status = statusOf(e);
  const tag = status ? `${name}, HTTP ${status}` : name;
  let code: ErrorCode = 'ARCHIVE_UNREACHABLE';
  let advice: string;
  if (name === 'NoSuchBucket') {
    advice = `The bucket does not exist: create it with \`audit-archive bucket init\` or fix the archive target.`;
  } else if (
    status === 403 ||
    [
      'AccessDenied',
      'InvalidAccessKeyId',
      'SignatureDoesNotMatch',
      'ExpiredToken',
      'InvalidToken',
      'CredentialsProviderError',
      'TokenProviderError',
    ].includes(name)
  ) {
    advice =
      'Access was denied or no valid credentials were found: check AWS_PROFILE / AWS_ACCESS_KEY_ID / SSO login, and that the role has the exporter policy printed by `audit-archive bucket init`.';
  } else if (/region is missing|region not accepted/i.test(e instanceof Error ? e.message : '')) {
    code = 'INVALID_SETTINGS';
    advice = "No valid AWS region is configured: set the archive's S3 region in settings or AWS_REGION.";
  } else if (status && status < 500 && status !== 408 && status !== 429) {
    advice = 'The store refused the request: check that the endpoint is an S3 store with Object Lock.';
  } else {
    advice = 'Check the network, the endpoint and that the store is up, then try again.';
  }
  return new AuditArchiveError(code, `Could not ${action} in ${url} (${tag}). ${advice}`, { cause: e });
}

export function errorName(e: unknown): string {
  if (typeof e !== 'object' || e === null) return 'Error';
  const o = e as { name?: unknown; Code?: unknown; code?: unknown };
  if (typeof o.code === 'string' && /^E[A-Z]+$/.test(o.code)) return o.code; // ECONNREFUSED, ENOTFOUND…
  if (typeof o.Code === 'string') return o.Code;
  return typeof o.name === 'string' ? o.name : 'Error';
}

export function statusOf(e: unknown): number | undefined {
  const status = (e as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}
