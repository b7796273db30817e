/**
 * What a verification's trust rests on, said and never silent.
 *
 * Signatures prove that manifests were signed with the key the root names, and the chain proves
 * that nothing between the first manifest and the head is missing. Neither proves that the root's
 * key is the archive's real key, nor that the head is its real head: someone who can rewrite the
 * archive can re-sign it end to end with a key of their own, or remove its newest manifests, and
 * the archive alone still looks whole. Only something kept elsewhere can tell: a fingerprint or a
 * head the officer recorded (`--expect-key`, `--expect-head`) or this installation's head record.
 * Without either, the key and the head are trusted on first use, and every verdict says so.
 */
import { formatFingerprint } from '../../../shared/archive-root';
import type { TrustBasis, VerifyProblem, VerifyTrust } from '../../../shared/verify';
import type { ArchiveSnapshot } from './archive';
import type { Assessment, ChainHead } from './assessment';

/** A head the officer recorded: a manifest's sequence number, and optionally its SHA-256. */
export interface ExpectedHead {
  readonly sequence: number;
  readonly sha256?: string;
}

/** `SEQ` or `SEQ:SHA256` as typed (`verify --expect-head`), or null when it is neither. */
export function parseExpectedHead(text: string): ExpectedHead | null {
  const m = /^\s*(\d{1,10})(?::\s*([0-9a-fA-F]{64}))?\s*$/.exec(text);
  if (!m) return null;
  const sequence = Number(m[1]);
  if (!Number.isSafeInteger(sequence) || sequence < 1) return null;
  return m[2] ? { sequence, sha256: m[2].toLowerCase() } : { sequence };
}

/**
 * The chain must reach the manifest the officer recorded: `head-rewound` when it holds no
 * manifest of that sequence (its newest were removed, or it is another archive), or holds it with
 * other bytes.
 */
export function expectedHeadProblems(assessment: Assessment, expected: ExpectedHead): VerifyProblem[] {
  const reached = assessment.chain.find((c) => c.manifest.sequence === expected.sequence);
  const head = assessment.head;
  if (!reached) {
    return [
      {
        day: null,
        kind: 'head-rewound',
        detail: `You expected the chain to reach sequence ${expected.sequence}, but ${head ? `its head is ${head.key} (sequence ${head.sequence})` : 'it holds no manifest'} and no manifest of that sequence is on it: ${head && head.sequence < expected.sequence ? 'the newest manifests were removed' : 'it is not the archive you recorded, or its manifests were removed'}.`,
      },
    ];
  }
  if (expected.sha256 !== undefined && reached.sha256 !== expected.sha256) {
    return [
      {
        day: reached.manifest.day,
        kind: 'head-rewound',
        key: reached.key,
        detail: `You expected sequence ${expected.sequence} with SHA-256 ${expected.sha256}; the chain holds ${reached.key} at that sequence with SHA-256 ${reached.sha256}: it is not the manifest you recorded.`,
      },
    ];
  }
  return [];
}

/**
 * What the key and the head were checked against in this verification. `headRecorded`: the head
 * was recorded afterwards as this installation's.
 */
export function judgeTrust(
  snapshot: ArchiveSnapshot,
  expected: { readonly key?: string; readonly head?: ExpectedHead },
  headRecorded: boolean,
): VerifyTrust | null {
  const root = snapshot.assessment.root;
  if (root.status !== 'ok') return null;
  const record = snapshot.headRecord;
  const key: TrustBasis = expected.key ? 'expected' : record ? 'recorded' : 'first-use';
  const head: TrustBasis = expected.head
    ? 'expected'
    : record && record.archiveId === root.root.archiveId && record.head
      ? 'recorded'
      : 'first-use';
  return { key, head, headRecorded };
}

/** What the verdict's line adds: nothing when both were checked against something. */
export function trustSuffix(trust: VerifyTrust | null, head: ChainHead | null): string {
  if (!trust) return '';
  const unchecked = [
    ...(trust.key === 'first-use' ? ['the signing key'] : []),
    ...(trust.head === 'first-use' && head ? ['the head'] : []),
  ];
  if (unchecked.length === 0) return '';
  return `; ${unchecked.join(' and ')} ${unchecked.length > 1 ? 'were' : 'was'} trusted on first use, not checked against a record`;
}

/** The sentences that say what first use means for this verdict, and how to check instead. */
export function describeTrust(
  trust: VerifyTrust | null,
  archive: { readonly keyFingerprint: string; readonly head: ChainHead | null } | null,
): string[] {
  if (!trust || !archive) return [];
  const lines: string[] = [];
  if (trust.key === 'first-use') {
    lines.push(
      `The signing key ${formatFingerprint(archive.keyFingerprint)} was read from the archive itself and checked against nothing: no --expect-key was given and this installation has no record of this archive. Whoever can rewrite the archive could have re-signed all of it with a key of their own. Compare the fingerprint with the one recorded when the archive was created, or pass --expect-key.`,
    );
  }
  const head = archive.head;
  if (trust.head === 'first-use' && head) {
    lines.push(
      `The head, ${head.key} (sequence ${head.sequence}), was taken from the archive itself: newest manifests removed before now would not show. ${trust.headRecorded ? 'This installation now records it as the head it vouches for. ' : ''}Record --expect-head ${head.sequence}:${head.sha256} beside the fingerprint: a later verify given it fails if the chain no longer reaches this manifest.`,
    );
  }
  return lines;
}
