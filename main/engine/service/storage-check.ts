/**
 * "Check bucket" and "Create bucket" for setup and Settings: can this target hold a WORM archive
 * under this retention policy, and if not, why and what to do. A local folder is accepted but
 * always flagged as not WORM. Nothing is written by a check; "Create bucket" is `bucket init`
 * (Object Lock, versioning, default retention), refused for COMPLIANCE unless the officer confirmed.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatFingerprint } from '../../../shared/archive-root';
import { AuditArchiveError, isAuditArchiveError } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import type { BucketInitResult, StorageCheck } from '../../../shared/setup-checks';
import { Archive } from '../archive/archive';
import type { ArchiveStore } from '../archive/archive-store';
import { initBucket } from '../archive/stores/bucket-init';
import { inspectBucket, type BucketInspection } from '../archive/stores/bucket-check';
import { exporterIamPolicy } from '../archive/stores/iam-policy';
import { openArchiveStore } from '../archive/stores/open-store';
import { S3ObjectLockStore } from '../archive/stores/s3-store';
import type { SigningKeyStore } from '../archive/signing-keys';
import { defaultArchiveDirIn, stateDirIn } from '../archive/app-archive';

interface StorageCheckOptions {
  readonly userDataDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where this installation keeps signing keys (to say whether it holds an existing archive's key). */
  readonly keys: SigningKeyStore;
}

const NOT_WORM_FOLDER =
  'A local folder is not WORM storage: anyone with access to it can delete or change the files. Use it for a trial, or only on storage that is WORM itself (such as a NetApp SnapLock share).';

/** The target a connected organisation archives to with these settings (empty: the app's local folder). */
export function connectedTarget(archive: Settings['archive'], userDataDir: string): string {
  return archive.target || pathToFileURL(defaultArchiveDirIn(userDataDir)).href;
}

export async function checkStorage(archive: Settings['archive'], options: StorageCheckOptions): Promise<StorageCheck> {
  const target = connectedTarget(archive, options.userDataDir);
  const kind: StorageCheck['kind'] = target.startsWith('s3://') ? 's3' : 'local';
  const base = { target, kind, worm: false, bucket: null, canInit: false, archive: null, warnings: [] as string[] };
  let store: ArchiveStore;
  try {
    store = openArchiveStore(target, archive.s3, options.env);
  } catch (e) {
    return { ...base, verdict: 'invalid', ok: false, reason: messageOf(e) };
  }
  if (store instanceof S3ObjectLockStore) return checkBucket(store, archive, options);

  const folder = fileURLToPath(target);
  const writable = await nearestFolderWritable(folder);
  if (!writable.ok) {
    return { ...base, verdict: 'not-writable', ok: false, reason: writable.reason };
  }
  const existing = await existingArchive(store, options);
  return {
    ...base,
    verdict: 'ready',
    ok: true,
    reason: `${folder} can hold the archive${writable.exists ? '' : ' (the folder is created by the first export)'}. ${NOT_WORM_FOLDER}`,
    archive: existing.archive,
    warnings: existing.warnings,
  };
}

async function checkBucket(
  store: S3ObjectLockStore,
  archive: Settings['archive'],
  options: StorageCheckOptions,
): Promise<StorageCheck> {
  const base = { target: store.url, kind: 's3' as const, archive: null, warnings: [] as string[] };
  let bucket: BucketInspection;
  try {
    bucket = await inspectBucket(store.client, store.bucket);
  } catch (e) {
    return {
      ...base,
      verdict: 'unreachable',
      ok: false,
      worm: false,
      bucket: null,
      canInit: false,
      reason: messageOf(e),
    };
  }
  const report = {
    exists: bucket.exists,
    objectLock: bucket.objectLock,
    versioning: bucket.versioning,
    defaultRetention: bucket.defaultRetention,
  };
  const refusal = bucketRefusal(bucket, `s3://${store.bucket}`, archive);
  if (refusal) return { ...base, ...refusal, ok: false, bucket: report };
  let warnings: string[];
  try {
    warnings = [
      ...(await store.checkReady({ lockMode: archive.lockMode, retentionDays: archive.retentionDays })).warnings,
    ];
  } catch (e) {
    return {
      ...base,
      verdict: 'unreachable',
      ok: false,
      worm: true,
      bucket: report,
      canInit: false,
      reason: messageOf(e),
    };
  }
  const existing = await existingArchive(store, options);
  return {
    ...base,
    verdict: 'ready',
    ok: true,
    worm: true,
    bucket: report,
    canInit: false,
    reason: `${store.url} can hold the archive: Object Lock is on, versioning is enabled${bucket.defaultRetention ? `, and the default retention is ${bucket.defaultRetention.mode} ${bucket.defaultRetention.days} days` : ''}.`,
    archive: existing.archive,
    warnings: [...warnings, ...existing.warnings].slice(0, 10),
  };
}

/** Why a bucket, as inspected, cannot hold the archive under this policy, and what to do (null: it can). */
function bucketRefusal(
  bucket: BucketInspection,
  url: string,
  archive: Settings['archive'],
): Pick<StorageCheck, 'verdict' | 'worm' | 'canInit' | 'reason'> | null {
  if (!bucket.exists) {
    return {
      verdict: 'create',
      worm: false,
      canInit: true,
      reason: `${url} does not exist yet. "Create bucket" makes it with Object Lock (versioning on) and a default retention of ${archive.lockMode} ${archive.retentionDays} days; creating needs an administrator's rights, not the exporter's.`,
    };
  }
  if (!bucket.objectLock) {
    return {
      verdict: 'not-worm',
      worm: false,
      canInit: false,
      reason: `${url} has no Object Lock, so it cannot hold the archive: its objects could be deleted or overwritten. Object Lock can only be turned on by the bucket's owner (with versioning); or enter a new bucket name and use "Create bucket".`,
    };
  }
  if (bucket.versioning !== 'Enabled') {
    return {
      verdict: 'not-worm',
      worm: false,
      canInit: false,
      reason: `${url} has Object Lock but versioning is ${(bucket.versioning ?? 'off').toLowerCase()}, so it cannot hold the archive. Check that the store supports Object Lock.`,
    };
  }
  if (bucket.defaultRetention && bucket.defaultRetention.days < archive.retentionDays) {
    return {
      verdict: 'retention-too-short',
      worm: true,
      canInit: true,
      reason: `${url} keeps objects ${bucket.defaultRetention.days} days by default, shorter than the policy's ${archive.retentionDays} days. "Create bucket" raises its default retention (an administrator's right), or shorten the policy.`,
    };
  }
  return null;
}

/** The archive already at the target (its root), and whether this installation holds its key. */
async function existingArchive(
  store: ArchiveStore,
  options: StorageCheckOptions,
): Promise<{ archive: StorageCheck['archive']; warnings: string[] }> {
  const reader = new Archive({
    store,
    stateDir: stateDirIn(options.userDataDir),
    keys: options.keys,
    policy: { lockMode: 'COMPLIANCE', retentionDays: 1 },
    lease: { ttlMs: 60_000, waitMs: 0, program: 'the Audit Archive app (setup check)' },
    toolVersion: 'check',
  });
  try {
    const { root, keys } = (await reader.read({ scope: 'layout' })).assessment;
    if (root.status === 'absent') return { archive: null, warnings: [] };
    if (root.status === 'invalid')
      return { archive: null, warnings: [`The target holds an archive whose root is invalid: ${root.detail}`] };
    // The key that signs what is written now: the root's, or its successor after a rotation.
    const fingerprint = keys.current?.fingerprint ?? root.root.signingKey.fingerprint;
    const held = (await options.keys.get(fingerprint).catch(() => null)) !== null;
    const org = root.root.organisation;
    const archive = {
      purpose: root.root.purpose,
      organisation: `${org.name ? `${org.name} ` : ''}(${org.id ?? org.apiHost})`.slice(0, 800),
      keyFingerprint: fingerprint,
      keyHeld: held,
    };
    const warnings = held
      ? []
      : [
          `The archive there is signed with key ${formatFingerprint(fingerprint)}, which this installation does not hold: import it (Signing key) before exporting here.`,
        ];
    if (root.root.purpose === 'demo')
      warnings.push(
        'The target holds a demo archive: a real organisation never archives into it. Choose another target.',
      );
    return { archive, warnings };
  } catch (e) {
    return { archive: null, warnings: [`The archive there could not be read: ${messageOf(e)}`] };
  }
}

/** Whether the folder, or the nearest folder above it that exists, may be written. */
async function nearestFolderWritable(
  folder: string,
): Promise<{ ok: true; exists: boolean } | { ok: false; reason: string }> {
  let current = folder;
  for (let depth = 0; depth < 64; depth++) {
    try {
      const info = await stat(current);
      if (!info.isDirectory())
        return { ok: false, reason: `${current} is a file, not a folder: choose a folder for the archive.` };
      await access(current, constants.W_OK);
      return { ok: true, exists: current === folder };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Missing, or a file where a folder should be (ENOTDIR): look at the part above.
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        const parent = path.dirname(current);
        if (parent === current) break;
        current = parent;
        continue;
      }
      return {
        ok: false,
        reason: `${current} cannot be written (${code ?? 'error'}): choose a folder this user may write, or fix its permissions.`,
      };
    }
  }
  return { ok: false, reason: `No part of ${folder} exists: choose an existing drive or folder.` };
}

export interface InitBucketOptions {
  readonly env: NodeJS.ProcessEnv;
}

/** "Create bucket": `bucket init` for the target's bucket, with the exporter's IAM policy to hand on. */
export async function initArchiveBucket(
  archive: Settings['archive'],
  confirmCompliance: boolean,
  options: InitBucketOptions,
): Promise<BucketInitResult> {
  if (!archive.target.startsWith('s3://')) {
    throw new AuditArchiveError('INVALID_REQUEST', 'Only an s3:// target has a bucket to create.', {
      issues: [{ path: ['archive', 'target'], message: 'Enter an s3://bucket/prefix target first.' }],
    });
  }
  if (archive.lockMode === 'COMPLIANCE' && !confirmCompliance) {
    throw new AuditArchiveError(
      'INVALID_REQUEST',
      `COMPLIANCE retention cannot be shortened or removed by anyone, the account's root included, for ${archive.retentionDays} days: confirm it before the bucket is created. Nothing was created.`,
      { issues: [{ path: ['confirmCompliance'], message: 'Confirm COMPLIANCE mode first.' }] },
    );
  }
  const store = openArchiveStore(archive.target, archive.s3, options.env);
  if (!(store instanceof S3ObjectLockStore))
    throw new AuditArchiveError('INVALID_REQUEST', 'Only an s3:// target has a bucket to create.');
  const summary = await initBucket({
    client: store.client,
    bucket: store.bucket,
    lockMode: archive.lockMode,
    retentionDays: archive.retentionDays,
  });
  return {
    bucket: summary.bucket,
    created: summary.created,
    defaultRetention: summary.defaultRetention,
    iamPolicy: JSON.stringify(exporterIamPolicy(store.bucket, store.prefix), null, 2),
    warnings: [...summary.warnings].slice(0, 10),
  };
}

function messageOf(e: unknown): string {
  return isAuditArchiveError(e) ? e.message : 'The check failed unexpectedly; try again.';
}
