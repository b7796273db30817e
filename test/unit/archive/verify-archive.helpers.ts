/**
 * Reading an archive back the way an examiner would: every event id of a day, from its manifests'
 * objects (not from the exporter's own bookkeeping), to prove exactly-once.
 */
import { gunzipSync } from 'node:zlib';
import type { Day } from '../../../shared/day';
import type { ArchiveStore } from '../../../main/engine/archive/archive-store';
import { readManifest } from '../../../main/engine/archive/manifest-chain';
import { readArchiveIndex } from '../../../main/engine/archive/read-archive-index';

export async function archivedEventIds(store: ArchiveStore, day: Day): Promise<string[]> {
  const index = await readArchiveIndex(store);
  const entry = index.days.get(day);
  const ids: string[] = [];
  for (const m of entry?.manifests ?? []) {
    const { manifest } = await readManifest(store, m.key, m.versionId);
    for (const object of manifest.objects) {
      const chunks: Uint8Array[] = [];
      for await (const c of store.getObject(object.key, object.versionId)) chunks.push(c);
      const text = gunzipSync(Buffer.concat(chunks)).toString('utf8');
      for (const line of text.split('\n')) if (line) ids.push((JSON.parse(line) as { id: string }).id);
    }
  }
  return ids;
}
