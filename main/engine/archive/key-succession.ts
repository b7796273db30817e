/**
 * The archive's key history: which signing key is in effect for which manifests, from the root's key
 * through every valid key-succession record (shared/key-succession.ts), and the checks that use it.
 *
 * - A record counts when it has one version, is valid, this archive's, names the key in effect as the
 *   one it succeeds, brings a key the archive never had, and is signed by the key in effect then
 *   (rotation) or by the new key (restart). Anything else is `key-succession-invalid` and ignored:
 *   the key in effect stays as it was, so junk planted there can neither change the key nor block a
 *   later genuine record (records are taken in index order, skipping invalid ones).
 * - A manifest counts only when signed by the key in effect at its sequence: a holder of a retired
 *   key cannot add manifests after the change (they are `signature-invalid`, naming the record).
 * - A report copy counts when signed by the current key, or by a retired key whose retiring record
 *   lists it.
 * - Each rotation is reported (`key-rotated`), each restart always (`key-restarted`): never silent.
 * - After the chain is walked, each record's `lastManifest` must be on it: a record anchored to a
 *   manifest the chain does not hold is invalid.
 *
 * Pure functions (no I/O) except `readKeySuccessions`, which reads each record's original version.
 */
import type { KeyObject } from 'node:crypto';
import { formatFingerprint } from '../../../shared/archive-root';
import type { Day } from '../../../shared/day';
import { describeIssues } from '../../../shared/describe-issues';
import { KeySuccessionSchema, type KeySuccession } from '../../../shared/key-succession';
import type { ArchiveManifest } from '../../../shared/manifest';
import type { ReportRecord } from '../../../shared/reports/report-record';
import type { VerifyProblem } from '../../../shared/verify';
import { originalVersion, type ArchiveListing } from './archive-listing';
import type { ArchiveStore } from './archive-store';
import type { RootKey } from './manifest-catalog';
import {
  canonicalJsonBytes,
  documentSignatureValid,
  fingerprintOfPublicKey,
  publicKeyFromBase64,
  sha256Hex,
} from './signing';
import { readArchivedDocument } from './archived-object';

/** A record names a key and a head: far below this. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export type KeySuccessionRead =
  | {
      readonly ok: true;
      readonly key: string;
      readonly versionId: string | null;
      readonly sha256: string;
      readonly record: KeySuccession;
    }
  | { readonly ok: false; readonly key: string; readonly versionId: string | null; readonly detail: string };

/** One key's time in effect. */
export interface KeyEpoch {
  readonly fingerprint: string;
  readonly publicKey: KeyObject;
  /** Base64 of the SPKI DER. */
  readonly publicKeyBase64: string;
  /** Manifests above this sequence (and up to the next epoch's) are signed by this key; 0 for the root's key. */
  readonly afterSequence: number;
  /** How this key came in. */
  readonly via: 'root' | 'rotation' | 'restart';
  /** The record that brought it in (null for the root's key). */
  readonly record: SuccessionRef | null;
}

interface SuccessionRef {
  readonly key: string;
  readonly versionId: string | null;
  readonly sha256: string;
  readonly record: KeySuccession;
}

export interface KeyHistory {
  /** Oldest first; empty when the root is not valid (nothing can be judged). */
  readonly epochs: readonly KeyEpoch[];
  /** The key that signs what is written now (null without a valid root). */
  readonly current: KeyEpoch | null;
  /** The next record index: above the last valid record, stepping over keys taken by anything else. */
  readonly nextIndex: number;
}

type Problem = (day: Day | null, kind: VerifyProblem['kind'], key: string | undefined, detail: string) => void;

/** Each record's original version, read and checked (schema, canonical form); signatures are judged later. */
export async function readKeySuccessions(
  store: ArchiveStore,
  listing: ArchiveListing,
  signal?: AbortSignal,
): Promise<Map<string, KeySuccessionRead>> {
  const out = new Map<string, KeySuccessionRead>();
  for (const k of listing.successions.values()) {
    signal?.throwIfAborted();
    const version = originalVersion(k);
    if (version) out.set(k.key, await readOne(store, k.key, version.versionId));
  }
  return out;
}

async function readOne(store: ArchiveStore, key: string, versionId: string | null): Promise<KeySuccessionRead> {
  const read = await readArchivedDocument(store, { key, versionId }, MAX_RECORD_BYTES);
  if (!read.ok)
    return {
      ok: false,
      key,
      versionId,
      detail:
        read.reason === 'too-large'
          ? `${key} is larger than a key-succession record can be.`
          : `${key} is listed but cannot be read at its version.`,
    };
  return checkKeySuccessionBytes(key, versionId, read.bytes);
}

/** Schema and canonical form of one record's bytes. */
function checkKeySuccessionBytes(key: string, versionId: string | null, bytes: Uint8Array): KeySuccessionRead {
  const invalid = (detail: string): KeySuccessionRead => ({ ok: false, key, versionId, detail });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return invalid(`${key} is not valid JSON.`);
  }
  const parsed = KeySuccessionSchema.safeParse(json);
  if (!parsed.success)
    return invalid(`${key} is not a key-succession record: ${describeIssues(parsed.error, 'record')}.`);
  if (!Buffer.from(bytes).equals(canonicalJsonBytes(parsed.data)))
    return invalid(
      `${key} is not in the canonical form the archive writes (bytes were added or rearranged after it was written).`,
    );
  return { ok: true, key, versionId, sha256: sha256Hex(bytes), record: parsed.data };
}

/**
 * The key history from the root's key and the records (see the module comment). Findings go to
 * `problem`; version problems of the record keys are the caller's (like any referenced key's).
 */
export function assessKeyHistory(
  listing: ArchiveListing,
  root: { readonly archiveId: string; readonly key: RootKey; readonly publicKeyBase64: string } | null,
  reads: ReadonlyMap<string, KeySuccessionRead>,
  problem: Problem,
): KeyHistory {
  const ordered = [...listing.successions.values()].sort((a, b) => a.index - b.index);
  const taken = new Set(ordered.map((k) => k.index));
  const firstFreeAbove = (index: number) => {
    let n = index + 1;
    while (taken.has(n)) n++; // bounded by the listing
    return n;
  };
  if (!root) return { epochs: [], current: null, nextIndex: firstFreeAbove(0) };
  const epochs: KeyEpoch[] = [
    {
      fingerprint: root.key.fingerprint,
      publicKey: root.key.publicKey,
      publicKeyBase64: root.publicKeyBase64,
      afterSequence: 0,
      via: 'root',
      record: null,
    },
  ];
  for (const k of ordered) {
    const read = reads.get(k.key);
    if (!read) continue; // only delete markers: reported with the key's versions
    if (!read.ok) {
      problem(null, 'key-succession-invalid', k.key, `${read.detail} It is ignored: the signing key did not change.`);
      continue;
    }
    const judged = judgeRecord(read, k.index, root.archiveId, epochs);
    if (typeof judged === 'string') {
      problem(null, 'key-succession-invalid', k.key, `${judged} It is ignored: the signing key did not change.`);
      continue;
    }
    epochs.push(judged);
    problem(null, judged.via === 'restart' ? 'key-restarted' : 'key-rotated', k.key, describeChange(judged));
  }
  return {
    epochs,
    current: epochs.at(-1) ?? null,
    nextIndex: firstFreeAbove(epochs.at(-1)?.record?.record.index ?? 0),
  };
}

/** The epoch a valid record starts, or why it is not valid. */
function judgeRecord(
  read: Extract<KeySuccessionRead, { ok: true }>,
  index: number,
  archiveId: string,
  epochs: readonly KeyEpoch[],
): KeyEpoch | string {
  const r = read.record;
  const current = epochs.at(-1) as KeyEpoch;
  if (r.index !== index) return `${read.key} says it is key change ${r.index}, but its key says ${index}.`;
  if (r.archiveId !== archiveId) return `${read.key} belongs to another archive (${r.archiveId}), not ${archiveId}.`;
  if (r.previousKey.fingerprint !== current.fingerprint)
    return `${read.key} succeeds key ${formatFingerprint(r.previousKey.fingerprint)}, but the key in effect then was ${formatFingerprint(current.fingerprint)}.`;
  const publicKey = publicKeyFromBase64(r.newKey.publicKey);
  if (!publicKey || fingerprintOfPublicKey(publicKey) !== r.newKey.fingerprint)
    return `${read.key} names a new key whose fingerprint does not match it.`;
  if (epochs.some((e) => e.fingerprint === r.newKey.fingerprint))
    return `${read.key} brings back key ${formatFingerprint(r.newKey.fingerprint)}, which the archive already had: a retired key never returns.`;
  const after = r.lastManifest?.sequence ?? 0;
  if (after < current.afterSequence)
    return `${read.key} says the key changed after sequence ${after}, before the previous change (after sequence ${current.afterSequence}).`;
  const signer =
    r.kind === 'rotation'
      ? { publicKey: current.publicKey, fingerprint: current.fingerprint, who: 'the key in effect then' }
      : { publicKey, fingerprint: r.newKey.fingerprint, who: 'the new key it names' };
  if (!documentSignatureValid(r, signer.publicKey, signer.fingerprint))
    return `${read.key} (${r.kind}) is not signed by ${signer.who}, ${formatFingerprint(signer.fingerprint)}: it was not written by the holder of that key, or it was changed.`;
  return {
    fingerprint: r.newKey.fingerprint,
    publicKey,
    publicKeyBase64: r.newKey.publicKey,
    afterSequence: after,
    via: r.kind,
    record: { key: read.key, versionId: read.versionId, sha256: read.sha256, record: r },
  };
}

function describeChange(epoch: KeyEpoch): string {
  const r = (epoch.record as SuccessionRef).record;
  const at = r.lastManifest
    ? `after sequence ${r.lastManifest.sequence} (${r.lastManifest.key})`
    : 'before any manifest';
  const why = r.reason ? ` Reason given: "${r.reason}".` : '';
  if (r.kind === 'rotation')
    return `On ${r.createdAt} the signing key was rotated ${at}: ${formatFingerprint(r.previousKey.fingerprint)} signed its successor ${formatFingerprint(r.newKey.fingerprint)}.${why}`;
  return (
    `On ${r.createdAt} the signing key ${formatFingerprint(r.previousKey.fingerprint)} was declared lost and replaced by ${formatFingerprint(r.newKey.fingerprint)}, which the lost key did not vouch for.${why} ` +
    `The chain restarts ${at}: manifests up to there stay signed by the lost key and can no longer be extended under it; later ones must be signed by the new key. ` +
    `Anyone able to write to the archive could have written this record: confirm with the officer who did, then record the new key (verify --expect-key ${r.newKey.fingerprint}).`
  );
}

/** The key in effect for a manifest of this sequence (null without a valid root). */
export function keyForSequence(history: KeyHistory, sequence: number): KeyEpoch | null {
  let found: KeyEpoch | null = null;
  for (const e of history.epochs) if (e.via === 'root' || sequence > e.afterSequence) found = e;
  return found;
}

/**
 * Why a manifest does not count under the key history, or null when it does. `signed` is whether it
 * verifies with the key in effect at its sequence (the catalog's check, with keyForSequence).
 */
export function manifestSignatureProblem(
  history: KeyHistory,
  key: string,
  manifest: ArchiveManifest,
  signed: boolean,
): string | null {
  const epoch = keyForSequence(history, manifest.sequence);
  if (!epoch) return `${key} cannot be checked: the archive has no valid root.`;
  if (signed) return null;
  const retired = history.epochs.find(
    (e) => e !== epoch && e.fingerprint === manifest.signature.keyFingerprint && e.afterSequence < manifest.sequence,
  );
  const change = retired && history.epochs[history.epochs.indexOf(retired) + 1]?.record;
  if (retired && change)
    return `${key} (sequence ${manifest.sequence}) is signed by key ${formatFingerprint(retired.fingerprint)}, which ${change.key} retired after sequence ${change.record.lastManifest?.sequence ?? 0}: it was written with the retired key after the key changed. It is ignored.`;
  const which = history.epochs.length > 1 ? `, the key in effect at sequence ${manifest.sequence}` : '';
  return `${key} is not signed by this archive's key (fingerprint ${epoch.fingerprint}${which}): it was not written by this archive's exporter, or it was changed. It is ignored.`;
}

/**
 * Whether a report copy's record counts: signed by the current key, or by a retired key whose
 * retiring record lists it. `signedByRoot` is whether it verifies with the root's key.
 */
export function reportRecordSigned(history: KeyHistory, record: ReportRecord, signedByRoot: boolean): boolean {
  const i = history.epochs.findIndex((e) => e.fingerprint === record.signature.keyFingerprint);
  const epoch = history.epochs[i];
  if (!epoch) return false;
  const signed =
    epoch.via === 'root' ? signedByRoot : documentSignatureValid(record, epoch.publicKey, epoch.fingerprint);
  if (!signed) return false;
  const retiredBy = history.epochs[i + 1]?.record;
  return !retiredBy || retiredBy.record.reportsSigned.includes(record.reportId);
}

/** After the chain is walked: each record's `lastManifest` must be a manifest on it. */
export function checkSuccessionAnchors(
  history: KeyHistory,
  chain: ReadonlyArray<{ readonly key: string; readonly sha256: string; readonly manifest: ArchiveManifest }>,
  problem: Problem,
): void {
  for (const e of history.epochs) {
    const anchor = e.record?.record.lastManifest;
    if (!e.record || !anchor) continue;
    const onChain = chain.find((c) => c.key === anchor.key);
    if (!onChain || onChain.sha256 !== anchor.sha256 || onChain.manifest.sequence !== anchor.sequence) {
      problem(
        null,
        'key-succession-invalid',
        e.record.key,
        `${e.record.key} says the key changed after ${anchor.key} (sequence ${anchor.sequence}, SHA-256 ${anchor.sha256}), but the chain ${onChain ? `holds it with SHA-256 ${onChain.sha256}` : 'does not hold that manifest'}.`,
      );
    }
  }
}

/**
 * Whether a key someone recorded still vouches for the current key: it is on the history and every
 * change after it is a rotation (signed by its predecessor). A restart breaks the vouching.
 */
function vouchesForCurrent(history: KeyHistory, fingerprint: string): 'yes' | 'unknown-key' | 'restarted' {
  const i = history.epochs.findIndex((e) => e.fingerprint === fingerprint);
  if (i < 0) return 'unknown-key';
  return history.epochs.slice(i + 1).every((e) => e.via === 'rotation') ? 'yes' : 'restarted';
}

/** The restart (if any) after a recorded key: the record that broke the vouching, for messages. */
function restartAfter(history: KeyHistory, fingerprint: string): SuccessionRef | null {
  const i = history.epochs.findIndex((e) => e.fingerprint === fingerprint);
  return history.epochs.slice(i + 1).find((e) => e.via === 'restart')?.record ?? null;
}

/**
 * Findings about keys someone recorded: `expectKey` (the officer's, verify --expect-key) and
 * `recordedKey` (the key this installation last saw in effect, from its head record). Each must
 * vouch for the current key; a restart since breaks that, and is accepted by pinning the new key.
 */
export function keyContinuityProblems(
  history: KeyHistory,
  rootKey: { readonly key: string; readonly fingerprint: string },
  recorded: { readonly expectKey?: string | undefined; readonly recordedKey?: string | undefined },
): VerifyProblem[] {
  const current = history.current;
  if (!current) return [];
  const changed = (detail: string): VerifyProblem => ({ day: null, kind: 'root-changed', key: rootKey.key, detail });
  const now =
    current.fingerprint === rootKey.fingerprint
      ? formatFingerprint(current.fingerprint)
      : `${formatFingerprint(current.fingerprint)} (its root names ${formatFingerprint(rootKey.fingerprint)})`;
  const { expectKey, recordedKey } = recorded;
  if (expectKey) {
    const v = vouchesForCurrent(history, expectKey);
    if (v === 'yes') return [];
    if (v === 'unknown-key')
      return [
        changed(
          `The archive's signing key is ${now}, not the ${formatFingerprint(expectKey)} you recorded: this is not the archive you recorded, or its root was replaced.`,
        ),
      ];
    const restart = restartAfter(history, expectKey) as SuccessionRef;
    return [
      changed(
        `The key you recorded, ${formatFingerprint(expectKey)}, no longer vouches for the archive's current key ${formatFingerprint(current.fingerprint)}: ${restart.key} declared a key lost on ${restart.record.createdAt} and restarted the chain under a key it did not sign. If that restart was your officer's, record the new key and pass --expect-key ${current.fingerprint}.`,
      ),
    ];
  }
  if (!recordedKey) return [];
  const v = vouchesForCurrent(history, recordedKey);
  if (v === 'yes') return [];
  if (v === 'unknown-key')
    return [
      changed(
        `This installation last saw key ${formatFingerprint(recordedKey)} in effect here; the archive's key history (now ${now}) does not hold it.`,
      ),
    ];
  const restart = restartAfter(history, recordedKey) as SuccessionRef;
  return [
    changed(
      `Since this installation last saw this archive (key ${formatFingerprint(recordedKey)}), ${restart.key} declared that key lost on ${restart.record.createdAt} and restarted the chain under ${formatFingerprint(current.fingerprint)}, which it does not vouch for. If the restart was your officer's, accept it once: verify --expect-key ${current.fingerprint}.`,
    ),
  ];
}

/**
 * The public key that signs what an archive writes now (its root's key, or the successor a valid
 * key-succession record named), as SPKI PEM (what `openssl pkeyutl -verify -pubin` takes) with the
 * fingerprint `audit-archive key show` prints; null when the archive has no valid root.
 */
export async function archivePublicKey(archive: {
  read(request: { scope: 'layout' }): Promise<{ readonly assessment: { readonly keys: KeyHistory } }>;
}): Promise<{ fingerprint: string; spkiPem: string } | null> {
  return currentPublicKey((await archive.read({ scope: 'layout' })).assessment.keys);
}

/** The archive's current public key as an examiner's tools take it: SPKI PEM, with its fingerprint. */
export function currentPublicKey(history: KeyHistory): { fingerprint: string; spkiPem: string } | null {
  const current = history.current;
  if (!current) return null;
  return {
    fingerprint: current.fingerprint,
    spkiPem: current.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
