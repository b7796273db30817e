/**
 * The report's bundle: `SHA256SUMS` over every file of the report folder (the format `sha256sum -c`
 * reads), and a zip of the folder that is byte-for-byte reproducible: files in name order, one
 * compression level (gzip files stored as they are), fixed chunking, and every entry's time set to
 * the report's generation time (as UTC wall-clock time, so the zip does not depend on the machine's
 * zone).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { ReportFile } from '../../../shared/reports/report-record';

export const SUMS_NAME = 'SHA256SUMS';
const CHUNK = 64 * 1024;

export async function sha256OfFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Hashes `names` (relative, `/`-separated) in `folder` and writes SHA256SUMS beside them. */
export async function writeSha256Sums(folder: string, names: readonly string[]): Promise<ReportFile[]> {
  const files: ReportFile[] = [];
  for (const name of [...names].sort()) {
    const { sha256, size } = await sha256OfFile(path.join(folder, ...name.split('/')));
    files.push({ name, sha256, size });
  }
  // Two spaces: sha256sum's text mode, which `sha256sum -c` accepts on every platform's coreutils.
  await fs.writeFile(path.join(folder, SUMS_NAME), files.map((f) => `${f.sha256}  ${f.name}\n`).join(''), {
    flag: 'wx',
  });
  return files;
}

/**
 * Zips `names` from `folder` under `root/` into `zipFile`; returns the zip's SHA-256 and size.
 * `generatedAt` (ISO, UTC) becomes every entry's modification time.
 */
export async function writeBundleZip(
  folder: string,
  root: string,
  names: readonly string[],
  zipFile: string,
  generatedAt: string,
): Promise<{ sha256: string; size: number }> {
  const out = createWriteStream(zipFile, { flags: 'wx' });
  const hash = createHash('sha256');
  let size = 0;
  let failure: Error | null = null;
  const zip = new Zip((err, data) => {
    if (err) {
      failure = err;
      return;
    }
    hash.update(data);
    size += data.length;
    out.write(data);
  });
  // A zip stores local time without a zone: the UTC wall-clock time, read back the same anywhere.
  const mtime = generatedAt.slice(0, 19);
  try {
    for (const name of [...names].sort()) {
      // Archived objects are gzip already: deflating them again costs time and saves nothing.
      const entry = name.endsWith('.gz')
        ? new ZipPassThrough(`${root}/${name}`)
        : new ZipDeflate(`${root}/${name}`, { level: 6 });
      entry.mtime = mtime;
      zip.add(entry);
      let last: Buffer | null = null;
      for await (const chunk of createReadStream(path.join(folder, ...name.split('/')), { highWaterMark: CHUNK })) {
        if (last) entry.push(last);
        last = chunk as Buffer;
        if (out.writableNeedDrain) await new Promise<void>((resolve) => out.once('drain', resolve));
      }
      entry.push(last ?? new Uint8Array(0), true);
      if (failure) throw failure;
    }
    zip.end();
    if (failure) throw failure;
    out.end();
    await finished(out);
  } catch (e) {
    out.destroy();
    throw e;
  }
  return { sha256: hash.digest('hex'), size };
}
