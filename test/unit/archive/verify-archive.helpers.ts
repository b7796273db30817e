/**
 * Reading an archive back the way an examiner would: every event id of a day, from the objects
 * its manifests on the chain name (not from the exporter's own bookkeeping), to prove exactly-once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Day } from '../../../shared/day';
import { Archive, type ArchiveSnapshot } from '../../../main/engine/archive/archive';
import type { ArchiveStore } from '../../../main/engine/archive/archive-store';
import { FileSigningKeyStore } from '../../../main/engine/archive/signing-keys';

/** The archive as a reader on a fresh machine judges it (no cache, no head record). */
export async function readArchiveAfresh(store: ArchiveStore): Promise<ArchiveSnapshot> {
  const stateDir = await mkdtemp(join(tmpdir(), 'aa-reader-'));
  try {
    const archive = new Archive({
      store,
      stateDir,
      keys: new FileSigningKeyStore(stateDir),
      policy: { lockMode: 'COMPLIANCE', retentionDays: 1 },
      lease: { ttlMs: 1000, waitMs: 0, program: 'a reader' },
      toolVersion: 'test',
    });
    return await archive.read({ scope: 'whole', fresh: true });
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

export async function archivedEventIds(store: ArchiveStore, day: Day, snapshot?: ArchiveSnapshot): Promise<string[]> {
  const read = snapshot ?? (await readArchiveAfresh(store));
  const ids: string[] = [];
  for (const { manifest } of read.assessment.days.get(day)?.manifests ?? []) {
    for (const object of manifest.objects) {
      const chunks: Uint8Array[] = [];
      for await (const c of store.getObject(object.key, object.versionId)) chunks.push(c);
      const text = gunzipSync(Buffer.concat(chunks)).toString('utf8');
      for (const line of text.split('\n')) if (line) ids.push((JSON.parse(line) as { id: string }).id);
    }
  }
  return ids;
}
