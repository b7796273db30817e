/**
 * When a report says it was generated. Normally the clock's time; for a reproducible report, a
 * fixed time: `--generated-at` (an ISO-8601 UTC instant), else `SOURCE_DATE_EPOCH` (seconds since
 * the epoch, the reproducible-builds convention, https://reproducible-builds.org/specs/source-date-epoch/).
 * With the same archive, inputs and fixed time, two runs give the same bytes: the report id, every
 * time the report writes, the PDF's dates and the zip entries' times all come from it, and durations
 * are not recorded. A fixed time later than now is refused: a report cannot be made in the future.
 */
import { AuditArchiveError } from '../../../shared/errors';

export const SOURCE_DATE_EPOCH = 'SOURCE_DATE_EPOCH';
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** The fixed generation time the flag or the environment gives (ISO, UTC, milliseconds), or null. */
export function fixedGenerationTime(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  now: number,
  flagName = '--generated-at',
): string | null {
  let ms: number;
  let from: string;
  if (flag !== undefined) {
    from = flagName;
    ms = INSTANT.test(flag) ? Date.parse(flag) : Number.NaN;
    if (Number.isNaN(ms))
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `${flagName} '${flag.slice(0, 40)}' is not a UTC instant such as 2026-03-20T12:00:00Z.`,
      );
  } else {
    const epoch = env[SOURCE_DATE_EPOCH];
    if (epoch === undefined || epoch === '') return null;
    from = SOURCE_DATE_EPOCH;
    ms = /^\d{1,12}$/.test(epoch) ? Number(epoch) * 1000 : Number.NaN;
    if (Number.isNaN(ms))
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `${SOURCE_DATE_EPOCH} '${epoch.slice(0, 40)}' is not a whole number of seconds since 1970-01-01T00:00:00Z.`,
      );
  }
  if (ms > now)
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `${from} gives ${new Date(ms).toISOString()}, which is later than now: a report is never dated in the future.`,
    );
  return new Date(ms).toISOString();
}
