/**
 * Manifest-shaped keys: each one version, valid, this archive's and signed by the key in effect.
 * Anything else manifest-shaped is reported and never followed.
 */
import type { ArchiveRoot } from '../../../../shared/archive-root';
import type { ArchiveManifest } from '../../../../shared/manifest';
import type { ArchiveListing, ManifestKeyVersions } from '../archive-listing';
import { manifestSignatureProblem, type KeyHistory } from '../key-succession';
import type { ManifestRead } from '../manifest-catalog';
import { checkVersions, type ProblemSink } from './problems';

/** A manifest that counts: valid, this archive's, signed (whether the chain reaches it is decided after). */
export interface ValidManifest {
  readonly key: string;
  readonly versionId: string | null;
  readonly sha256: string;
  readonly manifest: ArchiveManifest;
}

/** The manifests that count, every other manifest-shaped key reported. */
export function checkManifests(
  listing: ArchiveListing,
  root: ArchiveRoot | null,
  keys: KeyHistory,
  reads: ReadonlyMap<string, ManifestRead>,
  problem: ProblemSink,
): ValidManifest[] {
  const valid: ValidManifest[] = [];
  for (const k of listing.manifests.values()) {
    checkVersions(k, k.day, problem, 'manifest');
    const v = checkManifest(k, reads.get(k.key), root, keys, problem);
    if (v) valid.push(v);
  }
  return valid;
}

function checkManifest(
  k: ManifestKeyVersions,
  read: ManifestRead | undefined,
  root: ArchiveRoot | null,
  keys: KeyHistory,
  problem: ProblemSink,
): ValidManifest | null {
  if (!read) return null; // only delete markers, reported by the caller
  if (!read.ok) {
    problem(k.day, 'manifest-invalid', k.key, read.detail);
    return null;
  }
  if (!root) return null; // nothing can be judged without the root; reported by the root's check
  const m = read.manifest;
  if (m.archiveId !== root.archiveId) {
    problem(
      k.day,
      'manifest-invalid',
      k.key,
      `${k.key} belongs to another archive (${m.archiveId}), not ${root.archiveId}.`,
    );
    return null;
  }
  const unsigned = manifestSignatureProblem(keys, k.key, m, read.signed);
  if (unsigned) {
    problem(k.day, 'signature-invalid', k.key, unsigned);
    return null;
  }
  const sourceProblem = checkSource(m, root);
  if (sourceProblem) problem(k.day, 'source-mismatch', k.key, sourceProblem);
  return { key: k.key, versionId: read.versionId, sha256: read.sha256, manifest: m };
}

/** Demo data never in a real archive (and the reverse); one organisation per archive. */
function checkSource(m: ArchiveManifest, root: ArchiveRoot): string | null {
  if (m.source.demo !== (root.purpose === 'demo')) {
    return m.source.demo
      ? `The manifest holds demo (simulated) events, but this is a ${root.purpose} archive.`
      : "The manifest holds a real organisation's events, but this is a demo archive.";
  }
  const org = root.organisation;
  if (org.id !== null && m.source.organisationId !== null && org.id !== m.source.organisationId) {
    return `The manifest's events come from organisation ${m.source.organisationId}, but this archive holds organisation ${org.id}.`;
  }
  if ((org.id === null || m.source.organisationId === null) && org.apiHost !== m.source.apiHost) {
    return `The manifest's events come from ${m.source.apiHost}, but this archive holds ${org.apiHost}.`;
  }
  return null;
}
