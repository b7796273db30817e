/**
 * Days written into an archive as the exporter writes them, without Genesys: per day one small part,
 * then its chained, signed manifest, all under one writer lease. For benchmarks that need many
 * archived days fast (the calendar, key rotation), not realistic volumes (seven-year-archive.ts).
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { dataKey } from '../../shared/archive-layout';
import type { Archive, ManifestDraft } from '../../main/engine/archive/archive';

export const BENCH_ORGANISATION = { id: 'bench-org', name: 'Bench', apiHost: 'api.example.com' };

export async function writeSignedDays(archive: Archive, days: readonly string[]): Promise<void> {
  const store = archive.store;
  const body = gzipSync('{"id":"00000000-0000-4000-8000-000000000000","eventDate":"2020-01-01T00:00:00.000Z"}\n');
  const raw = gunzipSync(body);
  const sha = createHash('sha256').update(body).digest('hex');
  const shaRaw = createHash('sha256').update(raw).digest('hex');
  const lock = { mode: 'COMPLIANCE' as const, retainUntil: new Date(Date.now() + 86_400_000).toISOString() };
  await archive.withWriter({ purpose: 'production', organisation: BENCH_ORGANISATION }, async (writer) => {
    for (const day of days) {
      const key = dataKey(store.prefix, day, 1);
      const put = await store.putObject({ key, body, sha256: sha, contentType: 'application/gzip', lock });
      const object = {
        key,
        versionId: put.versionId,
        sha256Raw: shaRaw,
        sha256: sha,
        size: body.length,
        rawSize: raw.length,
      };
      await writer.append(benchDayManifest(day, { ...object, events: 1, lockMode: null, retainUntil: null }), lock);
    }
  });
}

type BenchObject = Omit<ManifestDraft['objects'][number], 'firstEventDate' | 'lastEventDate'>;

/** The manifest of one day holding one object, as the exporter would write it (the benches' days). */
export function benchDayManifest(day: string, object: BenchObject): ManifestDraft {
  return {
    day,
    interval: {
      start: `${day}T00:00:00.000Z`,
      end: new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString(),
    },
    kind: 'export',
    supersedes: [],
    orphansIgnored: [],
    queries: [{ transactionId: 'bench', interval: day, serviceName: null, state: 'Succeeded' }],
    events: object.events,
    dayEventsTotal: object.events,
    duplicatesDropped: 0,
    outsideIntervalDropped: 0,
    firstEventDate: null,
    lastEventDate: null,
    objects: [{ ...object, firstEventDate: null, lastEventDate: null }],
    createdAt: new Date().toISOString(),
    tool: { name: 'audit-archive', version: 'bench' },
    source: {
      demo: false,
      organisationId: BENCH_ORGANISATION.id,
      organisationName: BENCH_ORGANISATION.name,
      apiHost: BENCH_ORGANISATION.apiHost,
      regionHost: null,
      clientId: null,
      note: null,
      perServiceQueries: false,
    },
  };
}
