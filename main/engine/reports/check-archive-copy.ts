/**
 * The copy of a report kept in the archive, checked again: its record is still this archive's,
 * signed with its key, names the bundle beside the report (by the bundle file's own SHA-256, not
 * the receipt's), and the archived bundle's bytes hash to it.
 */
import { createHash } from 'node:crypto';
import type { ReportReceipt } from '../../../shared/reports/report-receipt';
import type { Archive } from '../archive/archive';
import { reportRecordSigned } from '../archive/key-succession';
import { checkReportRecordBytes } from '../archive/report-records';
import type { ReportCheck } from './report-check';

async function readAll(archive: Archive, key: string, versionId: string | null): Promise<Buffer | null> {
  const chunks: Uint8Array[] = [];
  try {
    for await (const c of archive.store.getObject(key, versionId)) chunks.push(c);
  } catch {
    return null;
  }
  return Buffer.concat(chunks);
}

async function streamedSha256(archive: Archive, key: string, versionId: string | null): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for await (const c of archive.store.getObject(key, versionId)) hash.update(c);
  } catch {
    return null;
  }
  return hash.digest('hex');
}

export async function checkArchiveCopy(
  receipt: ReportReceipt,
  archive: Archive | null,
  bundleSha256: string,
): Promise<ReportCheck> {
  const what = 'Archive copy';
  const copy = receipt.archiveCopy;
  if (!copy) return { what, ok: true, detail: 'No copy was kept in the archive.' };
  if (!archive)
    return {
      what,
      ok: false,
      detail: `The copy is in ${receipt.archive}, which is not the archive open here; check it there with \`audit-archive verify\`.`,
    };
  // The root is read from the store every time (only manifests are cached): its key is what the record must be signed with.
  const { assessment } = await archive.read({ scope: 'layout' });
  const root = assessment.root;
  const bytes = await readAll(archive, copy.recordKey, copy.recordVersionId);
  const read = bytes
    ? checkReportRecordBytes(copy.recordKey, copy.recordVersionId, bytes, root.status === 'ok' ? root.signingKey : null)
    : null;
  if (!read || !read.ok)
    return {
      what,
      ok: false,
      detail: read && !read.ok ? read.detail : `${copy.recordKey} cannot be read from the archive.`,
    };
  // Signed with the key in effect then: the root's, or one a key-succession record named (and, for a
  // retired key, the record that retired it lists this report).
  if (
    !reportRecordSigned(assessment.keys, read.record, read.signed) ||
    root.status !== 'ok' ||
    read.record.archiveId !== root.root.archiveId
  )
    return {
      what,
      ok: false,
      detail: `${copy.recordKey} is not signed with this archive's key: it is not the record the report wrote.`,
    };
  if (read.record.bundle.sha256 !== bundleSha256)
    return {
      what,
      ok: false,
      detail: `${copy.recordKey} records a bundle with SHA-256 ${read.record.bundle.sha256}, not this one.`,
    };
  const sha = await streamedSha256(archive, copy.bundleKey, copy.bundleVersionId);
  return sha === bundleSha256
    ? {
        what,
        ok: true,
        detail: `${copy.bundleKey} in the archive is this bundle, and its record is signed with the archive's key.`,
      }
    : {
        what,
        ok: false,
        detail: sha
          ? `${copy.bundleKey} in the archive has SHA-256 ${sha}, not this bundle's.`
          : `${copy.bundleKey} cannot be read from the archive at its version.`,
      };
}
