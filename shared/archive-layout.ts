/**
 * Where things live in the archive (one bucket/container/folder, under a configurable prefix).
 *
 *   {prefix}/archive.json                                  the root object: id, purpose, signing key
 *   {prefix}/audit-logs/YYYY/MM/DD/events-NNNN.jsonl.gz   data only (the Athena table location)
 *   {prefix}/manifests/YYYY/MM/DD/<sequence>.json          one per export run per day, signed, chained
 *   {prefix}/lease/<start>-<ttl>-<holder>-<n>.claim        the single-writer lease (bookkeeping, not evidence)
 *   {prefix}/reports/<report-id>/bundle.zip                an audit response report's bundle, locked like the rest
 *   {prefix}/reports/<report-id>/record.json               its record: the bundle's version and SHA-256, signed
 *   {prefix}/key-succession/<index>.json                   a change of signing key (rotation or lost-key restart), signed
 *   {prefix}/holds/<index>.json                            a legal hold placed or released for a matter, signed
 *   {prefix}/checkpoints/YYYY/MM/<sequence>.json           a month's manifests as the chain held them at <sequence>, signed
 *
 * Part numbers continue across runs of the same day (a rerun after a crash never reuses a key), and
 * the manifest sequence is global: it is the chain's write order.
 */
import type { Day } from './day';

export const DATA_FOLDER = 'audit-logs';
const MANIFEST_FOLDER = 'manifests';
const LEASE_FOLDER = 'lease';
const REPORTS_FOLDER = 'reports';
const REPORT_BUNDLE_NAME = 'bundle.zip';
const REPORT_RECORD_NAME = 'record.json';
/** A report id as the archive accepts it in a key (the builder makes `AR-YYYYMMDD-xxxxxxxx`). */
export const REPORT_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const ROOT_NAME = 'archive.json';
export const KEY_SUCCESSION_FOLDER = 'key-succession';
export const HOLDS_FOLDER = 'holds';
export const CHECKPOINTS_FOLDER = 'checkpoints';

/**
 * A writer-lease key's name under `lease/` (see main/engine/archive/stores/s3-lease.ts): a claim's
 * heartbeat `<start>-<ttl seconds>-<holder id>-<n>.claim`, or its release
 * `<start>-<ttl seconds>-<holder id>.released`; `<start>` is `YYYYMMDDTHHMMSSZ`.
 */
const LEASE_NAME_RE =
  /^((\d{8}T\d{6}Z)-(\d{1,5})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))(?:-(\d{1,9})\.claim|\.released)$/;
const PART_RE = /^events-(\d{4,9})\.jsonl\.gz$/;
const MANIFEST_RE = /^(\d{10})\.json$/;
const KEY_SUCCESSION_RE = /^(\d{6})\.json$/;
const HOLD_RE = /^(\d{6})\.json$/;
/** A checkpoint's name: the sequence of the chain's head it was written at (10 digits, as a manifest's). */
const CHECKPOINT_RE = /^(\d{10})\.json$/;
/** The highest index a key-succession record's key can carry. */
export const MAX_KEY_SUCCESSION_INDEX = 999_999;

export function normalisePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

function join(prefix: string, ...parts: string[]): string {
  const p = normalisePrefix(prefix);
  return (p ? [p, ...parts] : parts).join('/');
}

export function dayPath(day: Day): string {
  return day.replaceAll('-', '/');
}

/** Where listings of the whole archive start ('' or `prefix/`). */
export function archiveFolder(prefix: string): string {
  const p = normalisePrefix(prefix);
  return p ? p + '/' : '';
}

export function rootKey(prefix: string): string {
  return join(prefix, ROOT_NAME);
}

export function leaseFolder(prefix: string): string {
  return join(prefix, LEASE_FOLDER) + '/';
}

export function dataFolder(prefix: string): string {
  return join(prefix, DATA_FOLDER) + '/';
}

export function manifestFolder(prefix: string): string {
  return join(prefix, MANIFEST_FOLDER) + '/';
}

export function reportBundleKey(prefix: string, reportId: string): string {
  return join(prefix, REPORTS_FOLDER, reportId, REPORT_BUNDLE_NAME);
}

export function reportRecordKey(prefix: string, reportId: string): string {
  return join(prefix, REPORTS_FOLDER, reportId, REPORT_RECORD_NAME);
}

export function keySuccessionFolder(prefix: string): string {
  return join(prefix, KEY_SUCCESSION_FOLDER) + '/';
}

/** The record of the archive's `index`-th change of signing key (1, 2, …). */
export function keySuccessionKey(prefix: string, index: number): string {
  return join(prefix, KEY_SUCCESSION_FOLDER, `${String(index).padStart(6, '0')}.json`);
}

export function holdsFolder(prefix: string): string {
  return join(prefix, HOLDS_FOLDER) + '/';
}

/** The archive's `index`-th legal-hold record (1, 2, …; main/engine/archive/holds/hold-record.ts). */
export function holdRecordKey(prefix: string, index: number): string {
  return join(prefix, HOLDS_FOLDER, `${String(index).padStart(6, '0')}.json`);
}

export function checkpointFolder(prefix: string): string {
  return join(prefix, CHECKPOINTS_FOLDER) + '/';
}

/** The checkpoint of `month` (YYYY-MM) written when the chain's head was at `sequence` (main/engine/archive/checkpoints.ts). */
export function checkpointKey(prefix: string, month: string, sequence: number): string {
  return join(prefix, CHECKPOINTS_FOLDER, month.replace('-', '/'), `${String(sequence).padStart(10, '0')}.json`);
}

export function dayDataFolder(prefix: string, day: Day): string {
  return join(prefix, DATA_FOLDER, dayPath(day)) + '/';
}

export function dayManifestFolder(prefix: string, day: Day): string {
  return join(prefix, MANIFEST_FOLDER, dayPath(day)) + '/';
}

export function dataKey(prefix: string, day: Day, part: number): string {
  return join(prefix, DATA_FOLDER, dayPath(day), `events-${String(part).padStart(4, '0')}.jsonl.gz`);
}

export function manifestKey(prefix: string, day: Day, sequence: number): string {
  return join(prefix, MANIFEST_FOLDER, dayPath(day), `${String(sequence).padStart(10, '0')}.json`);
}

interface LeaseKeyName {
  /** What every key of one claim shares: `<start>-<ttl>-<holder>`. */
  readonly claim: string;
  /** The claim's start as its writer's clock wrote it (ms since the epoch). */
  readonly startMs: number;
  readonly ttlSeconds: number;
  /** The heartbeat's number; null for the release. */
  readonly beat: number | null;
}

/** The name (the part after `lease/`) of a writer-lease key, or null when it is not one. */
export function parseLeaseKeyName(name: string): LeaseKeyName | null {
  const m = LEASE_NAME_RE.exec(name);
  if (!m) return null;
  const s = m[2] as string;
  const startMs = Date.parse(
    `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`,
  );
  if (Number.isNaN(startMs)) return null;
  return { claim: m[1] as string, startMs, ttlSeconds: Number(m[3]), beat: m[5] === undefined ? null : Number(m[5]) };
}

/** A lease key's `<start>` part for an instant (to the second), as claims are named and listed. */
export function leaseStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export type ParsedKey =
  | { kind: 'root' }
  | { kind: 'data'; day: Day; part: number }
  | { kind: 'manifest'; day: Day; sequence: number }
  | { kind: 'lease' }
  | { kind: 'report'; reportId: string; file: 'bundle' | 'record' }
  | { kind: 'key-succession'; index: number }
  | { kind: 'hold'; index: number }
  | { kind: 'checkpoint'; month: string; sequence: number }
  | { kind: 'other' };

/**
 * Classify a key found in a listing. Anything unexpected is 'other' (reported, never trusted). The
 * numbers read from a key are bounded by the patterns (a part number has at most 9 digits, a
 * sequence exactly 10), and nobody loops up to them.
 */
/** Whether year-month-day names a day of the proleptic Gregorian calendar (a listing parses thousands of keys: no Date). */
function isCalendarDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  return d <= days;
}

export function parseKey(prefix: string, key: string): ParsedKey {
  const p = normalisePrefix(prefix);
  const rel = p ? (key.startsWith(p + '/') ? key.slice(p.length + 1) : null) : key;
  if (rel === null) return { kind: 'other' };
  if (rel === ROOT_NAME) return { kind: 'root' };
  const seg = rel.split('/');
  // Only a claim's own keys are the lease's: anything else under lease/ is junk, named by verify.
  if (seg.length === 2 && seg[0] === LEASE_FOLDER && parseLeaseKeyName(seg[1] as string)) return { kind: 'lease' };
  if (seg.length === 3 && seg[0] === REPORTS_FOLDER && REPORT_ID_RE.test(seg[1] as string)) {
    if (seg[2] === REPORT_BUNDLE_NAME) return { kind: 'report', reportId: seg[1] as string, file: 'bundle' };
    if (seg[2] === REPORT_RECORD_NAME) return { kind: 'report', reportId: seg[1] as string, file: 'record' };
    return { kind: 'other' };
  }
  if (seg.length === 2 && seg[0] === KEY_SUCCESSION_FOLDER) {
    const mm = KEY_SUCCESSION_RE.exec(seg[1] as string);
    return mm && Number(mm[1]) > 0 ? { kind: 'key-succession', index: Number(mm[1]) } : { kind: 'other' };
  }
  if (seg.length === 2 && seg[0] === HOLDS_FOLDER) {
    const mm = HOLD_RE.exec(seg[1] as string);
    return mm && Number(mm[1]) > 0 ? { kind: 'hold', index: Number(mm[1]) } : { kind: 'other' };
  }
  if (seg[0] === CHECKPOINTS_FOLDER) return parseCheckpointKey(seg);
  if (seg.length !== 5) return { kind: 'other' };
  const [folder, y, m, d, name] = seg as [string, string, string, string, string];
  if (!/^\d{4}$/.test(y) || !/^\d{2}$/.test(m) || !/^\d{2}$/.test(d)) return { kind: 'other' };
  const day = `${y}-${m}-${d}`;
  // A folder that is not a real calendar day (2026/13/45) is junk, not a day.
  if (!isCalendarDay(Number(y), Number(m), Number(d))) return { kind: 'other' };
  if (folder === DATA_FOLDER) {
    const mm = PART_RE.exec(name);
    return mm ? { kind: 'data', day, part: Number(mm[1]) } : { kind: 'other' };
  }
  if (folder === MANIFEST_FOLDER) {
    const mm = MANIFEST_RE.exec(name);
    return mm && Number(mm[1]) > 0 ? { kind: 'manifest', day, sequence: Number(mm[1]) } : { kind: 'other' };
  }
  return { kind: 'other' };
}

/** `checkpoints/YYYY/MM/<sequence>.json` (a real month, a sequence above 0), else 'other'. */
function parseCheckpointKey(seg: readonly string[]): ParsedKey {
  if (seg.length !== 4) return { kind: 'other' };
  const [, y, m, name] = seg as [string, string, string, string];
  const mm = CHECKPOINT_RE.exec(name);
  if (!/^\d{4}$/.test(y) || !/^(0[1-9]|1[0-2])$/.test(m) || !mm || Number(mm[1]) === 0) return { kind: 'other' };
  return { kind: 'checkpoint', month: `${y}-${m}`, sequence: Number(mm[1]) };
}
