/**
 * Re-checking a report after the fact (the Reports page's "Re-check"). It checks, and trusts
 * nothing it can check: the receipt beside a report is only where to look (its SHA-256 can be
 * rewritten with the bundle), so the bundle must prove itself:
 *
 * - the bundle's SHA256SUMS.sig verifies SHA256SUMS with the bundle's archive-public-key.pem, and,
 *   when the archive is reachable, that key is the archive's own (the key in effect, or one a
 *   rotation retired since: key-succession.ts);
 * - every file in the bundle is listed in SHA256SUMS with its hash, and nothing is missing or extra;
 * - the unzipped folder beside it holds exactly those files, with those hashes;
 * - when the archive is reachable: every archived file the bundle holds (root, manifests) is still
 *   the archive's at its version, byte for byte, and every cited object hashes to what it did;
 * - and, when a copy was kept in the archive, its record is still this archive's, signed, names this
 *   bundle, and the archived bundle's bytes hash to it.
 */
import { createHash, createPublicKey } from 'node:crypto';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { formatFingerprint } from '../../../shared/archive-root';
import { ReportEvidenceSchema, type ReportEvidence } from '../../../shared/reports/report-evidence';
import type { ReportReceipt } from '../../../shared/reports/report-receipt';
import type { Archive } from '../archive/archive';
import type { Assessment } from '../archive/assessment';
import type { KeyHistory } from '../archive/key-succession';
import { fingerprintOfPublicKey } from '../archive/signing';
import { checkArchiveCopy } from './check-archive-copy';
import { PUBLIC_KEY_NAME, SIGNATURE_NAME, sumsSignatureValid } from './bundle-signature';
import { sha256OfFile, SUMS_NAME } from './report-bundle';
import { readZip, type ZipContents } from './report-zip';

export type { ReportCheck } from './report-check';
import type { ReportCheck } from './report-check';

/** `SHA256SUMS` as a map of name to SHA-256 (null: not in sha256sum's format). */
function parseSums(text: string): Map<string, string> | null {
  const sums = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m) return null;
    sums.set(m[2] as string, m[1] as string);
  }
  return sums;
}

function listed(names: readonly string[]): string {
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}

/** Names of a file set against SHA256SUMS: changed, missing, extra. */
function compareToSums(sums: ReadonlyMap<string, string>, hashes: ReadonlyMap<string, string>): string[] {
  const changed = [...sums].filter(([n, h]) => hashes.has(n) && hashes.get(n) !== h).map(([n]) => n);
  const missing = [...sums.keys()].filter((n) => !hashes.has(n));
  const extra = [...hashes.keys()].filter((n) => !sums.has(n) && n !== SUMS_NAME && n !== SIGNATURE_NAME);
  return [
    ...(changed.length ? [`changed: ${listed(changed)}`] : []),
    ...(missing.length ? [`missing: ${listed(missing)}`] : []),
    ...(extra.length ? [`not listed in ${SUMS_NAME} (added afterwards): ${listed(extra)}`] : []),
  ];
}

/**
 * SHA256SUMS.sig against the bundle's public key (the folder's when the bundle cannot be read), and
 * that key against the archive's key history: the key in effect, or a key a rotation retired since
 * (a report made before the rotation was signed with it; whoever still holds that key could sign
 * one too, which the detail says). A key the history does not hold, or one a lost-key restart
 * replaced, is not the archive's.
 */
function signatureCheck(copy: ZipContents | null, assessment: Assessment | null): ReportCheck {
  const what = 'Signature';
  const sums = copy?.bytes.get(SUMS_NAME);
  const sig = copy?.bytes.get(SIGNATURE_NAME);
  const pem = copy?.bytes.get(PUBLIC_KEY_NAME)?.toString('utf8');
  if (!sig || !sums)
    return {
      what,
      ok: false,
      detail: `The bundle is unsigned (no ${SIGNATURE_NAME}): nothing shows its ${SUMS_NAME} was not computed again after a change.`,
    };
  const valid = pem ? sumsSignatureValid(pem, sums, sig) : null;
  if (!valid)
    return {
      what,
      ok: false,
      detail: `${SIGNATURE_NAME} does not verify ${SUMS_NAME} with the bundle's ${PUBLIC_KEY_NAME}: a file was changed and ${SUMS_NAME} computed again, or the key was swapped.`,
    };
  const fingerprint = pemFingerprint(pem as string);
  if (!assessment)
    return {
      what,
      ok: true,
      detail: `${SUMS_NAME} is signed by the key ${formatFingerprint(fingerprint)}; the archive is not reachable here, so it was not confirmed to be the archive's key.`,
    };
  return keyInHistory(what, fingerprint, assessment.keys);
}

/** Whether the key that signed a bundle is the archive's: in effect now, or retired by a rotation since. */
function keyInHistory(what: string, fingerprint: string, history: KeyHistory): ReportCheck {
  const current = history.current;
  const i = history.epochs.findIndex((e) => e.fingerprint === fingerprint);
  const own = `${SUMS_NAME} is signed with the archive's own key (${formatFingerprint(fingerprint)})`;
  if (current && current.fingerprint === fingerprint) return { what, ok: true, detail: `${own}, the key in effect.` };
  const next = history.epochs[i + 1]?.record;
  if (i < 0 || !current || !next)
    return {
      what,
      ok: false,
      detail: `${SUMS_NAME} is signed by the key ${formatFingerprint(fingerprint)}, which is not the archive's${current ? ` (${formatFingerprint(current.fingerprint)})` : ''}: the key was swapped.`,
    };
  const later = history.epochs.slice(i + 1);
  if (later.some((e) => e.via === 'restart'))
    return {
      what,
      ok: false,
      detail: `${SUMS_NAME} is signed by the key ${formatFingerprint(fingerprint)}, which ${later.find((e) => e.via === 'restart')?.record?.key} declared lost: a bundle signed with a lost key is not the archive's word.`,
    };
  return {
    what,
    ok: true,
    detail: `${own}, which was in effect until ${next.key} rotated it on ${next.record.createdAt} (the key in effect now is ${formatFingerprint(current.fingerprint)}). That the bundle was made before then rests on its own generation time, which whoever still holds the retired key could also write.`,
  };
}

function pemFingerprint(pem: string): string {
  return fingerprintOfPublicKey(createPublicKey({ key: pem, format: 'pem' }));
}

/** The folder's files as a zip's contents: every file's SHA-256, and the bytes of the few asked for. */
async function readFolder(folder: string, keep: readonly string[]): Promise<ZipContents> {
  const hashes = new Map<string, string>();
  const bytes = new Map<string, Buffer>();
  for (const e of await fs.readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() && !e.isSymbolicLink()) continue;
    const file = path.join(e.parentPath, e.name);
    const name = path.relative(folder, file).split(path.sep).join('/');
    hashes.set(name, (await sha256OfFile(file)).sha256);
    if (keep.includes(name)) bytes.set(name, await fs.readFile(file));
  }
  return { hashes, bytes, outside: [] };
}

function sumsOf(copy: ZipContents | null): Map<string, string> | null {
  const bytes = copy?.bytes.get(SUMS_NAME);
  return bytes ? parseSums(bytes.toString('utf8')) : null;
}

/** The unzipped folder: exactly the files SHA256SUMS lists (the bundle's, else its own), with those hashes. */
function folderCheck(receipt: ReportReceipt, folder: ZipContents | null, zip: ZipContents | null): ReportCheck {
  const what = 'Report folder';
  if (!folder) return { what, ok: false, detail: `${receipt.folder} cannot be read.` };
  const sums = sumsOf(zip) ?? sumsOf(folder);
  if (!sums)
    return { what, ok: false, detail: `Neither the bundle nor ${receipt.folder} holds a readable ${SUMS_NAME}.` };
  const problems = compareToSums(sums, folder.hashes);
  if (zip)
    for (const name of [SUMS_NAME, SIGNATURE_NAME])
      if (zip.hashes.get(name) !== folder.hashes.get(name)) problems.push(`${name} is not the bundle's`);
  return problems.length === 0
    ? { what, ok: true, detail: `Every file in ${receipt.folder} is the bundle's, and nothing was added.` }
    : { what, ok: false, detail: `Changed since the report was made: ${problems.join('; ')}.` };
}

function bundleCheck(receipt: ReportReceipt, bundleSha: string | null): ReportCheck {
  const name = path.basename(receipt.bundle);
  if (bundleSha === null) return { what: 'Bundle', ok: false, detail: `${receipt.bundle} cannot be read.` };
  return bundleSha === receipt.bundleSha256
    ? { what: 'Bundle', ok: true, detail: `${name} has the SHA-256 recorded when it was made (${bundleSha}).` }
    : {
        what: 'Bundle',
        ok: false,
        detail: `${name} now has SHA-256 ${bundleSha}, not the ${receipt.bundleSha256} recorded: it was changed.`,
      };
}

function bundleFilesCheck(receipt: ReportReceipt, zip: ZipContents | null, error: string | null): ReportCheck {
  const what = 'Files in the bundle';
  if (!zip) return { what, ok: false, detail: `The bundle cannot be read as a zip (${error ?? 'error'}).` };
  const sums = sumsOf(zip);
  if (!sums)
    return {
      what,
      ok: false,
      detail: `The bundle holds no readable ${SUMS_NAME} in ${receipt.reportId}/${zip.outside.length ? ` (it holds ${listed(zip.outside)}: another bundle)` : ''}.`,
    };
  const problems = compareToSums(sums, zip.hashes);
  return problems.length
    ? { what, ok: false, detail: `${problems.join('; ')}.` }
    : { what, ok: true, detail: `All ${sums.size} files match ${SUMS_NAME}, and nothing was added or removed.` };
}

const KEEP = [SUMS_NAME, SIGNATURE_NAME, PUBLIC_KEY_NAME, 'evidence.json'];

export async function checkReport(receipt: ReportReceipt, archive: Archive | null): Promise<ReportCheck[]> {
  const bundleSha = await sha256OfFile(receipt.bundle).then(
    (r) => r.sha256,
    () => null,
  );
  let zipError: string | null = null;
  const zip = await readZip(receipt.bundle, `${receipt.reportId}/`, KEEP).catch((e: unknown) => {
    zipError = e instanceof Error ? e.message : String(e);
    return null;
  });
  const folder = await readFolder(receipt.folder, KEEP).catch(() => null);
  const reachable = archive && archive.store.url === receipt.archive ? archive : null;
  const snapshot = reachable ? await reachable.read({ scope: 'layout' }).catch(() => null) : null;
  const checks = [
    bundleCheck(receipt, bundleSha),
    bundleFilesCheck(receipt, zip, zipError),
    signatureCheck(zip ?? folder, snapshot?.assessment ?? null),
    folderCheck(receipt, folder, zip),
  ];
  const evidence = evidenceIn(zip) ?? evidenceIn(folder);
  checks.push(
    reachable && evidence
      ? await archiveCheck(reachable, evidence)
      : {
          what: 'Archive',
          ok: true,
          detail: `${receipt.archive} could not be read here (it is not the archive open here, or it is not reachable), so the cited objects were not read again: \`audit-archive verify --full\` there checks them.`,
        },
  );
  if (receipt.archiveCopy && bundleSha) checks.push(await checkArchiveCopy(receipt, reachable, bundleSha));
  return checks;
}

function evidenceIn(copy: ZipContents | null): ReportEvidence | null {
  try {
    const parsed = ReportEvidenceSchema.safeParse(JSON.parse(copy?.bytes.get('evidence.json')?.toString('utf8') ?? ''));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function hashOf(archive: Archive, key: string, versionId: string | null): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of archive.store.getObject(key, versionId)) hash.update(chunk);
  } catch {
    return null;
  }
  return hash.digest('hex');
}

/** The archive's files the bundle relies on, read again from the archive at their versions. */
async function archiveCheck(archive: Archive, e: ReportEvidence): Promise<ReportCheck> {
  const wanted = [
    ...e.bundle.archiveFiles
      .filter((f) => f.role !== 'object')
      .map((f) => ({ key: f.key, versionId: f.versionId, sha256: f.sha256 })),
    ...e.citedObjects.map((o) => ({ key: o.key, versionId: o.versionId, sha256: o.readBack.sha256 })),
  ];
  const differ: string[] = [];
  for (const w of wanted) if ((await hashOf(archive, w.key, w.versionId)) !== w.sha256) differ.push(w.key);
  return differ.length === 0
    ? {
        what: 'Archive',
        ok: true,
        detail: `Read again from the archive: the root object, ${e.bundle.archiveFiles.filter((f) => f.role === 'manifest' || f.role === 'chain').length} manifests and ${e.citedObjects.length} cited objects are what the report read.`,
      }
    : {
        what: 'Archive',
        ok: false,
        detail: `Not what the report read (or gone) in the archive now: ${listed(differ)}.`,
      };
}
