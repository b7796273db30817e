/**
 * `verify --copy`: proves, object by object, that the second locked copy matches the primary. Each
 * object the primary's manifests vouch for (in the range; the root always) must be in the copy, at
 * its original version, with the SHA-256 the archive recorded (the copy's bytes are read and
 * hashed: S3 Replication gives other version ids, so only the bytes can be compared) and a lock at
 * least as strong and as long as the primary's. Each that is not is named: `copy-missing`,
 * `copy-different`, `copy-unlocked`. `repairCopy` (catch-up, write mode) writes each missing one
 * from the primary's verified bytes; a different or short-locked object cannot be replaced on WORM
 * storage and stays named, and so does a key whose only versions are delete markers: the store
 * never writes a key that has any version (s3-store.ts `putObject`), so it is named for an
 * administrator to remove the marker, after which catch-up writes it.
 */
import { archiveFolder } from '../../../../shared/archive-layout';
import type { Day } from '../../../../shared/day';
import type { VerifyProblem } from '../../../../shared/verify';
import type { Archive } from '../archive';
import type { ObjectLock, ObjectVersionEntry } from '../archive-store';
import { hashArchivedObject } from '../archived-object';
import { copyObject, primaryLock, vouchedObjects, type VouchedObject } from './copy-objects';
import type { CopyTarget } from './copy-target';

/** Stores round retain-until to the second. */
const RETAIN_SLACK_MS = 1000;

interface CopyCheckOptions {
  readonly archive: Archive;
  readonly copy: CopyTarget;
  readonly from?: Day;
  readonly to?: Day;
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** Called once the copy is listed (`listing` before), then as each object is checked. */
  readonly onProgress?: (p: CopyCheckProgress) => void;
}

export interface CopyCheckProgress {
  readonly phase: 'listing' | 'objects';
  readonly done: number;
  readonly total: number;
}

export interface CopyCheckResult {
  readonly ok: boolean;
  readonly copy: string;
  readonly mode: CopyTarget['mode'];
  readonly from: Day | null;
  readonly to: Day | null;
  readonly objectsChecked: number;
  readonly problems: VerifyProblem[];
  /** Objects catch-up wrote to the copy (repair only). */
  readonly repaired: number;
}

export function verifyCopy(options: CopyCheckOptions): Promise<CopyCheckResult> {
  return checkCopy(options, false);
}

/** Writes every object missing from the copy from the primary's verified bytes, then reports what still differs. */
export function repairCopy(options: CopyCheckOptions): Promise<CopyCheckResult> {
  return checkCopy(options, true);
}

async function checkCopy(options: CopyCheckOptions, repair: boolean): Promise<CopyCheckResult> {
  const { archive, copy } = options;
  const snapshot = await archive.read({
    scope: 'layout',
    fresh: true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const inRange = (d: Day) =>
    (options.from === undefined || d >= options.from) && (options.to === undefined || d <= options.to);
  const objects = vouchedObjects(snapshot.assessment, inRange);
  options.onProgress?.({ phase: 'listing', done: 0, total: objects.length });
  const listed = new Map<string, ObjectVersionEntry[]>();
  for await (const v of copy.store.listVersions(archiveFolder(copy.store.prefix)))
    listed.set(v.key, [...(listed.get(v.key) ?? []), v]);
  const problems: VerifyProblem[] = [];
  let repaired = 0;
  let next = 0;
  let done = 0;
  const progress = (): void => options.onProgress?.({ phase: 'objects', done, total: objects.length });
  progress();
  const worker = async () => {
    while (next < objects.length) {
      options.signal?.throwIfAborted();
      const o = objects[next++] as VouchedObject;
      const versions = listed.get(copy.copyKey(o.key)) ?? [];
      const original = versions.filter((v) => !v.isDeleteMarker).at(-1);
      if (!original && repair && versions.length === 0) {
        await copyObject(archive.store, copy, o);
        repaired += 1;
      } else if (!original) problems.push(missing(copy, o, versions.length > 0));
      else problems.push(...(await checkOne(archive, copy, o, original)));
      done += 1;
      progress();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 16, objects.length)) }, worker));
  problems.sort((a, b) => (a.day ?? '').localeCompare(b.day ?? '') || (a.key ?? '').localeCompare(b.key ?? ''));
  const days = objects.flatMap((o) => (o.day ? [o.day] : [])).sort();
  return {
    ok: problems.length === 0,
    copy: copy.store.url,
    mode: copy.mode,
    from: options.from ?? days[0] ?? null,
    to: options.to ?? days.at(-1) ?? null,
    objectsChecked: objects.length,
    problems,
    repaired,
  };
}

function missing(copy: CopyTarget, o: VouchedObject, deleteMarker: boolean): VerifyProblem {
  const key = copy.copyKey(o.key);
  return {
    day: o.day,
    kind: 'copy-missing',
    key,
    detail: `${key} is ${deleteMarker ? 'hidden by a delete marker' : 'missing'} in the copy ${copy.store.url}${missingAdvice(copy, deleteMarker)}.`,
  };
}

function missingAdvice(copy: CopyTarget, deleteMarker: boolean): string {
  if (copy.mode !== 'write') return ': check the replication rule, or run catch-up in write mode';
  if (deleteMarker)
    return ': catch-up writes no version over a key that has any; once an administrator removes the delete marker, catch-up writes it from the primary’s verified bytes';
  return ': catch-up writes it from the primary’s verified bytes';
}

async function checkOne(
  archive: Archive,
  copy: CopyTarget,
  o: VouchedObject,
  v: ObjectVersionEntry,
): Promise<VerifyProblem[]> {
  const key = copy.copyKey(o.key);
  const { sha256 } = await hashArchivedObject(copy.store, { key, versionId: v.versionId });
  if (sha256 !== o.sha256)
    return [
      {
        day: o.day,
        kind: 'copy-different',
        key,
        detail: `${key} in the copy ${copy.store.url} has SHA-256 ${sha256}, not the ${o.sha256} the primary's manifest records.`,
      },
    ];
  const [info, wanted] = await Promise.all([copy.store.headObject(key, v.versionId), primaryLock(archive.store, o)]);
  const weak = lockShortfall(info?.lock ?? null, wanted);
  return weak
    ? [{ day: o.day, kind: 'copy-unlocked', key, detail: `${key} in the copy ${copy.store.url} ${weak}.` }]
    : [];
}

/** How the copy's lock falls short of the primary's (null: it does not). */
function lockShortfall(lock: ObjectLock | null, primary: ObjectLock | null): string | null {
  if (!lock) return 'has no lock (or the role lacks s3:GetObjectRetention on the copy)';
  if (!primary) return null;
  if (primary.mode === 'COMPLIANCE' && lock.mode !== 'COMPLIANCE')
    return `is locked in ${lock.mode} mode, weaker than the primary's COMPLIANCE`;
  if (Date.parse(lock.retainUntil) + RETAIN_SLACK_MS < Date.parse(primary.retainUntil))
    return `is retained until ${lock.retainUntil}, earlier than the primary's ${primary.retainUntil}`;
  return null;
}
