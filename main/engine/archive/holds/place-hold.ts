/**
 * Placing and releasing legal holds by matter. Both run under the writer lease (the record's index
 * is the archive's next), decide every refusal from one read before anything changes, turn the
 * holds ON or OFF (the first version alone, so credentials the policy refuses change nothing), and
 * only then write the signed record, locked like a manifest and read back.
 *
 * A day under two matters stays held until both are released: a release turns OFF only versions of
 * days no other matter holds, and the root only when no matter is left.
 */
import { holdRecordKey } from '../../../../shared/archive-layout';
import type { ArchiveRoot } from '../../../../shared/archive-root';
import { eachDay, lastSettledDay, type Day } from '../../../../shared/day';
import { AuditArchiveError } from '../../../../shared/errors';
import type { Archive, ArchiveSnapshot } from '../archive';
import type { ArchiveStore } from '../archive-store';
import { canonicalJsonBytes, sha256Hex, signDocument, type SigningKey } from '../signing';
import { confirmLock } from '../stores/confirm-lock';
import {
  HOLD_RECORD_FORMAT,
  HoldRecordSchema,
  MAX_HOLD_INDEX,
  type HoldRecord,
  type UnsignedHoldRecord,
} from './hold-record';
import { readHoldLedger, type HoldLedger } from './hold-ledger';
import { dayVersions, isArchived, rootVersion, setHolds } from './hold-versions';

export interface HoldWho {
  readonly matter: string;
  readonly reference: string;
  readonly reason: string;
  readonly by: string;
  readonly toolVersion: string;
  readonly settlementMinutes: number;
  readonly signal?: AbortSignal;
}

export interface HoldResult {
  readonly recordKey: string;
  readonly matter: string;
  /** Archived days whose versions were held (place) or let go (release). */
  readonly days: readonly Day[];
  /** Days of the period not archived yet (after the last settled day): held as they land. */
  readonly later: readonly Day[];
  /** Days a release left held because another matter still holds them. */
  readonly stillHeld: readonly Day[];
  readonly versions: number;
}

type SetLegalHold = NonNullable<ArchiveStore['setLegalHold']>;

/** Why `store` cannot hold anything (a local folder), in words said before anything is done; null when it can. */
export function holdRefusal(store: ArchiveStore): string | null {
  if (store.setLegalHold && store.kind !== 'local') return null;
  return `${store.url} is a local folder: it cannot enforce a legal hold (anyone who can write the folder can delete a file), so the product does not pretend to place one. Holds need S3 Object Lock storage.`;
}

/** The store's hold primitive, or a refusal a local folder's user understands. */
function holdPrimitive(store: ArchiveStore): SetLegalHold {
  const refusal = holdRefusal(store);
  if (refusal !== null || !store.setLegalHold)
    throw new AuditArchiveError('INVALID_ARGUMENT', `${refusal ?? ''} Nothing was written.`.trim());
  return store.setLegalHold.bind(store);
}

export async function placeHold(archive: Archive, request: HoldWho & { from: Day; to: Day }): Promise<HoldResult> {
  const set = holdPrimitive(archive.store);
  checkWords(request);
  return underHoldLease(archive, request, async (snapshot, ledger, key, root) => {
    const now = (archive.options.now ?? Date.now)();
    const lastSettled = lastSettledDay(now, request.settlementMinutes);
    const period = [...eachDay(request.from, request.to)];
    const notArchived = period.filter((d) => d <= lastSettled && !isArchived(snapshot.assessment, d));
    if (notArchived.length > 0)
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `${notArchived.length} day(s) of ${request.from} to ${request.to} are not archived, so there is nothing of them to hold: ${listDays(notArchived)}. Archive them first (catch-up), or hold a period that is archived. Nothing was written.`,
        { issues: [{ path: ['period'], message: `not archived: ${listDays(notArchived)}` }] },
      );
    const days = period.filter((d) => isArchived(snapshot.assessment, d));
    const versions = [...rootVersion(snapshot.assessment), ...dayVersions(snapshot.assessment, days)];
    await setHolds(set, versions, true, request.signal);
    const recordKey = await writeHoldRecord(archive, key, {
      ...base(root, ledger, request, now),
      action: 'place',
      from: request.from,
      to: request.to,
      days,
      versions: versions.length,
    });
    return {
      recordKey,
      matter: request.matter,
      days,
      later: period.filter((d) => d > lastSettled),
      stillHeld: [],
      versions: versions.length,
    };
  });
}

export async function releaseHold(archive: Archive, request: HoldWho): Promise<HoldResult> {
  const set = holdPrimitive(archive.store);
  checkWords(request);
  return underHoldLease(archive, request, async (snapshot, ledger, key, root) => {
    const held = ledger.matters.get(request.matter);
    if (!held) {
      const names = [...ledger.matters.keys()].sort();
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `No matter named '${request.matter}' holds anything in ${archive.store.url}${names.length ? `; matters holding days now: ${names.join(', ')}` : '; no matter holds anything now'} (see \`audit-archive hold list\`). Nothing was written.`,
        { issues: [{ path: ['matter'], message: 'no matter of this name holds anything now' }] },
      );
    }
    const covered = new Set(held.periods.flatMap((p) => [...eachDay(p.from, p.to)]));
    const archived = [...covered].filter((d) => isArchived(snapshot.assessment, d)).sort();
    const others = (d: Day) => ledger.mattersOf(d).some((m) => m !== request.matter);
    const days = archived.filter((d) => !others(d));
    const lastMatter = ledger.matters.size === 1;
    const versions = [
      ...(lastMatter ? rootVersion(snapshot.assessment) : []),
      ...dayVersions(snapshot.assessment, days),
    ];
    await setHolds(set, versions, false, request.signal);
    const now = (archive.options.now ?? Date.now)();
    const recordKey = await writeHoldRecord(archive, key, {
      ...base(root, ledger, request, now),
      action: 'release',
      from: null,
      to: null,
      days: [],
      versions: versions.length,
    });
    return {
      recordKey,
      matter: request.matter,
      days,
      later: [],
      stillHeld: archived.filter(others),
      versions: versions.length,
    };
  });
}

/** The lease, a fresh read, the ledger and the key in effect (which this installation must hold). */
function underHoldLease<T>(
  archive: Archive,
  request: HoldWho,
  fn: (snapshot: ArchiveSnapshot, ledger: HoldLedger, key: SigningKey, root: ArchiveRoot) => Promise<T>,
): Promise<T> {
  return archive.underLease(
    { scope: 'layout', refuseChanged: true, ...(request.signal ? { signal: request.signal } : {}) },
    async (_lease, snapshot) => {
      const root = snapshot.assessment.root;
      if (root.status !== 'ok')
        throw new AuditArchiveError(
          root.status === 'absent' ? 'INVALID_ARGUMENT' : 'ARCHIVE_INTEGRITY',
          `${archive.store.url} ${root.status === 'absent' ? 'holds no archive yet' : 'has an invalid root (run verify)'}: there is nothing to hold. Nothing was written.`,
        );
      const ledger = await readHoldLedger(archive.store, snapshot.assessment, request.signal);
      if (ledger.nextIndex > MAX_HOLD_INDEX)
        throw new AuditArchiveError(
          'ARCHIVE_INTEGRITY',
          `Every legal-hold record number is taken (junk was written under holds/): run verify. Nothing was written.`,
        );
      const current = snapshot.assessment.keys.current;
      const key = current ? await archive.options.keys.get(current.fingerprint, root.root.purpose) : null;
      if (!key)
        throw new AuditArchiveError(
          'ARCHIVE_KEY_MISSING',
          `A hold record is signed with the archive's key, which this installation does not hold (looked in ${archive.options.keys.description}): run this where the key is kept, or import it (audit-archive key import). Nothing was written.`,
        );
      return fn(snapshot, ledger, key, root.root);
    },
  );
}

function base(root: ArchiveRoot, ledger: HoldLedger, w: HoldWho, now: number) {
  return {
    format: HOLD_RECORD_FORMAT as typeof HOLD_RECORD_FORMAT,
    archiveId: root.archiveId,
    index: ledger.nextIndex,
    matter: w.matter,
    reference: w.reference,
    reason: w.reason,
    by: w.by,
    createdAt: new Date(now).toISOString(),
    tool: { name: 'audit-archive' as const, version: w.toolVersion },
  };
}

async function writeHoldRecord(archive: Archive, key: SigningKey, unsigned: UnsignedHoldRecord): Promise<string> {
  const record: HoldRecord = signDocument(unsigned, key);
  if (!HoldRecordSchema.safeParse(record).success)
    throw new AuditArchiveError('INTERNAL', 'The legal-hold record built is invalid. Nothing was written.');
  const body = canonicalJsonBytes(record);
  const lock = archive.lockFor(Date.parse(record.createdAt));
  const recordKey = holdRecordKey(archive.store.prefix, record.index);
  const put = await archive.store.putObject({
    key: recordKey,
    body,
    sha256: sha256Hex(body),
    contentType: 'application/json',
    lock,
  });
  await confirmLock(archive.store, put, { size: body.length, lock });
  return recordKey;
}

/** The officer's words go into a locked record: checked before anything is done. */
function checkWords(w: HoldWho): void {
  const bad = HoldRecordSchema.pick({ matter: true, reference: true, reason: true, by: true }).safeParse({
    matter: w.matter,
    reference: w.reference,
    reason: w.reason,
    by: w.by,
  });
  if (!bad.success)
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `${bad.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')} (the matter and reference up to 200 characters, the reason up to 500, each one line; they are kept in the archive for good). Nothing was written.`,
      { issues: bad.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
    );
}

function listDays(days: readonly Day[]): string {
  return days.length <= 20 ? days.join(', ') : `${days.slice(0, 20).join(', ')} and ${days.length - 20} more`;
}
