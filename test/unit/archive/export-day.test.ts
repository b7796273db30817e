import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataKey, manifestKey } from '../../../shared/archive-layout';
import { exportDay } from '../../../main/engine/archive/export-day';
import { ManifestChain, readManifest } from '../../../main/engine/archive/manifest-chain';
import { readArchiveIndex } from '../../../main/engine/archive/read-archive-index';
import { type ArchiveFixture, archiveFixture, archivedIds, filesIn, idsInObject } from './archive-fixture';

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

let fx: ArchiveFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe('exporting a day', () => {
  it('archives every event of the day exactly once, dropping and counting the duplicates Genesys served', async () => {
    fx = await archiveFixture({
      now: '2026-11-28T12:00:00Z',
      sim: { eventsPerDay: 3000, duplicateRate: 0.5 },
      pageSize: 100,
    });
    const day = '2026-11-25';
    const result = await exportDay(await fx.deps(), day);

    const expected = fx.sim.expectedEventIds(day);
    expect(expected.length).toBe(3000);
    const ids = await archivedIds(fx.store, day);
    expect(ids.length).toBe(expected.length);
    expect(sorted(ids)).toEqual(sorted(expected));

    expect(fx.sim.stats.duplicatesServed).toBeGreaterThan(0);
    expect(result.duplicatesDropped).toBe(fx.sim.stats.duplicatesServed);
    expect(result).toMatchObject({ day, outcome: 'archived', events: 3000 });
    const m = result.manifest;
    expect(m).toMatchObject({
      kind: 'export',
      sequence: 1,
      previous: null,
      events: 3000,
      dayEventsTotal: 3000,
      duplicatesDropped: result.duplicatesDropped,
    });
    expect(m.interval).toEqual({ start: '2026-11-25T00:00:00.000Z', end: '2026-11-26T00:00:00.000Z' });
    expect(m.firstEventDate).toBe('2026-11-25T00:00:00.000Z');
    expect(m.lastEventDate).toBe('2026-11-25T23:59:59.999Z');
    expect(m.queryTransactionIds.length).toBeGreaterThan(0);
    expect(m.source.genesysApi).toBe(fx.sim.apiUrl);
    // Parts of bounded size, numbered from 1, each described truthfully.
    expect(m.objects.length).toBeGreaterThan(1);
    expect(m.objects.map((o) => o.key)).toEqual(m.objects.map((_, i) => dataKey('org-a', day, i + 1)));
    expect(m.objects.reduce((n, o) => n + o.events, 0)).toBe(3000);
    for (const o of m.objects) {
      const bytes = await fs.readFile(path.join(fx.root, o.key));
      expect(o.size).toBe(bytes.length);
      expect(o.size).toBeLessThanOrEqual(64 * 1024);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(o.sha256);
      // A local folder holds no lock, and the manifest says so instead of pretending.
      expect(o.lockMode).toBeNull();
      expect(o.retainUntil).toBeNull();
    }
    // Only data under audit-logs/, the manifest beside it, nothing half-written anywhere.
    expect(await filesIn(fx.root)).toEqual(sorted([...m.objects.map((o) => o.key), result.manifestKey]));
    expect(result.manifestKey).toBe(manifestKey('org-a', day, 1));
  });

  it('keeps each event exactly as Genesys returned it, one JSON object per line', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 50 } });
    const day = '2026-11-24';
    const { manifest } = await exportDay(await fx.deps(), day);
    const { events } = fx.client.queryInterval({ start: '2026-11-24T00:00:00.000Z', end: '2026-11-25T00:00:00.000Z' });
    const fromGenesys: string[] = [];
    for await (const r of events) fromGenesys.push(r.json);
    const { gunzipSync } = await import('node:zlib');
    const text = gunzipSync(await fs.readFile(path.join(fx.root, manifest.objects[0]!.key))).toString('utf8');
    expect(text).toBe(fromGenesys.join('\n') + '\n');
  });

  it('gives an empty day a manifest that says it held no events', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 200, quietDays: ['2026-11-23'] } });
    const result = await exportDay(await fx.deps(), '2026-11-23');
    expect(result.manifest).toMatchObject({
      events: 0,
      dayEventsTotal: 0,
      objects: [],
      firstEventDate: null,
      lastEventDate: null,
    });
    expect(await filesIn(fx.root)).toEqual([result.manifestKey]);
  });

  it('refuses a day that has not settled yet, saying when it will, and writes nothing', async () => {
    fx = await archiveFixture({ now: '2026-11-28T01:30:00Z', sim: { eventsPerDay: 100 } });
    const deps = await fx.deps();
    // Today, and yesterday within the 120-minute settlement margin.
    await expect(exportDay(deps, '2026-11-28')).rejects.toMatchObject({
      code: 'DAY_UNSETTLED',
      message: expect.stringContaining('2026-11-29T02:00:00.000Z'),
    });
    await expect(exportDay(deps, '2026-11-27')).rejects.toMatchObject({
      code: 'DAY_UNSETTLED',
      message: expect.stringContaining('2026-11-28T02:00:00.000Z'),
    });
    expect(await filesIn(fx.root)).toEqual([]);
    expect(fx.sim.stats.queries).toBe(0);
    // Once its margin has passed, the same day goes through.
    fx.clock.now = Date.parse('2026-11-28T02:00:00Z');
    await expect(exportDay(deps, '2026-11-27')).resolves.toMatchObject({ outcome: 'archived', events: 100 });
  });

  it('refuses to export an archived day again unless asked to reconcile, and writes nothing', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 100 } });
    const deps = await fx.deps();
    await exportDay(deps, '2026-11-25');
    const before = await filesIn(fx.root);
    const queries = fx.sim.stats.queries;
    await expect(exportDay(deps, '2026-11-25')).rejects.toMatchObject({
      code: 'DAY_ALREADY_ARCHIVED',
      message: expect.stringContaining('--reconcile'),
    });
    expect(await filesIn(fx.root)).toEqual(before);
    expect(fx.sim.stats.queries).toBe(queries);
  });

  it('reconciles late arrivals into a new part and a new manifest that references the earlier one, overwriting nothing', async () => {
    const day = '2026-11-25';
    // Genesys is slow today: events show up 3 hours late, longer than the 2-hour margin.
    fx = await archiveFixture({ now: '2026-11-26T02:30:00Z', sim: { eventsPerDay: 2000, settlementLagMinutes: 180 } });
    const deps = await fx.deps();
    const first = await exportDay(deps, day);
    const late = 2000 - first.events;
    expect(late).toBeGreaterThan(0);
    const firstFiles = new Map<string, string>();
    for (const f of await filesIn(fx.root))
      firstFiles.set(
        f,
        createHash('sha256')
          .update(await fs.readFile(path.join(fx.root, f)))
          .digest('hex'),
      );

    fx.clock.now = Date.parse('2026-11-27T12:00:00Z');
    const second = await exportDay(deps, day, { reconcile: true });
    expect(second).toMatchObject({ outcome: 'reconciled', events: late });
    const m = second.manifest;
    expect(m.kind).toBe('reconcile');
    expect(m.dayEventsTotal).toBe(2000);
    expect(m.supersedes).toEqual([
      {
        key: first.manifestKey,
        sha256: createHash('sha256')
          .update(await fs.readFile(path.join(fx.root, first.manifestKey)))
          .digest('hex'),
      },
    ]);
    expect(m.previous?.key).toBe(first.manifestKey);
    // Part numbers continue after the first run's.
    expect(m.objects[0]!.key).toBe(dataKey('org-a', day, first.manifest.objects.length + 1));
    const newIds = (await Promise.all(m.objects.map((o) => idsInObject(fx!.store, o.key)))).flat();
    expect(newIds.length).toBe(late);

    // The archive now holds the whole day exactly once, and every earlier file is untouched.
    expect(sorted(await archivedIds(fx.store, day))).toEqual(sorted(fx.sim.expectedEventIds(day)));
    for (const [f, sha] of firstFiles)
      expect(
        createHash('sha256')
          .update(await fs.readFile(path.join(fx.root, f)))
          .digest('hex'),
      ).toBe(sha);

    // Checking again finds nothing new, and still leaves evidence that it checked.
    const third = await exportDay(deps, day, { reconcile: true });
    expect(third.manifest).toMatchObject({ kind: 'reconcile', events: 0, objects: [], dayEventsTotal: 2000 });
    expect(third.manifest.supersedes.map((s) => s.key)).toEqual([first.manifestKey, second.manifestKey]);
  });

  it('refuses to reconcile on top of an archived part that was altered', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 300 } });
    const deps = await fx.deps();
    const first = await exportDay(deps, '2026-11-25');
    const file = path.join(fx.root, first.manifest.objects[0]!.key);
    await fs.chmod(file, 0o644);
    const { gzipSync, gunzipSync } = await import('node:zlib');
    const text = gunzipSync(await fs.readFile(file)).toString('utf8');
    await fs.writeFile(file, gzipSync(text.replace('"Update"', '"Delete"')));
    const before = await filesIn(fx.root);
    await expect(exportDay(deps, '2026-11-25', { reconcile: true })).rejects.toMatchObject({
      code: 'ARCHIVE_INTEGRITY',
      message: expect.stringContaining(first.manifest.objects[0]!.key),
    });
    expect(await filesIn(fx.root)).toEqual(before);
  });

  it('links each manifest to the one written before it when three days export at once', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 1500 } });
    const deps = await fx.deps();
    const days = ['2026-11-23', '2026-11-24', '2026-11-25'];
    const results = await Promise.all(days.map((d) => exportDay(deps, d)));
    expect(sorted(results.map((r) => String(r.manifest.sequence)))).toEqual(['1', '2', '3']);

    const index = await readArchiveIndex(fx.store);
    const all = [...index.days.values()].flatMap((e) => e.manifests).sort((a, b) => a.sequence - b.sequence);
    expect(all.map((m) => m.sequence)).toEqual([1, 2, 3]);
    let previous: { key: string; sha256: string } | null = null;
    for (const entry of all) {
      const read = await readManifest(fx.store, entry.key, entry.versionId);
      expect(read.manifest.previous).toEqual(previous);
      previous = { key: entry.key, sha256: createHash('sha256').update(read.bytes).digest('hex') };
    }
    for (const d of days) expect(sorted(await archivedIds(fx.store, d))).toEqual(sorted(fx.sim.expectedEventIds(d)));

    // A chain opened later continues from the newest manifest.
    const reopened = await ManifestChain.open(fx.store);
    expect(reopened.previous).toEqual(previous);
    expect(reopened.nextSequence).toBe(4);
  });

  it('after a run is killed mid-day, a rerun archives every event exactly once and lists the orphan parts it ignored', async () => {
    const day = '2026-11-25';
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 3000 }, pageSize: 250 });
    const stop = new AbortController();
    const crashed = exportDay(await fx.deps(), day, {
      signal: stop.signal,
      onProgress: (p) => {
        // Killed right after its first part was stored and confirmed.
        if (p.bytes > 0) stop.abort(new Error('killed'));
      },
    });
    await expect(crashed).rejects.toThrow('killed');

    const left = await readArchiveIndex(fx.store);
    const orphans = left.days.get(day)!.dataObjects.map((o) => o.key);
    expect(orphans.length).toBeGreaterThan(0);
    expect(left.days.get(day)!.manifests).toEqual([]);
    // Nothing but whole parts is left behind.
    expect((await filesIn(fx.root)).every((f) => f.startsWith('org-a/audit-logs/2026/11/25/events-'))).toBe(true);

    const rerun = await exportDay(await fx.deps(), day);
    expect(rerun.manifest.orphansIgnored).toEqual(orphans.map((key) => ({ key, versionId: null })));
    const keys = rerun.manifest.objects.map((o) => o.key);
    expect(keys.some((k) => orphans.includes(k))).toBe(false);
    expect(keys[0]).toBe(dataKey('org-a', day, orphans.length + 1));
    const ids = await archivedIds(fx.store, day);
    expect(ids.length).toBe(3000);
    expect(sorted(ids)).toEqual(sorted(fx.sim.expectedEventIds(day)));
  });

  it('reports a manifest that is not valid JSON as a bad object, naming its key', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 10 } });
    const key = manifestKey('org-a', '2026-11-20', 1);
    const body = Buffer.from('{"format": "audit-archive/manifest@1", "sequ');
    await fx.store.putObject({
      key,
      body,
      sha256: createHash('sha256').update(body).digest('hex'),
      contentType: 'application/json',
      lock: { mode: 'COMPLIANCE', retainUntil: '2033-01-01T00:00:00.000Z' },
    });
    await expect(readManifest(fx.store, key, null)).rejects.toMatchObject({
      code: 'ARCHIVE_BAD_OBJECT',
      message: expect.stringContaining(key),
    });
    await expect(ManifestChain.open(fx.store)).rejects.toMatchObject({ code: 'ARCHIVE_BAD_OBJECT' });
  });
});

describe('the manifest chain', () => {
  it('links after a manifest another exporter wrote for the same day instead of forking or failing', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 50 } });
    const app = await ManifestChain.open(fx.store);
    const cli = await ManifestChain.open(fx.store);
    const first = await exportDay(await fx.deps({ chain: app }), '2026-11-25');
    // The CLI still believes the archive is empty: its sequence 1 for the same day is taken.
    const second = await exportDay(await fx.deps({ chain: cli }), '2026-11-25', {
      reconcile: true,
      index: await readArchiveIndex(fx.store),
    });
    expect(second.manifest.sequence).toBe(2);
    expect(second.manifest.previous?.key).toBe(first.manifestKey);
  });
});
