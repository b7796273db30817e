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
import { compileQuery } from '../../../shared/discovery/compile-query';
import { ResultMetadataSchema } from '../../../shared/discovery/result-metadata';
import { ReportEvidenceSchema } from '../../../shared/reports/report-evidence';
import { ReportReceiptSchema, type ReportReceipt } from '../../../shared/reports/report-receipt';
import { VerifyReportSchema } from '../../../shared/verify';
import { main } from '../../../main/cli/main';
import { openArchiveSession } from '../../../main/engine/archive/archive-session';
import { canonicalJsonBytes, generateSigningKey, signDocument } from '../../../main/engine/archive/signing';
import { checkReport } from '../../../main/engine/reports/check-report';
import { SettingsSchema } from '../../../shared/settings';
import { demoArchiveDirIn } from '../../../main/engine/service/open-app-service';
import { makeWritable } from '../archive/archive-fixture';
import { fillAppArchive } from '../service/archive-status-fixture';
import { checkBundle, flat, flipByte, pdfPages, removeScratchFolders } from './report-fixture';

afterAll(removeScratchFolders);

let dir: string;
let root: string;
let target: string;
let stateDir: string;
let from: Day;
let to: Day;
/** A result file `audit-archive query --format json --out` wrote over the period. */
let resultFile: string;

async function cli(command: string, ...args: Array<string | { env: NodeJS.ProcessEnv }>) {
  let stdout = '';
  let stderr = '';
  const argv = args.filter((a): a is string => typeof a === 'string');
  const env = args.find((a): a is { env: NodeJS.ProcessEnv } => typeof a !== 'string')?.env ?? { TZ: 'Europe/London' };
  const code = await main([command, ...argv, '--target', target, '--state-dir', stateDir], {
    env,
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

/** The Reports page's "Re-check", over the archive as this installation opens it. */
async function checkReportHere(receipt: ReportReceipt) {
  const session = await openArchiveSession(SettingsSchema.parse({ archive: { target } }), {}, { env: {}, stateDir });
  try {
    return await checkReport(receipt, session.archive);
  } finally {
    await session.close();
  }
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

  it('--results FILE cites a result `query --out` wrote, runs it again and compares its rows by content with the rows file', async () => {
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
      expect(evidence.results[0]?.comparison).toEqual({
        method: 'content',
        source: 'queue-changes.json',
        missing: 0,
        extra: 0,
        missingExamples: [],
        extraExamples: [],
      });
      expect(flat((await pdfPages(receipt.pdf)).join('\n'))).toContain(
        `every row compared by its content with the cited rows (queue-changes.json): the same ${metadata.rowCount} rows`,
      );
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
        'a result run on Athena, which this archive has none of',
        async (out) => {
          const m = ResultMetadataSchema.parse(JSON.parse(await fs.readFile(`${resultFile}.query.json`, 'utf8')));
          if (m.query.kind !== 'sql') throw new Error('the cited result is a SQL query');
          const { sourceSql, parameters } = m.query;
          // As Athena would have recorded it: its own definition of audit_events.
          const sql = compileQuery({ kind: 'sql', sql: sourceSql, parameters, range: m.range }, 'athena').sql;
          const file = path.join(dir, 'athena.query.json');
          await fs.writeFile(
            file,
            JSON.stringify({
              ...m,
              query: { ...m.query, sql },
              engine: {
                kind: 'athena',
                region: 'eu-west-1',
                workgroup: 'primary',
                database: 'audit',
                table: 'audit_events',
                queryExecutionId: 'q-1',
                outputLocation: null,
              },
            }),
          );
          return ['--results', file, ...period(), '--request-ref', 'X', '--out', out];
        },
        /\[QUERY_ENGINE_NOT_CONFIGURED\]/,
      ],
      [
        'an --out that is a file',
        async () => {
          const file = path.join(dir, 'a-file');
          await fs.writeFile(file, 'not a folder');
          return ['--sql', 'SELECT id FROM audit_events', ...period(), '--request-ref', 'X', '--out', file];
        },
        /Cannot write a report into .*a-file: it is not a folder\. Give a folder you can write to/,
      ],
      [
        'an --out under /proc (where a recursive mkdir never ends)',
        () => [
          '--sql',
          'SELECT id FROM audit_events',
          ...period(),
          '--request-ref',
          'X',
          '--out',
          '/proc/audit-archive-report',
        ],
        /Cannot write a report into \/proc\/audit-archive-report: it cannot be created \(ENOENT\)/,
      ],
      [
        'an --out whose parent does not exist',
        (out) => [
          '--sql',
          'SELECT id FROM audit_events',
          ...period(),
          '--request-ref',
          'X',
          '--out',
          path.join(out, 'a', 'b'),
        ],
        /Cannot write a report into .*\/a\/b: its parent folder .*\/a does not exist/,
      ],
      [
        'a result claiming to be a saved query it is not',
        async () => {
          const file = path.join(dir, 'claims-deletions.query.json');
          const m = JSON.parse(await fs.readFile(`${resultFile}.query.json`, 'utf8')) as Record<
            string,
            Record<string, unknown>
          >;
          await fs.writeFile(
            file,
            JSON.stringify({ ...m, query: { ...m.query, savedQuery: { id: 'deletions', name: 'Deletions' } } }),
          );
          return ['--results', file, ...period(), '--request-ref', 'X', '--out', await newOut()];
        },
        /Result 1 says it is the saved query "Deletions" \(deletions\), but its query is not that saved query's/,
      ],
      [
        'a result claiming a saved query the library does not hold',
        async () => {
          const file = path.join(dir, 'claims-unknown.query.json');
          const m = JSON.parse(await fs.readFile(`${resultFile}.query.json`, 'utf8')) as Record<
            string,
            Record<string, unknown>
          >;
          await fs.writeFile(
            file,
            JSON.stringify({ ...m, query: { ...m.query, savedQuery: { id: 'queue-changes', name: 'Queue changes' } } }),
          );
          return ['--results', file, ...period(), '--request-ref', 'X', '--out', await newOut()];
        },
        /this installation has no saved or starter query of that id/,
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

  describe('refuses a --results file with a malformed value in any field, naming the field, writing nothing', () => {
    type Forge = (m: Record<string, unknown> & { query: Record<string, unknown> }) => unknown;
    const at =
      (path: string, value: unknown): Forge =>
      (m) => {
        const copy = structuredClone(m) as Record<string, unknown>;
        const keys = path.split('.');
        let o = copy as Record<string, unknown>;
        for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
        o[keys.at(-1) as string] = value;
        return copy;
      };
    const cases: Array<[string, Forge, RegExp]> = [
      ['format', at('format', 'audit-archive/query-result@9'), /format: /],
      ['resultId', at('resultId', ''), /resultId: /],
      ['query.kind', at('query.kind', 'python'), /query(\.kind)?: /],
      ['query.sql', at('query.sql', 42), /query\.sql: /],
      ['query.sourceSql', at('query.sourceSql', null), /query\.sourceSql: /],
      [
        'query.parameters',
        at('query.parameters', [{ name: 'x y', type: 'string', value: 'a' }]),
        /query\.parameters\.0\.name: /,
      ],
      [
        'query.parameters (value not of its type)',
        at('query.parameters', [{ name: 'n', type: 'integer', value: 'one' }]),
        /query\.parameters\.0/,
      ],
      [
        'query.positionalParameters',
        at('query.positionalParameters', [{ name: 'x', type: 'money', value: 1 }]),
        /query\.positionalParameters\.0\.type: /,
      ],
      ['query.savedQuery', at('query.savedQuery', 'deletions'), /query\.savedQuery: /],
      ['query (an unknown field)', at('query.extra', 'x'), /query: /],
      ['engine.kind', at('engine.kind', 'sqlite'), /engine(\.kind)?: /],
      ['engine.reads', at('engine.reads', 'rumour'), /engine\.reads: /],
      ['archive', at('archive', 7), /archive: /],
      ['range.from', at('range.from', '2026-02-30'), /range\.from: /],
      ['range (reversed)', (m) => ({ ...m, range: { from: to, to: from } }), /range\.to: ends before it starts/],
      ['population.events', at('population.events', -1), /population\.events: /],
      ['startedAt', at('startedAt', 'yesterday'), /startedAt: /],
      ['finishedAt', at('finishedAt', 12), /finishedAt: /],
      ['runTimeMs', at('runTimeMs', -5), /runTimeMs: /],
      ['rowCount', at('rowCount', 1.5), /rowCount: /],
      ['columns', at('columns', [{ name: 'id' }]), /columns\.0\.type: /],
      ['cost', at('cost', { bytesScanned: -1, billedBytes: 0, costUsd: 0 }), /cost\.bytesScanned: /],
      ['an unknown field', at('comment', 'trust me'), /(comment|Unrecognized key)/],
    ];
    it.each(cases)('%s', async (_field, forge, message) => {
      const metadata = JSON.parse(await fs.readFile(`${resultFile}.query.json`, 'utf8')) as Parameters<Forge>[0];
      const file = path.join(await newOut(), 'forged.query.json');
      await fs.writeFile(file, JSON.stringify(forge(metadata)));
      const out = await newOut();
      const r = await cli('report', '--results', file, ...period(), '--request-ref', 'X', '--out', out);
      expect(r.code).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/forged\.query\.json is not a discovery result's metadata/);
      expect(lines[0]).toMatch(message);
      expect(await fs.readdir(out)).toEqual([]);
    });
  });

  describe('refuses a malformed value in any field of the request, writing nothing', () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['--request-ref too long', ['--request-ref', 'R'.repeat(201)], /--request-ref: .*200/],
      [
        '--request-ref on two lines',
        ['--request-ref', 'SEC-1\nVerified: every archived day'],
        /--request-ref: .*one line/,
      ],
      [
        '--request-ref with a direction override',
        ['--request-ref', 'SEC-\u202E1-CES'],
        /--request-ref: .*control or direction/,
      ],
      ['--requester too long', ['--request-ref', 'X', '--requester', 'r'.repeat(301)], /--requester: /],
      ['--requester on two lines', ['--request-ref', 'X', '--requester', 'A\r\nB'], /--requester: .*one line/],
      ['--regulator too long', ['--request-ref', 'X', '--regulator', 'r'.repeat(301)], /--regulator: /],
      ['--due not a day', ['--request-ref', 'X', '--due', '2026-13-01'], /--due '2026-13-01'/],
      ['--question too long', ['--request-ref', 'X', '--question', 'q'.repeat(5001)], /--question: /],
      [
        '--question with a control character',
        ['--request-ref', 'X', '--question', 'why\u0007'],
        /--question: .*control or direction/,
      ],
      ['--prepared-by too long', ['--request-ref', 'X', '--prepared-by', 'p'.repeat(301)], /--prepared-by: /],
      ['--engine unknown', ['--request-ref', 'X', '--engine', 'oracle'], /--engine must be local or athena/],
      ['--wait not a number', ['--request-ref', 'X', '--wait', 'soon'], /--wait must be a whole number/],
      ...(
        [
          ['a zero-width space', '\u200B'],
          ['a zero-width joiner', '\u200D'],
          ['a right-to-left mark', '\u200F'],
          ['a word joiner', '\u2060'],
          ['an Arabic letter mark', '\u061C'],
          ['a byte-order mark', '\uFEFF'],
        ] as const
      ).flatMap(([what, c]): Array<[string, string[], RegExp]> => [
        [
          `--request-ref with ${what}`,
          ['--request-ref', `SEC-${c}42`],
          /--request-ref: must not hold invisible characters/,
        ],
        [
          `--requester with ${what}`,
          ['--request-ref', 'X', '--requester', `Jo${c}rdan`],
          /--requester: must not hold invisible/,
        ],
        [
          `--regulator with ${what}`,
          ['--request-ref', 'X', '--regulator', `SEC${c}`],
          /--regulator: must not hold invisible/,
        ],
        [
          `--prepared-by with ${what}`,
          ['--request-ref', 'X', '--prepared-by', `${c}Alex`],
          /--prepared-by: must not hold invisible/,
        ],
      ]),
      [
        '--generated-at not an instant',
        ['--request-ref', 'X', '--generated-at', 'yesterday'],
        /--generated-at 'yesterday' is not a UTC instant/,
      ],
      [
        '--generated-at in the future',
        ['--request-ref', 'X', '--generated-at', '2999-01-01T00:00:00Z'],
        /--generated-at gives 2999-01-01T00:00:00\.000Z, which is later than now/,
      ],
      [
        '--cited-objects unknown',
        ['--request-ref', 'X', '--cited-objects', 'some'],
        /--cited-objects must be include or omit/,
      ],
    ];
    it.each(cases)('%s', async (_what, argv, message) => {
      const out = await newOut();
      const r = await cli('report', '--sql', 'SELECT id FROM audit_events', ...period(), ...argv, '--out', out);
      expect(r.code).toBe(2);
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

  describe('verify names a report copy that was changed in the archive', () => {
    let receipt: ReportReceipt;
    const file = (key: string) => path.join(root, ...key.split('/'));

    beforeAll(async () => {
      const r = await cli(
        'report',
        '--sql',
        'SELECT id FROM audit_events LIMIT 3',
        ...period(),
        '--request-ref',
        'SEC-COPY-2',
        '--archive-copy',
        '--out',
        await newOut(),
      );
      expect(r.code, r.stderr).toBe(0);
      receipt = await receiptOf(r.stdout.trimEnd().split('\n')[1] as string);
    });

    /** Rewrites an archived file (read-only, as the archive leaves it) for one check, then puts it back. */
    async function whileChanged(key: string, bytes: Buffer, check: () => Promise<void>) {
      const original = await fs.readFile(file(key));
      await fs.chmod(file(key), 0o644);
      await fs.writeFile(file(key), bytes);
      try {
        await check();
      } finally {
        await fs.writeFile(file(key), original);
        await fs.chmod(file(key), 0o444);
      }
    }

    async function verifyProblems() {
      const v = await cli('verify', '--full', '--json', ...period());
      return { code: v.code, problems: VerifyReportSchema.parse(JSON.parse(v.stdout)).problems };
    }

    async function record(): Promise<Record<string, unknown>> {
      return JSON.parse(await fs.readFile(file(receipt.archiveCopy!.recordKey), 'utf8')) as Record<string, unknown>;
    }

    it('a bundle replaced by other bytes of the same size', async () => {
      const bytes = await fs.readFile(file(receipt.archiveCopy!.bundleKey));
      bytes[100] = (bytes[100] as number) ^ 0xff;
      await whileChanged(receipt.archiveCopy!.bundleKey, bytes, async () => {
        const v = await verifyProblems();
        expect(v.code).toBe(1);
        expect(v.problems).toContainEqual(
          expect.objectContaining({ kind: 'hash-mismatch', key: receipt.archiveCopy!.bundleKey }),
        );
        const checks = await checkReportHere(receipt);
        expect(checks.find((c) => c.what === 'Archive copy')).toMatchObject({
          ok: false,
          detail: expect.stringContaining(`${receipt.archiveCopy!.bundleKey} in the archive has SHA-256`),
        });
      });
    });

    it('a record whose words were changed after it was signed', async () => {
      const forged = { ...(await record()), reference: 'SEC-SOMETHING-ELSE' };
      await whileChanged(receipt.archiveCopy!.recordKey, canonicalJsonBytes(forged), async () => {
        const v = await verifyProblems();
        expect(v.code).toBe(1);
        expect(v.problems).toContainEqual(
          expect.objectContaining({ kind: 'signature-invalid', key: receipt.archiveCopy!.recordKey }),
        );
      });
    });

    it('a record without a signature', async () => {
      const { signature: _dropped, ...unsigned } = await record();
      await whileChanged(receipt.archiveCopy!.recordKey, canonicalJsonBytes(unsigned), async () => {
        const v = await verifyProblems();
        expect(v.code).toBe(1);
        expect(v.problems).toContainEqual(
          expect.objectContaining({
            kind: 'report-invalid',
            key: receipt.archiveCopy!.recordKey,
            detail: expect.stringContaining('is not a report record'),
          }),
        );
        const checks = await checkReportHere(receipt);
        expect(checks.find((c) => c.what === 'Archive copy')?.ok).toBe(false);
      });
    });

    it('a record signed with another key', async () => {
      const { signature: _dropped, ...unsigned } = await record();
      const forged = signDocument(unsigned, generateSigningKey());
      await whileChanged(receipt.archiveCopy!.recordKey, canonicalJsonBytes(forged), async () => {
        const v = await verifyProblems();
        expect(v.code).toBe(1);
        expect(v.problems).toContainEqual(
          expect.objectContaining({ kind: 'signature-invalid', key: receipt.archiveCopy!.recordKey }),
        );
        const checks = await checkReportHere(receipt);
        expect(checks.find((c) => c.what === 'Archive copy')).toMatchObject({
          ok: false,
          detail: expect.stringContaining("is not signed with this archive's key"),
        });
      });
    });

    it('a second report copy added beside it with no record', async () => {
      const stray = path.join(root, 'reports', 'AR-20260101-00000000', 'bundle.zip');
      await fs.mkdir(path.dirname(stray), { recursive: true });
      await fs.copyFile(receipt.bundle, stray);
      try {
        const v = await verifyProblems();
        expect(v.code).toBe(1);
        expect(v.problems).toContainEqual(
          expect.objectContaining({ kind: 'report-invalid', key: 'reports/AR-20260101-00000000/bundle.zip' }),
        );
      } finally {
        await fs.rm(path.dirname(stray), { recursive: true, force: true });
      }
    });

    it('and verify passes again once all is as the report wrote it', async () => {
      const v = await verifyProblems();
      expect(v).toEqual({ code: 0, problems: [] });
      const checks = await checkReportHere(receipt);
      expect(checks.every((c) => c.ok)).toBe(true);
    });
  });

  it('a refused run makes no --out folder: the folder it would have made does not exist afterwards', async () => {
    const out = path.join(await newOut(), 'not-yet');
    const r = await cli(
      'report',
      '--results',
      resultFile,
      '--from',
      to,
      '--to',
      to,
      '--request-ref',
      'X',
      '--out',
      out,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Result 1 read .* outside the report's period/);
    await expect(fs.stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('names on stderr every day of the period it does not hold, and every finding, and exits 1', async () => {
    const before = addDays(from, -1);
    const today = new Date(Date.now()).toISOString().slice(0, 10) as Day;
    const out = await newOut();
    const r = await cli(
      'report',
      '--sql',
      'SELECT id FROM audit_events',
      '--from',
      before,
      '--to',
      today,
      '--request-ref',
      'SEC-GAPS',
      '--out',
      out,
    );
    expect(r.code).toBe(1);
    const receipt = await receiptOf(r.stdout.trimEnd().split('\n')[1] as string);
    expect(receipt.gaps.map((g) => [g.day, g.state])).toContainEqual([before, 'missing']);
    expect(receipt.gaps.map((g) => [g.day, g.state])).toContainEqual([today, 'pending']);
    expect(r.stderr).toContain(`Days of the period not archived (${receipt.gaps.length}):`);
    expect(r.stderr).toContain(`  ${before} missing: not archived; Genesys still holds it: catch-up can archive it`);
    expect(r.stderr).toContain(`  ${today} pending: not settled yet when the report was made`);
    expect(receipt.findings.length).toBeGreaterThan(0);
    for (const f of receipt.findings) expect(r.stderr).toContain(`  - ${f}\n`);
    expect(r.stderr).toContain(`  - ${before}: day-missing.`);
  });

  it('SOURCE_DATE_EPOCH (or --generated-at) makes two runs give the same bytes', async () => {
    const epoch = String(Math.floor(Date.now() / 1000) - 3600);
    const at = new Date(Number(epoch) * 1000).toISOString();
    const runs = [];
    for (const extra of [[], [], ['--generated-at', at]]) {
      const r = await cli(
        'report',
        '--sql',
        "SELECT id, action FROM audit_events WHERE entitytype = 'Queue'",
        ...period(),
        '--request-ref',
        'SEC-SAME',
        '--prepared-by',
        'Alex Officer',
        '--out',
        await newOut(),
        ...extra,
        { env: { TZ: 'Europe/London', SOURCE_DATE_EPOCH: extra.length ? '' : epoch } },
      );
      expect(r.code, r.stderr).toBe(0);
      runs.push(r.stdout.trimEnd().split('\n')[1] as string);
    }
    const [a, b, c] = await Promise.all(runs.map((bundle) => fs.readFile(bundle)));
    expect(path.basename(runs[0] as string)).toBe(path.basename(runs[1] as string));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    const evidence = ReportEvidenceSchema.parse(
      JSON.parse(await fs.readFile(path.join((await receiptOf(runs[0] as string)).folder, 'evidence.json'), 'utf8')),
    );
    // The query states no order: its rows are sorted, and the report says so.
    expect(evidence).toMatchObject({ generatedAt: at, clock: 'fixed', results: [{ order: 'sorted' }] });
  });

  it('--results whose rows file was changed: names the rows that differ from what the archive answers now, exits 1', async () => {
    const dir2 = await newOut();
    const rows = path.join(dir2, 'edited.json');
    const lines = (await fs.readFile(resultFile, 'utf8')).trimEnd().split('\n');
    const removed = JSON.parse(lines[0] as string) as { id: string };
    await fs.writeFile(rows, lines.slice(1).join('\n') + '\n');
    const metadata = JSON.parse(await fs.readFile(`${resultFile}.query.json`, 'utf8')) as { rowCount: number };
    await fs.writeFile(`${rows}.query.json`, JSON.stringify({ ...metadata, rowCount: metadata.rowCount - 1 }));
    const r = await cli('report', '--results', rows, ...period(), '--request-ref', 'SEC-ROWS', '--out', await newOut());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `  - Result 1 at report time differs from the rows it was cited with (edited.json): 0 cited rows not returned now, 1 row returned now that was not cited (${removed.id}).`,
    );
  });

  it('over a day whose archived part lost a byte: writes the report, says so on its cover, prints both paths and exits 1', async () => {
    const part = (await fs.readdir(root, { recursive: true })).find(
      (f) => f.endsWith('.jsonl.gz') && f.includes(to.replaceAll('-', '/')),
    ) as string;
    expect(part).toBeTruthy();
    await flipByte(path.join(root, part));
    const out = await newOut();
    const r = await cli(
      'report',
      '--sql',
      'SELECT id FROM audit_events',
      ...period(),
      '--request-ref',
      'SEC-BAD',
      '--out',
      out,
    );
    expect(r.code).toBe(1);
    const [pdf, bundle] = r.stdout.trimEnd().split('\n') as [string, string];
    expect(pdf).toMatch(/report\.pdf$/);
    expect(bundle).toMatch(/\.zip$/);
    const receipt = await receiptOf(bundle);
    expect(receipt.verified).toBe(false);
    expect(r.stderr).toContain('VERIFICATION FAILED');
    // Every finding, not only the headline.
    expect(r.stderr).toContain(`  - ${to}: hash-mismatch (${part}).`);
    const cover = flat((await pdfPages(pdf))[0] as string);
    expect(cover).toContain('VERIFICATION FAILED');
    expect(cover).toContain(`${to}: hash-mismatch (${part})`);
    const evidence = ReportEvidenceSchema.parse(
      JSON.parse(await fs.readFile(path.join(receipt.folder, 'evidence.json'), 'utf8')),
    );
    expect(evidence.verification.ok).toBe(false);
    expect(evidence.verification.problems).toContainEqual(
      expect.objectContaining({ day: to, kind: 'hash-mismatch', key: part }),
    );
    expect((await checkBundle(bundle, receipt.reportId)).code).toBe(0);
  });
});
