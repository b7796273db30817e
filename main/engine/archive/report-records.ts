/**
 * Reading the records of report copies (`reports/<id>/record.json`): each record's original version
 * is read and checked (schema, canonical form, signature against the root's key). There are few
 * (one per report an officer chose to keep in the archive), so they are read fresh every time the
 * whole archive is listed, never cached.
 *
 * A record is outside input: a bad one is an `invalid` read naming its key and why, never a thrown
 * error; only an unreachable store throws.
 */
import { describeIssues } from '../../../shared/describe-issues';
import { ReportRecordSchema, type ReportRecord } from '../../../shared/reports/report-record';
import { originalVersion, type ArchiveListing } from './archive-listing';
import type { ArchiveStore } from './archive-store';
import type { RootKey } from './manifest-catalog';
import { canonicalJsonBytes, documentSignatureValid, sha256Hex } from './signing';
import { readArchivedDocument } from './archived-object';

/** A record holds a bundle's name and a list of its files: far below this. */
const MAX_RECORD_BYTES = 1024 * 1024;
const READ_CONCURRENCY = 8;

export type ReportRecordRead =
  | {
      readonly ok: true;
      readonly key: string;
      readonly versionId: string | null;
      readonly sha256: string;
      readonly record: ReportRecord;
      /** Whether its signature verifies with the root's key. */
      readonly signed: boolean;
    }
  | { readonly ok: false; readonly key: string; readonly versionId: string | null; readonly detail: string };

/** Checks one record version's bytes (no I/O). */
export function checkReportRecordBytes(
  key: string,
  versionId: string | null,
  bytes: Uint8Array,
  rootKey: RootKey | null,
): ReportRecordRead {
  const invalid = (detail: string): ReportRecordRead => ({ ok: false, key, versionId, detail });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return invalid(`${key} is not valid JSON.`);
  }
  const parsed = ReportRecordSchema.safeParse(json);
  if (!parsed.success) return invalid(`${key} is not a report record: ${describeIssues(parsed.error, 'record')}.`);
  if (!Buffer.from(bytes).equals(canonicalJsonBytes(parsed.data)))
    return invalid(
      `${key} is not in the canonical form the archive writes (bytes were added or rearranged after it was written).`,
    );
  const signed = rootKey !== null && documentSignatureValid(parsed.data, rootKey.publicKey, rootKey.fingerprint);
  return { ok: true, key, versionId, sha256: sha256Hex(bytes), record: parsed.data, signed };
}

/** The record of every report copy the listing holds, by report id. */
export async function readReportRecords(
  store: ArchiveStore,
  listing: ArchiveListing,
  rootKey: RootKey | null,
  signal?: AbortSignal,
): Promise<Map<string, ReportRecordRead>> {
  const todo = [...listing.reports.values()].flatMap((r) => {
    const version = r.record ? originalVersion(r.record) : null;
    return version && r.record ? [{ reportId: r.reportId, key: r.record.key, versionId: version.versionId }] : [];
  });
  const out = new Map<string, ReportRecordRead>();
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      signal?.throwIfAborted();
      const item = todo[next++]!;
      out.set(item.reportId, await readOne(store, item.key, item.versionId, rootKey));
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, todo.length) }, worker));
  return out;
}

async function readOne(
  store: ArchiveStore,
  key: string,
  versionId: string | null,
  rootKey: RootKey | null,
): Promise<ReportRecordRead> {
  const read = await readArchivedDocument(store, { key, versionId }, MAX_RECORD_BYTES);
  if (!read.ok)
    return {
      ok: false,
      key,
      versionId,
      detail:
        read.reason === 'too-large'
          ? `${key} is larger than a report record can be.`
          : `${key} is listed but cannot be read at its version.`,
    };
  return checkReportRecordBytes(key, versionId, read.bytes, rootKey);
}
