/**
 * The audit response report an officer hands an examiner, generated from a demo archive that real
 * exports filled, and read back the way the examiner would: the PDF with pdftotext (and looked at as
 * page images), the bundle unzipped and checked with `sha256sum -c`, the NDJSON against the
 * archive's own lines.
 */
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Day } from '../../../shared/day';
import { queryTextFor } from '../../../shared/discovery/query-library';
import { STARTER_QUERIES } from '../../../shared/discovery/starter-queries';
import { describeChange } from '../../../shared/reports/event-row';
import { ReportEvidenceSchema } from '../../../shared/reports/report-evidence';
import type { ReportReceipt } from '../../../shared/reports/report-receipt';
import { runDiscoveryQuery } from '../../../main/engine/discovery/run-query';
import type { CitedSource } from '../../../main/engine/reports/cited-results';
import { linesInObject } from '../archive/archive-fixture';
import { DEMO_DAYS, demoArchive, type ArchivedEvent, type DemoArchive } from '../discovery/discovery-fixture';
import {
  checkBundle,
  flat,
  generate,
  pdfPages,
  preview,
  screenshot,
  scratchFolder,
  squash,
  removeScratchFolders,
} from './report-fixture';

afterAll(removeScratchFolders);

const RANGE = { from: DEMO_DAYS[0] as Day, to: DEMO_DAYS.at(-1) as Day };
const NON_LATIN = /[\u3040-\u30ff\u3400-\u9fff]/;

let demo: DemoArchive;
/** The user with a non-Latin name the examiner asks about, and the queue whose renames are asked about. */
let user: { id: string; name: string };
let queue: string;
let expected: ArchivedEvent[];
let sources: CitedSource[];
let receipt: ReportReceipt;
let pages: string[];

function time(e: ArchivedEvent): number {
  return Date.parse(e.eventDate);
}

beforeAll(async () => {
  demo = await demoArchive();
  const named = demo.events.filter((e) => e.user.name && NON_LATIN.test(e.user.name));
  user = { id: named[0]!.user.id, name: named[0]!.user.name as string };
  // The queue with the shortest name among those renamed, so its change fits one line of the table.
  const renamed = demo.events.filter(
    (e) => e.entityType === 'Queue' && e.propertyChanges.some((c) => c.property === 'name'),
  );
  queue = renamed.map((e) => e.entity.name).sort((a, b) => a.length - b.length || (a < b ? -1 : 1))[0] as string;
  const starter = STARTER_QUERIES.find((q) => q.id === 'changes-to-one-queue')!;
  sources = [
    {
      kind: 'query',
      query: { kind: 'structured', structured: { range: RANGE, users: [user.name], actions: [] } },
      savedQuery: null,
    },
    {
      kind: 'query',
      query: queryTextFor(starter, { parameters: { queue }, range: RANGE }),
      savedQuery: { id: starter.id, name: starter.name },
    },
    {
      kind: 'query',
      query: {
        kind: 'sql',
        sql: 'SELECT action, count(*) AS events FROM audit_events GROUP BY action ORDER BY events DESC, action',
        parameters: [],
        range: RANGE,
      },
      savedQuery: null,
    },
  ];
  const ids = new Set<string>();
  expected = demo.events
    .filter(
      (e) => e.user.id === user.id || (e.entityType === 'Queue' && e.entity.name.toLowerCase() === queue.toLowerCase()),
    )
    .filter((e) => !ids.has(e.id) && ids.add(e.id))
    .sort((a, b) => time(a) - time(b) || (a.id < b.id ? -1 : 1));
  ({ receipt } = await generate(demo, sources, { archiveCopy: true }));
  pages = await pdfPages(receipt.pdf);
});

afterAll(async () => {
  await demo?.close();
});

describe('an audit response report from the demo archive', () => {
  it('answers on its cover: the request, the verdict in words, the counts and the population', () => {
    expect(receipt.verified).toBe(true);
    expect(receipt.events).toBe(expected.length);
    const cover = flat(pages[0] as string);
    expect(cover).toContain('Audit response report');
    expect(cover).toContain('SEC-EXAM-2026-0042');
    expect(cover).toContain(
      'Verified: every archived day of the period (4 days of 4 days, 1,000 events) is complete and unaltered',
    );
    expect(cover).toContain(`${expected.length} events from 3 cited results`);
    expect(cover).toContain('4 signed manifests naming 4 archived objects with 1,000 events in all');
    expect(cover).toContain('Jordan Examiner');
    // A local folder: said in words to be no WORM storage, and no lock is claimed.
    expect(cover).toContain(
      'A local folder is not WORM storage: whoever can write to it can change or delete its files, and it has no locks, so no lock was checked.',
    );
    expect(cover).not.toMatch(/locked in|signed and locked|still locked/);
    expect(cover).toContain('Alex Officer, Compliance');
    expect(cover).toMatch(new RegExp(`${receipt.reportId} · Page 1 of ${pages.length}`));
  });

  it('shows every cited event with its user, in time order, including the non-Latin name and the old and new values', () => {
    const text = squash(pages.join('\n'));
    expect(text).toContain(user.name);
    const rename = expected.find(
      (e) => e.entity.name === queue && e.propertyChanges.some((c) => c.property === 'name'),
    )!;
    const change = rename.propertyChanges.find((c) => c.property === 'name')!;
    expect(text).toContain(describeChange(change));
    expect(change.oldValues[0]).not.toBe(change.newValues[0]);
    // Every event id, once each, in time order.
    const positions = expected.map((e) => text.indexOf(e.id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // Every page says which report it belongs to and where it is.
    pages.forEach((p, i) => expect(squash(p)).toContain(`${receipt.reportId} · Page ${i + 1} of ${pages.length}`));
  });

  it('prints the SHA-256 of every archived object the events came from, and every manifest of the period', async () => {
    const evidence = ReportEvidenceSchema.parse(
      JSON.parse(await fs.readFile(path.join(receipt.folder, 'evidence.json'), 'utf8')),
    );
    const text = pages.join('\n');
    const objects = evidence.days.flatMap((d) => d.manifests.flatMap((m) => m.objects));
    expect(evidence.citedObjects.length).toBeGreaterThan(0);
    for (const o of objects) expect(text).toContain(o.sha256);
    for (const o of evidence.citedObjects)
      expect(o).toMatchObject({ matches: true, readBack: { sha256: o.recorded.sha256 } });
    for (const m of evidence.days.flatMap((d) => d.manifests)) expect(text).toContain(m.sha256);
    expect(text).toContain(evidence.archive.keyFingerprint as string);
    expect(evidence.verification).toMatchObject({ ok: true, mode: 'full', problems: [] });
    expect(squash(text)).toContain('Genesys Cloud never writes secret values into its audit trail');
  });

  it('hands machines the events byte for byte as the archive holds them, and the same events as CSV', async () => {
    const archived = new Set<string>();
    for (const day of DEMO_DAYS)
      for (const c of (await demo.fixture.archive().read({ scope: 'layout' })).assessment.days.get(day)?.manifests ??
        [])
        for (const o of c.manifest.objects)
          for (const line of await linesInObject(demo.fixture.store, o.key, o.versionId)) archived.add(line);
    const lines = (await fs.readFile(path.join(receipt.folder, 'events.ndjson'), 'utf8')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(expected.length);
    for (const line of lines) expect(archived.has(line)).toBe(true);
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(expected.map((e) => e.id));

    const csv = (await fs.readFile(path.join(receipt.folder, 'events.csv'), 'utf8')).trimEnd().split('\r\n');
    expect(csv[0]).toMatch(/^n,id,day,event_date,time_utc,time_local,time_zone,user_name,/);
    expect(csv).toHaveLength(expected.length + 1);
    expect(await fs.readFile(path.join(receipt.folder, 'results', 'result-3.csv'), 'utf8')).toMatch(
      /^action,events\r\n/,
    );
  });

  it('bundles it all with a SHA256SUMS that sha256sum -c accepts', async () => {
    const { code, output } = await checkBundle(receipt.bundle, receipt.reportId);
    expect(code).toBe(0);
    for (const name of [
      'report.pdf',
      'events.ndjson',
      'events.csv',
      'evidence.json',
      'README.txt',
      'results/result-1.csv',
      'results/result-1.query.json',
    ])
      expect(output).toContain(`${name}: OK`);
  });

  it('is the same, byte for byte, when made again from the same inputs at the same time', async () => {
    // The first report was also copied into the archive (its PDF and README say so): compare two without copies.
    const again = await generate(demo, sources);
    const third = await generate(demo, sources);
    expect(again.receipt.reportId).toBe(receipt.reportId);
    expect(third.receipt.reportId).toBe(receipt.reportId);
    expect(await fs.readFile(third.receipt.pdf)).toEqual(await fs.readFile(again.receipt.pdf));
    expect(third.receipt.files).toEqual(again.receipt.files);
    expect(third.receipt.bundleSha256).toBe(again.receipt.bundleSha256);
    expect(receipt.files.find((f) => f.name === 'events.ndjson')).toEqual(
      again.receipt.files.find((f) => f.name === 'events.ndjson'),
    );
  });

  it('saves page images of its cover and of an events page as test artifacts', async () => {
    const eventsPage = pages.findIndex((p) => p.includes('3. The events')) + 1;
    expect(eventsPage).toBeGreaterThan(1);
    for (const [page, name] of [
      [1, 'report-cover'],
      [eventsPage, 'report-events'],
    ] as const) {
      const png = await screenshot(receipt.pdf, page, name);
      expect((await fs.stat(png)).size).toBeGreaterThan(10_000);
    }
  });

  it('runs a cited result again with its exact SQL and parameters, and says when the row count matches', async () => {
    const starter = STARTER_QUERIES.find((q) => q.id === 'changes-to-one-queue')!;
    const metadata = await runDiscoveryQuery({
      engine: demo.engine(),
      query: queryTextFor(starter, { parameters: { queue }, range: RANGE }),
      archive: demo.fixture.store.url,
      savedQuery: { id: starter.id, name: starter.name },
    });
    const cited = await generate(demo, [{ kind: 'result', metadata }]);
    const evidence = ReportEvidenceSchema.parse(
      JSON.parse(await fs.readFile(path.join(cited.receipt.folder, 'evidence.json'), 'utf8')),
    );
    expect(evidence.results[0]).toMatchObject({
      origin: 'cited-result',
      metadata: { resultId: metadata.resultId },
      rerun: { rowCount: metadata.rowCount },
    });
    const text = flat((await pdfPages(cited.receipt.pdf)).join('\n'));
    expect(text).toContain(`${metadata.rowCount} rows at`);
    expect(text).toContain(
      `by row count only (the cited rows themselves were not given): the same ${metadata.rowCount} rows as cited`,
    );
  });

  it('refuses a result read outside the period, before anything is written', async () => {
    const metadata = await runDiscoveryQuery({
      engine: demo.engine(),
      query: { kind: 'sql', sql: 'SELECT id FROM audit_events', parameters: [], range: RANGE },
      archive: demo.fixture.store.url,
    });
    const out = await scratchFolder('aa-report-refused-');
    await expect(
      generate(demo, [{ kind: 'result', metadata }], {
        period: { from: DEMO_DAYS[1] as Day, to: RANGE.to },
        outDir: out,
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining("outside the report's period"),
    });
    expect(await fs.readdir(out)).toEqual([]);
  });

  it('previews the first pages from the same model, without writing a report', async () => {
    const p = await preview(demo, sources);
    expect(p.evidence.verdict.ok).toBe(true);
    expect(p.evidence.events.count).toBe(expected.length);
    expect(p.firstEvents.map((e) => e.id)).toEqual(expected.slice(0, 25).map((e) => e.id));
    expect(p.summary.byUser.find((u) => u.label === user.name)?.count).toBe(
      expected.filter((e) => e.user.id === user.id).length,
    );
  });
});
