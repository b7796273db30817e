/**
 * Re-checking a report after the fact (the Reports page's "Re-check"): the bundle still has the
 * SHA-256 its receipt recorded; every file inside it matches the bundle's SHA256SUMS and the
 * receipt; the unzipped folder beside it still matches too; and, when a copy was kept in the
 * archive, its record is still this archive's, signed with its key, names that bundle at its
 * version, and the archived bundle's bytes hash to the same SHA-256.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Unzip, UnzipInflate } from 'fflate';
import type { ReportReceipt } from '../../../shared/reports/report-receipt';
import type { Archive } from '../archive/archive';
import { reportRecordSigned } from '../archive/key-succession';
import { checkReportRecordBytes } from '../archive/report-records';
import { sha256OfFile, SUMS_NAME } from './report-bundle';

export interface ReportCheck {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Each entry of a zip with its SHA-256 and the text of one entry (`SHA256SUMS`). */
async function zipEntries(file: string, textOf: string): Promise<{ hashes: Map<string, string>; text: string | null }> {
  const hashes = new Map<string, string>();
  let text: string | null = null;
  const pending: Array<Promise<void>> = [];
  const unzip = new Unzip((entry) => {
    const hash = createHash('sha256');
    const chunks: Uint8Array[] | null = entry.name.endsWith(`/${textOf}`) ? [] : null;
    pending.push(
      new Promise<void>((resolve, reject) => {
        entry.ondata = (err, data, final) => {
          if (err) return reject(err);
          hash.update(data);
          chunks?.push(data);
          if (final) {
            hashes.set(entry.name, hash.digest('hex'));
            if (chunks) text = Buffer.concat(chunks).toString('utf8');
            resolve();
          }
        };
      }),
    );
    entry.start();
  });
  unzip.register(UnzipInflate);
  let last: Buffer | null = null;
  for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 })) {
    if (last) unzip.push(last);
    last = chunk as Buffer;
  }
  unzip.push(last ?? new Uint8Array(0), true);
  await Promise.all(pending);
  return { hashes, text };
}

export async function checkReport(receipt: ReportReceipt, archive: Archive | null): Promise<ReportCheck[]> {
  const checks: ReportCheck[] = [];
  const add = (what: string, ok: boolean, detail: string) => checks.push({ what, ok, detail });

  // The bundle as a whole.
  let bundleSha: string | null = null;
  try {
    bundleSha = (await sha256OfFile(receipt.bundle)).sha256;
    add(
      'Bundle',
      bundleSha === receipt.bundleSha256,
      bundleSha === receipt.bundleSha256
        ? `${path.basename(receipt.bundle)} has the SHA-256 recorded when it was made (${bundleSha}).`
        : `${path.basename(receipt.bundle)} now has SHA-256 ${bundleSha}, not the ${receipt.bundleSha256} recorded: it was changed.`,
    );
  } catch (e) {
    add('Bundle', false, `${receipt.bundle} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
  }

  // Inside the bundle: SHA256SUMS, and every file against it and the receipt.
  if (bundleSha !== null) {
    try {
      const { hashes, text } = await zipEntries(receipt.bundle, SUMS_NAME);
      const root = `${receipt.reportId}/`;
      const sums = new Map(
        (text ?? '')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(66), l.slice(0, 64)] as const),
      );
      const bad: string[] = [];
      for (const f of receipt.files) {
        const inZip = hashes.get(root + f.name);
        if (inZip !== f.sha256 || sums.get(f.name) !== f.sha256) bad.push(f.name);
      }
      const extra = [...hashes.keys()].filter(
        (n) => n !== root + SUMS_NAME && !receipt.files.some((f) => root + f.name === n),
      );
      add(
        'Files in the bundle',
        text !== null && bad.length === 0 && extra.length === 0,
        text === null
          ? `The bundle holds no ${SUMS_NAME}.`
          : bad.length || extra.length
            ? `${[...bad, ...extra].join(', ')} ${bad.length + extra.length === 1 ? 'does' : 'do'} not match ${SUMS_NAME} and the receipt.`
            : `All ${receipt.files.length} files match ${SUMS_NAME} and the receipt.`,
      );
    } catch (e) {
      add('Files in the bundle', false, `The bundle cannot be read as a zip (${(e as Error).message}).`);
    }
  }

  // The unzipped folder beside it.
  const changed: string[] = [];
  for (const f of receipt.files) {
    try {
      if ((await sha256OfFile(path.join(receipt.folder, ...f.name.split('/')))).sha256 !== f.sha256)
        changed.push(f.name);
    } catch {
      changed.push(`${f.name} (missing)`);
    }
  }
  add(
    'Report folder',
    changed.length === 0,
    changed.length === 0
      ? `Every file in ${receipt.folder} matches.`
      : `Changed since the report was made: ${changed.join(', ')}.`,
  );

  // The copy kept in the archive.
  if (receipt.archiveCopy) {
    const copy = receipt.archiveCopy;
    if (!archive || archive.store.url !== receipt.archive) {
      add(
        'Archive copy',
        false,
        `The copy is in ${receipt.archive}, which is not the archive open here; check it there with \`audit-archive verify\`.`,
      );
    } else {
      const snapshot = await archive.read({ scope: 'layout' });
      const root = snapshot.assessment.root;
      const chunks: Uint8Array[] = [];
      let readable = true;
      try {
        for await (const c of archive.store.getObject(copy.recordKey, copy.recordVersionId)) chunks.push(c);
      } catch {
        readable = false;
      }
      const read = readable
        ? checkReportRecordBytes(
            copy.recordKey,
            copy.recordVersionId,
            Buffer.concat(chunks),
            root.status === 'ok' ? root.signingKey : null,
          )
        : null;
      if (!read || !read.ok) {
        add(
          'Archive copy',
          false,
          read && !read.ok ? read.detail : `${copy.recordKey} cannot be read from the archive.`,
        );
      } else if (
        !reportRecordSigned(snapshot.assessment.keys, read.record, read.signed) ||
        root.status !== 'ok' ||
        read.record.archiveId !== root.root.archiveId
      ) {
        add(
          'Archive copy',
          false,
          `${copy.recordKey} is not signed with this archive's key: it is not the record the report wrote.`,
        );
      } else if (read.record.bundle.sha256 !== receipt.bundleSha256) {
        add(
          'Archive copy',
          false,
          `${copy.recordKey} records a bundle with SHA-256 ${read.record.bundle.sha256}, not this one.`,
        );
      } else {
        const hash = createHash('sha256');
        let ok = true;
        try {
          for await (const c of archive.store.getObject(copy.bundleKey, copy.bundleVersionId)) hash.update(c);
        } catch {
          ok = false;
        }
        const archived = ok ? hash.digest('hex') : null;
        add(
          'Archive copy',
          archived === receipt.bundleSha256,
          archived === receipt.bundleSha256
            ? `${copy.bundleKey} in the archive is this bundle, and its record is signed with the archive's key.`
            : archived
              ? `${copy.bundleKey} in the archive has SHA-256 ${archived}, not this bundle's.`
              : `${copy.bundleKey} cannot be read from the archive at its version.`,
        );
      }
    }
  }
  return checks;
}
