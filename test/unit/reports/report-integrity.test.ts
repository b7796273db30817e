/**
 * A report never vouches for what the archive cannot prove. Over a demo archive real exports
 * filled: result files forged to read outside the period or to run other SQL than they show are
 * refused before anything is written; a past report is re-checked (untouched passes, a file changed
 * afterwards is named); its copy kept in the archive is known to verify, and a forged record or
 * replaced bundle is named; and a day whose archived part lost a byte is named on the cover, in
 * words, whichever way the report was asked for.
 */
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Day } from '../../../shared/day';
import { compileQuery } from '../../../shared/discovery/compile-query';
import type { ResultMetadata } from '../../../shared/discovery/result-metadata';
import { ReportEvidenceSchema, type ReportEvidence } from '../../../shared/reports/report-evidence';
import type { ReportReceipt } from '../../../shared/reports/report-receipt';
import { generateReport } from '../../../main/engine/reports/build-report';
import { checkReport } from '../../../main/engine/reports/check-report';
import { createReportService } from '../../../main/engine/reports/report-service';
import { SettingsSchema } from '../../../shared/settings';
import type { CitedSource } from '../../../main/engine/reports/cited-results';
import { runDiscoveryQuery } from '../../../main/engine/discovery/run-query';
import { dayManifests } from '../archive/archive-fixture';
import { DEMO_DAYS, demoArchive, type DemoArchive } from '../discovery/discovery-fixture';
import {
  buildOptions,
  flat,
  flipByte,
  generate,
  pdfPages,
  scratchFolder,
  removeScratchFolders,
} from './report-fixture';

afterAll(removeScratchFolders);

const RANGE = { from: DEMO_DAYS[0] as Day, to: DEMO_DAYS.at(-1) as Day };
const ALL_EVENTS: CitedSource = {
  kind: 'query',
  query: { kind: 'sql', sql: 'SELECT id FROM audit_events', parameters: [], range: RANGE },
  savedQuery: null,
};

let demo: DemoArchive;

beforeAll(async () => {
  demo = await demoArchive();
});
afterAll(async () => {
  await demo?.close();
});

async function evidenceOf(receipt: ReportReceipt): Promise<ReportEvidence> {
  return ReportEvidenceSchema.parse(JSON.parse(await fs.readFile(path.join(receipt.folder, 'evidence.json'), 'utf8')));
}

async function emptyOut(): Promise<string> {
  return scratchFolder('aa-report-refused-');
}

/** A result of the demo archive over the first two days, as Discovery recorded it. */
async function recordedResult(): Promise<ResultMetadata> {
  return runDiscoveryQuery({
    engine: demo.engine(),
    query: {
      kind: 'sql',
      sql: 'SELECT id FROM audit_events WHERE action = :action',
      parameters: [{ name: 'action', type: 'string', value: 'update' }],
      range: { from: DEMO_DAYS[0] as Day, to: DEMO_DAYS[1] as Day },
    },
    archive: demo.fixture.store.url,
  });
}

describe('a result file cannot make a report vouch for what it did not check', () => {
  const period = { from: DEMO_DAYS[0] as Day, to: DEMO_DAYS[1] as Day };

  it.each<[string, (m: ResultMetadata) => ResultMetadata, RegExp]>([
    [
      'its bound days widened past the period while its range says otherwise',
      (m) => ({
        ...m,
        query: {
          ...m.query,
          positionalParameters: m.query.positionalParameters.map((p) =>
            p.name === 'range.to' ? { ...p, value: DEMO_DAYS[3]!.replaceAll('-', '/') } : p,
          ),
        },
      }),
      /Result 1's recorded SQL and parameters are not what its query compiles to/,
    ],
    [
      'SQL other than the query it shows',
      (m) => ({
        ...m,
        query: { ...m.query, sql: m.query.sql.replace(/WHERE action = \?/i, 'WHERE true OR action = ?') },
      }),
      /Result 1's recorded SQL and parameters are not what its query compiles to/,
    ],
    [
      'a parameter value other than the one it shows',
      (m) =>
        m.query.kind === 'sql'
          ? { ...m, query: { ...m.query, parameters: [{ name: 'action', type: 'string', value: 'delete' }] } }
          : m,
      /Result 1's recorded SQL and parameters are not what its query compiles to/,
    ],
    [
      'another archive',
      (m) => ({ ...m, archive: 's3://someone-else/archive' }),
      /Result 1 was run over s3:\/\/someone-else\/archive, not over .* this report reads/,
    ],
    [
      'every day the archive holds',
      (m) => ({ ...m, range: null }),
      /Result 1 was run over every day the archive holds/,
    ],
  ])('refuses a result with %s, before anything is written', async (_what, forge, message) => {
    const out = await emptyOut();
    await expect(
      generate(demo, [{ kind: 'result', metadata: forge(await recordedResult()) }], { period, outDir: out }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(message) });
    expect(await fs.readdir(out)).toEqual([]);
  });

  it('cites a local result an earlier version recorded with Athena’s definition of audit_events, and runs it again locally', async () => {
    const metadata = await recordedResult();
    if (metadata.query.kind !== 'sql') throw new Error('a SQL result was recorded');
    const { sourceSql, parameters } = metadata.query;
    const athenaForm = compileQuery({ kind: 'sql', sql: sourceSql, parameters, range: metadata.range }, 'athena').sql;
    expect(metadata.query.sql).not.toBe(athenaForm);
    const { receipt } = await generate(
      demo,
      [{ kind: 'result', metadata: { ...metadata, query: { ...metadata.query, sql: athenaForm } } }],
      { period },
    );
    expect(receipt.verified).toBe(true);
    const evidence = await evidenceOf(receipt);
    expect(evidence.results[0]?.rerun?.rowCount).toBe(metadata.rowCount);
    // It ran again in the local form, and the evidence and the PDF say so beside the SQL it was recorded with.
    expect(evidence.results[0]?.rerun?.sql).toBe(metadata.query.sql);
    const text = flat((await pdfPages(receipt.pdf)).join('\n'));
    expect(text).toContain("after that engine's own definition of audit_events");
    expect(text).toContain('The SQL as it ran again at report time');
  });

  it('says so when a cited row count is not what the archive answers now', async () => {
    const metadata = await recordedResult();
    const { receipt } = await generate(
      demo,
      [{ kind: 'result', metadata: { ...metadata, rowCount: metadata.rowCount + 7 } }],
      {
        period,
      },
    );
    expect(receipt.verified).toBe(false);
    const cover = flat((await pdfPages(receipt.pdf))[0] as string);
    expect(cover).toContain('VERIFICATION FAILED');
    expect(cover).toContain(
      `Result 1 returned ${metadata.rowCount} rows at report time, not the ${metadata.rowCount + 7} rows it was cited with`,
    );
  });
});

describe('re-checking a past report', () => {
  let receipt: ReportReceipt;
  beforeAll(async () => {
    ({ receipt } = await generate(demo, [ALL_EVENTS]));
  });

  it("passes while nothing was touched, as the Reports page's Re-check says", async () => {
    const service = createReportService({
      loadSettings: async () => SettingsSchema.parse({}),
      openSession: () => Promise.reject(new Error('a report without an archive copy needs no archive')),
      reportsFolder: path.dirname(receipt.bundle),
      cacheFolder: demo.cacheFolder,
      env: {},
    });
    try {
      const listed = await service['reports:list']({});
      expect(listed.reports.map((r) => r.reportId)).toEqual([receipt.reportId]);
      const checked = await service['reports:check']({ reportId: receipt.reportId });
      expect(checked.ok).toBe(true);
      expect(checked.checks.map((c) => [c.what, c.ok])).toEqual([
        ['Bundle', true],
        ['Files in the bundle', true],
        ['Signature', true],
        ['Report folder', true],
        ['Archive', true],
      ]);
      // Without the archive, the signature is checked but its key cannot be confirmed as the archive's; it says so.
      expect(checked.checks.find((c) => c.what === 'Signature')?.detail).toMatch(
        /SHA256SUMS is signed by the key .*; the archive is not reachable here, so it was not confirmed to be the archive's key\./,
      );
    } finally {
      await service.close();
    }
  });

  it('fails, naming the file, when a file of the report folder was changed afterwards', async () => {
    const csv = path.join(receipt.folder, 'events.csv');
    const original = await fs.readFile(csv);
    await fs.writeFile(csv, Buffer.concat([original, Buffer.from('1,forged\r\n')]));
    try {
      const checks = await checkReport(receipt, null);
      expect(checks.find((c) => c.what === 'Report folder')).toEqual({
        what: 'Report folder',
        ok: false,
        detail: 'Changed since the report was made: changed: events.csv.',
      });
      expect(checks.find((c) => c.what === 'Bundle')?.ok).toBe(true);
    } finally {
      await fs.writeFile(csv, original);
    }
  });

  it('fails, naming the bundle, when the bundle was replaced by one with its own matching SHA256SUMS', async () => {
    const original = await fs.readFile(receipt.bundle);
    const copy = await fs.mkdtemp(path.join(os.tmpdir(), 'aa-forged-'));
    try {
      // Someone edits the PDF, recomputes SHA256SUMS and zips it again: sha256sum -c passes inside.
      const { receipt: other } = await generate(demo, [ALL_EVENTS], {
        outDir: copy,
        request: { reference: 'SEC-EXAM-2026-0042', question: 'Something else entirely.' },
      });
      await fs.copyFile(other.bundle, receipt.bundle);
      const checks = await checkReport(receipt, null);
      const bundle = checks.find((c) => c.what === 'Bundle');
      expect(bundle?.ok).toBe(false);
      expect(bundle?.detail).toContain(`${path.basename(receipt.bundle)} now has SHA-256`);
      const inside = checks.find((c) => c.what === 'Files in the bundle');
      expect(inside?.ok).toBe(false);
      expect(inside?.detail).toMatch(
        new RegExp(`holds no readable SHA256SUMS in ${receipt.reportId}/ \\(it holds AR-`),
      );
    } finally {
      await fs.writeFile(receipt.bundle, original);
      await fs.rm(copy, { recursive: true, force: true });
    }
  });
});

describe('a report over a day whose archived part lost a byte', () => {
  const day = DEMO_DAYS[2] as Day;
  let key: string;

  beforeAll(async () => {
    // The query engine's verified cache was filled before the byte was lost (the reports above).
    const [first] = await dayManifests(demo.fixture.archive(), day);
    key = first?.manifest.objects[0]?.key as string;
    await flipByte(path.join(demo.fixture.store.root, ...key.split('/')));
  });

  it('says VERIFICATION FAILED on its cover, naming the day, the object and the problem, and evidence.json carries it', async () => {
    const { receipt } = await generate(demo, [ALL_EVENTS]);
    expect(receipt.verified).toBe(false);
    expect(receipt.headline).toMatch(/^VERIFICATION FAILED/);
    const cover = flat((await pdfPages(receipt.pdf))[0] as string);
    expect(cover).toContain('VERIFICATION FAILED');
    expect(cover).toContain(`${day}: hash-mismatch (${key})`);
    expect(cover).not.toContain('Verified: every archived day');
    const evidence = await evidenceOf(receipt);
    expect(evidence.verdict.ok).toBe(false);
    expect(evidence.verification).toMatchObject({ ok: false, mode: 'full' });
    expect(evidence.verification.problems).toContainEqual(expect.objectContaining({ day, kind: 'hash-mismatch', key }));
    expect(evidence.days.find((d) => d.day === day)?.problems).toContainEqual(
      expect.objectContaining({ kind: 'hash-mismatch', key }),
    );
    // The report is still whole: its bundle is there.
    expect((await fs.stat(receipt.bundle)).size).toBeGreaterThan(0);
  });

  it('says so too when the period is too large to hash whole and the events come from that object', async () => {
    const ids = demo.events
      .filter((e) => e.eventDate.startsWith(day))
      .slice(0, 3)
      .map((e) => `'${e.id}'`);
    const out = await emptyOut();
    const receipt = await generateReport({
      ...buildOptions(demo, [
        {
          kind: 'query',
          query: {
            kind: 'sql',
            sql: `SELECT id FROM audit_events WHERE id IN (${ids.join(', ')})`,
            parameters: [],
            range: RANGE,
          },
          savedQuery: null,
        },
      ]),
      fullVerifyLimitBytes: 0,
      outDir: out,
      archiveCopy: false,
    });
    expect(receipt.verified).toBe(false);
    const evidence = await evidenceOf(receipt);
    expect(evidence.verification.mode).toBe('standard');
    const cover = flat((await pdfPages(receipt.pdf))[0] as string);
    expect(cover).toContain('VERIFICATION FAILED');
    expect(cover).toContain(key);
  });

  it('does not call the period unaltered when it was too large to hash whole and the lost byte is elsewhere', async () => {
    // A result over the first two days, read from the archived NDJSON itself: nothing of the damaged day is read.
    const ndjson = () => demo.engine('ndjson');
    const metadata = await runDiscoveryQuery({
      engine: ndjson(),
      query: {
        kind: 'sql',
        sql: 'SELECT id FROM audit_events ORDER BY id LIMIT 5',
        parameters: [],
        range: { from: DEMO_DAYS[0] as Day, to: DEMO_DAYS[1] as Day },
      },
      archive: demo.fixture.store.url,
    });
    const receipt = await generateReport({
      ...buildOptions(demo, [{ kind: 'result', metadata }]),
      openEngine: ndjson,
      fullVerifyLimitBytes: 0,
      outDir: await emptyOut(),
      archiveCopy: false,
    });
    const evidence = await evidenceOf(receipt);
    expect(evidence.verification).toMatchObject({ mode: 'standard', ok: true });
    expect(evidence.events.count).toBe(5);
    const cover = flat((await pdfPages(receipt.pdf))[0] as string);
    expect(cover).not.toContain('unaltered at');
    expect(cover).toContain(
      'the other 2 archived objects of the period were not read (their SHA-256 was not checked); audit-archive verify --full reads them',
    );
  });
});
