/**
 * What someone holding a local archive's folder, its installation's state folder and the signing key
 * kept there can do: rewrite a day's parts, re-sign their manifest and every later one with that key
 * (counts, `previous` links and `supersedes` made to match), and record the new head as the
 * installation's. Nothing is left that the listing, the signatures, the chain or the head record
 * could show: only the lines themselves (verify --full, main/engine/archive/verify/day-events.ts).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Day } from '../../../shared/day';
import type { ArchiveManifest, ManifestLink, ManifestObject } from '../../../shared/manifest';
import type { Archive } from '../../../main/engine/archive/archive';
import { canonicalJsonBytes, sha256Hex, signManifest } from '../../../main/engine/archive/signing';
import { FileSigningKeyStore } from '../../../main/engine/archive/signing-keys';
import type { LocalFolderStore } from '../../../main/engine/archive/stores/local-store';

/** Lines of a part (its text, without newlines) to the lines it should hold instead. */
export type PartEdit = (lines: string[]) => string[];

/** An archive in a local folder, with its installation's state folder (where its key is). */
export interface LocalArchive {
  readonly archive: Archive;
  readonly store: LocalFolderStore;
  readonly stateDir: string;
}

/** The day's parts in order: its manifests on the chain by sequence, each one's parts as listed. */
export async function dayParts(a: LocalArchive, day: Day): Promise<ManifestObject[]> {
  const snapshot = await a.archive.read({ scope: 'whole', fresh: true });
  return (snapshot.assessment.days.get(day)?.manifests ?? []).flatMap((c) => c.manifest.objects);
}

/** A part's lines, as stored. */
export async function partLines(a: LocalArchive, key: string): Promise<string[]> {
  return gunzipSync(await fs.readFile(fileOf(a, key)))
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/** Rewrites each part named in `edits` and re-signs the chain from its manifest on (see above). */
export async function forgeParts(a: LocalArchive, edits: Record<string, PartEdit>): Promise<void> {
  const snapshot = await a.archive.read({ scope: 'whole', fresh: true });
  const root = snapshot.assessment.root;
  if (root.status !== 'ok') throw new Error('no root');
  const key = await new FileSigningKeyStore(a.stateDir).get(root.root.signingKey.fingerprint);
  if (!key) throw new Error("the state folder does not hold the archive's key");
  let previous: ManifestLink | null = null;
  let changed = false;
  const newSha = new Map<string, string>();
  const dayDelta = new Map<string, number>();
  for (const c of snapshot.assessment.chain) {
    const { signature: _s, ...unsigned } = c.manifest;
    const touched = unsigned.objects.some((o) => edits[o.key]);
    changed ||= touched;
    if (!changed) {
      previous = { key: c.key, sequence: unsigned.sequence, sha256: c.sha256 };
      continue;
    }
    const objects = touched
      ? await Promise.all(unsigned.objects.map((o) => (edits[o.key] ? rewritePart(a, o, edits[o.key]!) : o)))
      : unsigned.objects;
    const events = objects.reduce((n, o) => n + o.events, 0);
    const delta = (dayDelta.get(unsigned.day) ?? 0) + events - unsigned.events;
    dayDelta.set(unsigned.day, delta);
    const forged: ArchiveManifest = signManifest(
      {
        ...unsigned,
        objects,
        events,
        dayEventsTotal: unsigned.dayEventsTotal + delta,
        supersedes: unsigned.supersedes.map((s) => ({ key: s.key, sha256: newSha.get(s.key) ?? s.sha256 })),
        previous,
      },
      key,
    );
    const bytes = canonicalJsonBytes(forged);
    await writeOver(a, c.key, bytes);
    newSha.set(c.key, sha256Hex(bytes));
    previous = { key: c.key, sequence: unsigned.sequence, sha256: sha256Hex(bytes) };
  }
  await a.archive.recordHead(root.root, previous, key.fingerprint);
}

async function rewritePart(a: LocalArchive, object: ManifestObject, edit: PartEdit): Promise<ManifestObject> {
  const lines = edit(await partLines(a, object.key));
  const raw = Buffer.from(lines.map((l) => l + '\n').join(''), 'utf8');
  const body = gzipSync(raw);
  await writeOver(a, object.key, body);
  return {
    ...object,
    sha256: sha256Hex(body),
    sha256Raw: sha256Hex(raw),
    size: body.length,
    rawSize: raw.length,
    events: lines.length,
  };
}

/** Writes over an archived file (read-only on disk: made writable first, as its holder can). */
export async function writeOver(a: LocalArchive, key: string, bytes: Uint8Array): Promise<void> {
  await fs.chmod(fileOf(a, key), 0o644);
  await fs.writeFile(fileOf(a, key), bytes);
}

function fileOf(a: LocalArchive, key: string): string {
  return path.join(a.store.root, key);
}
