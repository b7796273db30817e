/**
 * HeadRecord: what this installation last knew of an archive (its id, signing key, and the head of
 * its chain it last wrote or verified), kept in the local state folder.
 *
 * CloudTrail's validator cannot see a digest removed at the very head before anyone recorded it.
 * This record is that someone: the newest manifest removed from a folder, the whole archive gone, an
 * unmounted share, or a root swapped for another all show as the head going backwards or changing
 * under this installation, in verify and before any write.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { writeFileAtomically } from '../files/write-file-atomically';
import { readRegularFile } from '../files/regular-file';

/** A head record is a few hundred bytes. */
const MAX_HEAD_RECORD_BYTES = 64 * 1024;

const HeadRecordSchema = z.object({
  format: z.literal('audit-archive/head@1'),
  archiveUrl: z.string(),
  archiveId: z.uuid(),
  keyFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  /** The signing key in effect when this installation last wrote or verified (absent in older records). */
  currentKey: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  head: z
    .object({ key: z.string(), sequence: z.number().int().positive(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })
    .nullable(),
  at: z.string(),
});
export type HeadRecord = z.infer<typeof HeadRecordSchema>;

export function headRecordPath(stateDir: string, archiveUrl: string): string {
  return join(stateDir, `head-${createHash('sha256').update(archiveUrl).digest('hex').slice(0, 16)}.json`);
}

/** The record, or null when there is none (a new installation) or it cannot be read (said in a warning). */
export async function readHeadRecord(
  stateDir: string,
  archiveUrl: string,
  onWarning: (m: string) => void,
): Promise<HeadRecord | null> {
  const file = headRecordPath(stateDir, archiveUrl);
  let text: string;
  try {
    // Never opened unless it is a regular file: a named pipe planted here must not hang verify.
    const read = await readRegularFile(file, MAX_HEAD_RECORD_BYTES);
    if (!read.ok) {
      onWarning(`The head record ${file} is ${read.what}, not a record: a rewound head cannot be detected this time.`);
      return null;
    }
    text = read.text;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      onWarning(
        `The head record ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}): a rewound head cannot be detected this time.`,
      );
    return null;
  }
  try {
    const parsed = HeadRecordSchema.safeParse(JSON.parse(text));
    if (parsed.success && parsed.data.archiveUrl === archiveUrl) return parsed.data;
  } catch {
    // reported below
  }
  onWarning(
    `The head record ${file} is damaged: a rewound head cannot be detected this time; it is written afresh after this run.`,
  );
  return null;
}

/** Writes the record; a failure is a warning (bookkeeping never fails finished work). */
export async function writeHeadRecord(
  stateDir: string,
  record: Omit<HeadRecord, 'format'>,
  onWarning: (m: string) => void,
): Promise<void> {
  const file = headRecordPath(stateDir, record.archiveUrl);
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomically(file, JSON.stringify({ format: 'audit-archive/head@1', ...record }));
  } catch (e) {
    onWarning(
      `The head record ${file} cannot be written (${(e as NodeJS.ErrnoException).code ?? 'error'}): this installation cannot tell later whether the archive's head went backwards.`,
    );
  }
}
