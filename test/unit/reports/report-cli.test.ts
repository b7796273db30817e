/**
 * `audit-archive report` as an officer runs it from a shell, over a demo archive real exports
 * filled: a saved query with its parameter, SQL, or a result file `query --out` wrote; the PDF's
 * and the bundle's paths on stdout; bad input refused with exit 2 and one clear line, leaving
 * --out empty; `--archive-copy` kept in the archive where `verify` knows it.
 */
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportBundleKey, reportRecordKey } from '../../../shared/archive-layout';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import { ResultMetadataSchema, type ResultMetadata } from '../../../shared/discovery/result-metadata';
import { ReportEvidenceSchema } from '../../../shared/reports/report-evidence';
import { ReportReceiptSchema, type ReportReceipt } from '../../../shared/reports/report-receipt';
import { VerifyReportSchema } from '../../../shared/verify';
import { main } from '../../../main/cli/main';
import { demoArchiveDirIn } from '../../../main/engine/service/open-app-service';
import { makeWritable } from '../archive/archive-fixture';
import { fillAppArchive } from '../service/archive-status-fixture';
import { checkBundle, flat, pdfPages } from './report-fixture';

let dir: string;
let root: string;
let target: string;
let stateDir: string;
let from: Day;
let to: Day;
/** A result file `audit-archive query --format json --out` wrote over the period. */
let resultFile: string;

async function cli(command: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main([command, ...argv, '--target', target, '--state-dir', stateDir], {
    env: { TZ: 'Europe/London' },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

async function newOut(): Promise<string> {
  return fs.mkdtemp(path.join(dir, 'out-'));
}

/** The receipt the report left beside its bundle. */
async function receiptOf(bundle: string): Promise<ReportReceipt> {
  return ReportReceiptSchema.parse(JSON.parse(await fs.readFile(bundle.replace(/\.zip$/, '.receipt.json'), 'utf8')));
}

function period(): string[] {
  return ['--from', from, '--to', to];
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aa-cli-report-'));
  to = lastSettledDay(Date.now(), 120);
  from = addDays(to, -1);
  await fillAppArchive(dir, { archive: [from, to] });
  root = demoArchiveDirIn(dir);
  target = pathToFileURL(root).href;
  stateDir = path.join(dir, 'state');
  resultFile = path.join(dir, 'queue-changes.json');
  const q = await cli(
    'query',
    '--sql',
    "SELECT id, action FROM audit_events WHERE entitytype = 'Queue' ORDER BY eventdate",
    ...period(),
    '--format',
    'json',
    '--out',
    resultFile,
  );
  expect(q.code, q.stderr).toBe(0);
});

afterAll(async () => {
  await makeWritable(dir).catch(() => undefined);
  await fs.rm(dir, { recursive: true, force: true });
});

describe('audit-archive report', () => {
  it('--saved NAME answers with a PDF and a bundle, prints both paths and exits 0', async () => {
    const out = await newOut();
    const r = await cli(
      'report',
      '--saved',
      'deletions',
      ...period(),
      '--request-ref',
      'FINRA-2026-117',
      '--requester',
      'Sam Auditor',
      '--question',
      'Every deletion in the period.',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const [pdf, bundle, ...rest] = r.stdout.trimEnd().split('\n');
    expect(rest).toEqual([]);
    expect(pdf).toMatch(new RegExp(`^${out}/AR-\\d{8}-[0-9a-f]{8}/report\\.pdf$`));
    expect(bundle).toMatch(new RegExp(`^${out}/AR-\\d{8}-[0-9a-f]{8}\\.zip$`));
    const receipt = await receiptOf(bundle as string);
    expect(receipt.verified).toBe(true);
    expect(r.stderr).toContain(`Report ${receipt.reportId} for request FINRA-2026-117`);
    expect(r.stderr).toContain(`Bundle SHA-256: ${receipt.bundleSha256}`);
    const cover = flat((await pdfPages(pdf as string))[0] as string);
    expect(cover).toContain('FINRA-2026-117');
    expect(cover).toContain('Sam Auditor');
    expect(cover).toContain('Verified: every archived day of the period');
    expect((await checkBundle(bundle as string, receipt.reportId)).code).toBe(0);
  });

  it('--saved with --param takes the parameter the saved query asks for', async () => {
    const out = await newOut();
    const q = await cli(
      'query',
      '--sql',
      "SELECT entity.name AS queue FROM audit_events WHERE entitytype = 'Queue' ORDER BY id LIMIT 1",
      ...period(),
      '--format',
      'csv',
    );
    const queue = q.stdout.split('\r\n')[1] as string;
    expect(q.code, q.stderr).toBe(0);
    expect(queue).toBeTruthy();
    const r = await cli(
      'report',
      '--saved',
      'Changes to one queue',
      '--param',
      `queue=${queue}`,
      ...period(),
      '--request-ref',
      'SEC-1',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const receipt = await receiptOf(r.stdout.trimEnd().split('\n')[1] as string);
    const evidence = ReportEvidenceSchema.parse(
      JSON.parse(await fs.readFile(path.join(receipt.folder, 'evidence.json'), 'utf8')),
    );
    expect(evidence.results[0]?.metadata.query).toMatchObject({
      savedQuery: { id: 'changes-to-one-queue' },
      parameters: [{ name: 'queue', value: queue }],
    });
    expect(receipt.events).toBeGreaterThan(0);
    expect(receipt.events).toBe(evidence.results[0]?.eventsFound);
  });

  it('--sql runs the SQL over the period and puts every event it names in the report', async () => {
    const out = await newOut();
    const r = await cli(
      'report',
      '--sql',
      'SELECT id FROM audit_events',
      ...period(),
      '--request-ref',
      'SEC-2',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const receipt = await receiptOf(r.stdout.trimEnd().split('\n')[1] as string);
    const evidence = ReportEvidenceSchema.parse(
      JSON.parse(await fs.readFile(path.join(receipt.folder, 'evidence.json'), 'utf8')),
    );
    expect(receipt.events).toBe(evidence.population.events);
    expect(evidence.population.archivedDays).toBe(2);
  });

  it('--results FILE cites a result `query --out` wrote, runs it again and says the row count matches', async () => {
    const metadata = ResultMetadataSchema.parse(JSON.parse(await fs.readFile(`${resultFile}.query.json`, 'utf8')));
    // The rows file, and its .query.json beside it, both name the result.
    for (const file of [resultFile, `${resultFile}.query.json`]) {
      const r = await cli('report', '--results', file, ...period(), '--request-ref', 'SEC-3', '--out', await newOut());
      expect(r.code, r.stderr).toBe(0);
      const receipt = await receiptOf(r.stdout.trimEnd().split('\n')[1] as string);
      const evidence = ReportEvidenceSchema.parse(
        JSON.parse(await fs.readFile(path.join(receipt.folder, 'evidence.json'), 'utf8')),
      );
      expect(evidence.results[0]).toMatchObject({
        origin: 'cited-result',
        metadata: { resultId: metadata.resultId },
        rerun: { rowCount: metadata.rowCount },
      });
      expect(receipt.events).toBe(metadata.rowCount);
      expect(flat((await pdfPages(receipt.pdf)).join('\n'))).toContain('the same row count as cited');
    }
  });

  describe('refuses bad input with exit 2, one clear line, and nothing written into --out', () => {
    const cases: Array<[string, (out: string) => Promise<string[]> | string[], RegExp]> = [
      [
        'no --request-ref',
        (out) => ['--sql', 'SELECT id FROM audit_events', ...period(), '--out', out],
        /--request-ref REF is required/,
      ],
      [
        'a blank --request-ref',
        (out) => ['--sql', 'SELECT id FROM audit_events', ...period(), '--request-ref', '  ', '--out', out],
        /--request-ref REF is required/,
      ],
      [
        'a day that is not a day',
        (out) => [
          '--sql',
          'SELECT id FROM audit_events',
          '--from',
          '2026-02-30',
          '--to',
          to,
          '--request-ref',
          'X',
          '--out',
          out,
        ],
        /--from '2026-02-30' is not a real calendar day/,
      ],
      [
        'a period that ends before it starts',
        (out) => [
          '--sql',
          'SELECT id FROM audit_events',
          '--from',
          to,
          '--to',
          from,
          '--request-ref',
          'X',
          '--out',
          out,
        ],
        /--to .* is before --from/,
      ],
      [
        'an unknown saved query',
        (out) => ['--saved', 'no-such-query', ...period(), '--request-ref', 'X', '--out', out],
        /no saved or starter query "no-such-query"/,
      ],
      [
        'a saved query without its parameter',
        (out) => ['--saved', 'changes-to-one-queue', ...period(), '--request-ref', 'X', '--out', out],
        /Give a value for :queue/,
      ],
      [
        'both --sql and --results',
        (out) => ['--sql', 'SELECT 1', '--results', resultFile, ...period(), '--request-ref', 'X', '--out', out],
        /exactly one of --saved NAME, --sql SQL or --results FILE/,
      ],
      [
        'SQL that writes',
        (out) => ['--sql', 'DROP TABLE audit_events_raw', ...period(), '--request-ref', 'X', '--out', out],
        /queries only/,
      ],
      [
        'an unknown time zone',
        (out) => [
          '--sql',
          'SELECT id FROM audit_events',
          ...period(),
          '--request-ref',
          'X',
          '--time-zone',
          'Mars/Olympus',
          '--out',
          out,
        ],
        /--time-zone 'Mars\/Olympus' is not an IANA time zone/,
      ],
      [
        'a --results file that does not exist',
        (out) => ['--results', path.join(dir, 'nothing.json'), ...period(), '--request-ref', 'X', '--out', out],
        /Cannot read .*nothing\.json\.query\.json \(ENOENT\)/,
      ],
      [
        'a --results file that is not a result',
        async (out) => {
          const file = path.join(dir, 'not-a-result.json');
          await fs.writeFile(file, JSON.stringify({ hello: 'examiner' }));
          return ['--results', file, ...period(), '--request-ref', 'X', '--out', out];
        },
        /not-a-result\.json is not a discovery result's metadata/,
      ],
      [
        'a --results file that is not JSON',
        async (out) => {
          const file = path.join(dir, 'rows.csv');
          await fs.writeFile(file, 'id,action\r\nabc,delete\r\n');
          return ['--results', file, ...period(), '--request-ref', 'X', '--out', out];
        },
        /rows\.csv is not a discovery result's metadata/,
      ],
      [
        'a result read outside the period',
        (out) => ['--results', resultFile, '--from', to, '--to', to, '--request-ref', 'X', '--out', out],
        /Result 1 read .* outside the report's period/,
      ],
    ];
    it.each(cases)('%s', async (_name, argv, message) => {
      const out = await newOut();
      const r = await cli('report', ...(await argv(out)));
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(await fs.readdir(out)).toEqual([]);
    });
  });

  it('--archive-copy keeps the bundle and a signed record in the archive, locked, and verify knows them', async () => {
    const out = await newOut();
    const r = await cli(
      'report',
      '--sql',
      'SELECT id FROM audit_events LIMIT 5',
      ...period(),
      '--request-ref',
      'SEC-COPY',
      '--archive-copy',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const receipt = await receiptOf(r.stdout.trimEnd().split('\n')[1] as string);
    expect(receipt.archiveCopy).toEqual({
      bundleKey: reportBundleKey('', receipt.reportId),
      bundleVersionId: null,
      recordKey: reportRecordKey('', receipt.reportId),
      recordVersionId: null,
    });
    expect(r.stderr).toContain(`Kept in the archive: ${receipt.archiveCopy?.bundleKey}`);
    const archived = path.join(root, ...(receipt.archiveCopy?.bundleKey as string).split('/'));
    expect(await fs.readFile(archived)).toEqual(await fs.readFile(receipt.bundle));
    const v = await cli('verify', '--full', '--json', ...period());
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(VerifyReportSchema.parse(JSON.parse(v.stdout)).problems).toEqual([]);
  });
});
