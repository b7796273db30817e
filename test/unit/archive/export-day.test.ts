import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataKey, manifestKey, rootKey } from '../../../shared/archive-layout';
import { ArchiveRootSchema } from '../../../shared/archive-root';
import {
  type ArchiveFixture,
  archiveFixture,
  archivedIds,
  dayManifests,
  filesIn,
  idsInObject,
} from './archive-fixture';

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
    const result = await fx.export(day);

    const expected = fx.sim.expectedEventIds(day);
    expect(expected.length).toBe(3000);
    const ids = await archivedIds(fx.archive(), day);
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
    expect(m.queries.length).toBeGreaterThan(0);
    expect(m.queries.every((q) => q.state === 'Succeeded')).toBe(true);
    // Where the events came from: the organisation Genesys says the client belongs to.
    const org = await fx.client.identify();
    expect(org.organisationId).toMatch(/\S/);
    expect(m.source).toMatchObject({ demo: false, organisationId: org.organisationId, apiHost: org.apiHost });
    // Signed with the archive's key, which the root object names.
    const root = ArchiveRootSchema.parse(JSON.parse(await fs.readFile(path.join(fx.root, rootKey('org-a')), 'utf8')));
    expect(m.archiveId).toBe(root.archiveId);
    expect(m.signature.keyFingerprint).toBe(root.signingKey.fingerprint);
    expect(root).toMatchObject({ purpose: 'production', organisation: { id: org.organisationId } });
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
    // The root, data under audit-logs/, the manifest beside it, nothing half-written anywhere.
    expect(await filesIn(fx.root)).toEqual(
      sorted([rootKey('org-a'), ...m.objects.map((o) => o.key), result.manifestKey]),
    );
    expect(result.manifestKey).toBe(manifestKey('org-a', day, 1));
  });

  it('keeps each event exactly as Genesys returned it, one JSON object per line', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 50 } });
    const day = '2026-11-24';
    const { manifest } = await fx.export(day);
    const { events } = fx.client.queryInterval({ start: '2026-11-24T00:00:00.000Z', end: '2026-11-25T00:00:00.000Z' });
    const fromGenesys: string[] = [];
    for await (const r of events) fromGenesys.push(r.json);
    const { gunzipSync } = await import('node:zlib');
    const text = gunzipSync(await fs.readFile(path.join(fx.root, manifest.objects[0]!.key))).toString('utf8');
    expect(text).toBe(fromGenesys.join('\n') + '\n');
  });

  it('gives an empty day a manifest that says it held no events', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 10, quietDays: ['2026-11-22'] } });
    const result = await fx.export('2026-11-22');
    expect(result.events).toBe(0);
    expect(result.manifest).toMatchObject({
      events: 0,
      dayEventsTotal: 0,
      objects: [],
      firstEventDate: null,
      lastEventDate: null,
    });
    expect((await fx.verify({ from: '2026-11-22', to: '2026-11-22' })).ok).toBe(true);
  });

  it('refuses a day that has not settled yet, saying when it will, and writes nothing', async () => {
    fx = await archiveFixture({ now: '2026-11-28T01:00:00Z', sim: { eventsPerDay: 10 } });
    await expect(fx.export('2026-11-27')).rejects.toMatchObject({
      code: 'DAY_UNSETTLED',
      message: expect.stringContaining('2026-11-28T02:00:00.000Z'),
    });
    await expect(fx.export('2026-11-28')).rejects.toMatchObject({ code: 'DAY_UNSETTLED' });
    expect((await filesIn(fx.root)).filter((f) => f.includes('audit-logs') || f.includes('manifests'))).toEqual([]);
  });

  it('refuses a day older than the Genesys retention window, whoever asks, instead of archiving a false empty day', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 10 } });
    await expect(fx.export('2025-11-01')).rejects.toMatchObject({ code: 'DAY_UNRECOVERABLE' });
    await expect(fx.exportAll(['2025-11-01'])).rejects.toMatchObject({ code: 'DAY_UNRECOVERABLE' });
    expect((await filesIn(fx.root)).filter((f) => f.includes('manifests'))).toEqual([]);
  });

  it('refuses to export an archived day again unless asked to reconcile, and writes nothing', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 50 } });
    await fx.export('2026-11-25');
    const before = await filesIn(fx.root);
    await expect(fx.export('2026-11-25')).rejects.toMatchObject({
      code: 'DAY_ALREADY_ARCHIVED',
      message: expect.stringContaining('--reconcile'),
    });
    expect(await filesIn(fx.root)).toEqual(before);
  });

  it('reconciles late arrivals into a new part and a new manifest that references the earlier one, overwriting nothing', async () => {
    fx = await archiveFixture({
      now: '2026-11-26T03:00:00Z',
      sim: { eventsPerDay: 400, settlementLagMinutes: 60 * 20 },
    });
    const day = '2026-11-25';
    // At 03:00 with a 20-hour indexing lag, Genesys shows only the events of the first hours.
    const first = await fx.export(day);
    expect(first.events).toBeGreaterThan(0);
    expect(first.events).toBeLessThan(400);
    const firstFiles = await filesIn(fx.root);
    const firstBytes = await Promise.all(firstFiles.map((f) => fs.readFile(path.join(fx!.root, f))));

    fx.clock.now = Date.parse('2026-11-27T12:00:00Z');
    const second = await fx.export(day, { reconcile: true });
    expect(second.outcome).toBe('reconciled');
    expect(second.events).toBe(400 - first.events);
    expect(second.manifest).toMatchObject({
      kind: 'reconcile',
      sequence: 2,
      dayEventsTotal: 400,
      supersedes: [{ key: first.manifestKey }],
    });
    expect(second.manifest.previous).toMatchObject({ key: first.manifestKey, sequence: 1 });
    // The new part continues the numbering; nothing written before changed.
    expect(second.manifest.objects[0]!.key).toBe(dataKey('org-a', day, first.manifest.objects.length + 1));
    for (const [i, f] of firstFiles.entries()) expect(await fs.readFile(path.join(fx.root, f))).toEqual(firstBytes[i]);
    expect(sorted(await archivedIds(fx.archive(), day))).toEqual(sorted(fx.sim.expectedEventIds(day)));
    // A second reconcile finds nothing new and says so with an empty manifest.
    const third = await fx.export(day, { reconcile: true });
    expect(third.events).toBe(0);
    expect((await fx.verify({ from: day, to: day, full: true })).ok).toBe(true);
  });

  it('refuses to reconcile on top of an archived part that was altered', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 200 } });
    const day = '2026-11-25';
    const first = await fx.export(day);
    const file = path.join(fx.root, first.manifest.objects[0]!.key);
    await fs.chmod(file, 0o644);
    const bytes = await fs.readFile(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 20) ^ 0xff, bytes.length - 20);
    await fs.writeFile(file, bytes);
    await expect(fx.export(day, { reconcile: true })).rejects.toMatchObject({ code: 'ARCHIVE_INTEGRITY' });
    expect((await dayManifests(fx.archive(), day)).length).toBe(1);
  });

  it('links each manifest to the one written before it when three days export at once', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 300 } });
    const results = await fx.exportAll(['2026-11-23', '2026-11-24', '2026-11-25']);
    const bySequence = [...results].sort((a, b) => a.manifest.sequence - b.manifest.sequence);
    expect(bySequence.map((r) => r.manifest.sequence)).toEqual([1, 2, 3]);
    expect(bySequence[0]!.manifest.previous).toBeNull();
    for (let i = 1; i < 3; i++)
      expect(bySequence[i]!.manifest.previous).toMatchObject({ key: bySequence[i - 1]!.manifestKey, sequence: i });
    const verdict = await fx.verify({ from: '2026-11-23', to: '2026-11-25', full: true });
    expect(verdict.problems).toEqual([]);
    expect(verdict.archive?.head?.sequence).toBe(3);
  });

  it('after a run is killed mid-day, a rerun archives every event exactly once and declares the parts it ignored', async () => {
    fx = await archiveFixture({ now: '2026-11-28T12:00:00Z', sim: { eventsPerDay: 3000 }, pageSize: 100 });
    const day = '2026-11-25';
    const stop = new AbortController();
    let parts = 0;
    await expect(
      fx.export(day, {
        signal: stop.signal,
        onProgress: (p) => {
          if (p.bytes > 0 && ++parts === 2) stop.abort(new Error('killed'));
        },
      }),
    ).rejects.toThrow();
    const left = (await filesIn(fx.root)).filter((f) => f.includes('audit-logs'));
    expect(left.length).toBeGreaterThan(0);
    // The calendar does not call a day with leftovers archived, nor tampered.
    const rerun = await fx.export(day);
    expect(rerun.manifest.orphansIgnored.map((o) => o.key)).toEqual(left);
    expect(rerun.manifest.objects[0]!.key).toBe(dataKey('org-a', day, left.length + 1));
    expect(sorted(await archivedIds(fx.archive(), day))).toEqual(sorted(fx.sim.expectedEventIds(day)));
    for (const key of left) expect((await idsInObject(fx.store, key)).length).toBeGreaterThan(0);
    const verdict = await fx.verify({ from: day, to: day, full: true });
    expect(verdict.ok).toBe(true);
    expect(verdict.problems.map((p) => p.kind)).toEqual(left.map(() => 'orphan'));
  });

  it('a junk manifest-shaped key never wedges the exporter, and verify names it', async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 50 } });
    await fx.export('2026-11-24');
    const junk = manifestKey('org-a', '2099-01-01', 9_999_999_999);
    await fs.mkdir(path.dirname(path.join(fx.root, junk)), { recursive: true });
    await fs.writeFile(path.join(fx.root, junk), '{"format":"audit-archive/manifest@2","sequence":9999999999}');
    // The next export goes on at sequence 2, linked to the real head.
    const next = await fx.export('2026-11-25');
    expect(next.manifest.sequence).toBe(2);
    const verdict = await fx.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([
      expect.objectContaining({ day: '2099-01-01', kind: 'manifest-invalid', key: junk }),
    ]);
    // A range that leaves 2099 out checks only its own days.
    expect((await fx.verify({ from: '2026-11-24', to: '2026-11-25' })).ok).toBe(true);
  });
});
