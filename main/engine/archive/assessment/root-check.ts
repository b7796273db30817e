/**
 * The root object (archive.json): its bytes checked once when read, and its findings reported by
 * the assessment (one version, valid, present whenever the archive holds anything).
 */
import { createHash, type KeyObject } from 'node:crypto';
import { ArchiveRootSchema, type ArchiveRoot } from '../../../../shared/archive-root';
import { describeIssues } from '../../../../shared/describe-issues';
import type { ArchiveListing } from '../archive-listing';
import type { RootKey } from '../manifest-catalog';
import { canonicalJsonBytes, fingerprintOfPublicKey, publicKeyFromBase64 } from '../signing';
import { checkVersions, type ProblemSink } from './problems';

export type RootState =
  | { readonly status: 'absent' }
  | { readonly status: 'invalid'; readonly key: string; readonly detail: string }
  | {
      readonly status: 'ok';
      readonly key: string;
      readonly versionId: string | null;
      readonly root: ArchiveRoot;
      readonly sha256: string;
      readonly signingKey: RootKey;
    };

/** Checks the root object's bytes: schema, canonical form, and a key whose fingerprint is the one it names. */
export function checkRootBytes(key: string, versionId: string | null, bytes: Uint8Array): RootState {
  const invalid = (detail: string): RootState => ({ status: 'invalid', key, detail });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return invalid(`The root object ${key} is not valid JSON.`);
  }
  const parsed = ArchiveRootSchema.safeParse(json);
  if (!parsed.success)
    return invalid(`The root object ${key} is not an archive root: ${describeIssues(parsed.error, 'root')}.`);
  if (!Buffer.from(bytes).equals(canonicalJsonBytes(parsed.data)))
    return invalid(
      `The root object ${key} is not in the canonical form the archive writes: it was changed after it was written.`,
    );
  const publicKey: KeyObject | null = publicKeyFromBase64(parsed.data.signingKey.publicKey);
  if (!publicKey || fingerprintOfPublicKey(publicKey) !== parsed.data.signingKey.fingerprint) {
    return invalid(`The root object ${key} names a signing key whose fingerprint does not match it.`);
  }
  return {
    status: 'ok',
    key,
    versionId,
    root: parsed.data,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    signingKey: { publicKey, fingerprint: parsed.data.signingKey.fingerprint },
  };
}

/** The root: exactly one version, valid, and there whenever the archive holds manifests or data. */
export function checkRoot(listing: ArchiveListing, root: RootState, hasContent: boolean, problem: ProblemSink): void {
  if (listing.root) checkVersions(listing.root, null, problem, 'the root object');
  if (root.status === 'invalid') problem(null, 'root-invalid', root.key, root.detail);
  if (root.status === 'absent' && hasContent) {
    problem(
      null,
      'root-invalid',
      undefined,
      'The archive holds manifests or data but no root object (archive.json): its signing key cannot be known, so nothing in it can be proved. Restore the root object from a copy, or start a new archive elsewhere.',
    );
  }
}
