/**
 * `audit-archive query` as an officer runs it from a shell, over a real archive exported from the
 * simulator: rows on stdout in the format asked for, a summary on stderr, the metadata beside an
 * --out file, and bad usage refused with exit 2 before anything is read.
 */
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import { ResultMetadataSchema } from '../../../shared/discovery/result-metadata';
import { STARTER_QUERIES } from '../../../shared/discovery/starter-queries';
import { main } from '../../../main/cli/main';
import { demoArchiveDirIn } from '../../../main/engine/service/open-app-service';
import { fillAppArchive } from '../service/archive-status-fixture';
import type { ArchivedEvent } from './discovery-fixture';

let dir: string;
let target: string;
let stateDir: string;
let from: Day;
let to: Day;
const demo = { events: [] as ArchivedEvent[] };

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aa-cli-query-'));
  to = lastSettledDay(Date.now(), 120);
  from = addDays(to, -1);
  await fillAppArchive(dir, { archive: [from, to] });
  const root = demoArchiveDirIn(dir);
  target = pathToFileURL(root).href;
  stateDir = path.join(dir, 'state');
  for (const e of await fs.readdir(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.jsonl.gz')) continue;
    for (const line of gunzipSync(await fs.readFile(path.join(e.parentPath, e.name)))
      .toString('utf8')
      .split('\n')) {
      if (line) demo.events.push(JSON.parse(line) as ArchivedEvent);
    }
  }
});
afterAll(async () => {
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) await fs.chmod(path.join(e.parentPath, e.name), 0o644).catch(() => undefined);
  }
  await fs.rm(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['query', ...argv, '--target', target, '--state-dir', stateDir], {
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe('audit-archive query', () => {
  it('--list shows every starter with the parameters it takes', async () => {
    const r = await cli('--list');
    expect(r.code).toBe(0);
    for (const q of STARTER_QUERIES) expect(r.stdout).toContain(`${q.id} (starter): ${q.name}`);
    expect(r.stdout).toContain('--param queue=<string>');
  });

  it('--saved with --param prints one JSON object per row, exactly the events the files hold, and a summary on stderr', async () => {
    const queue = demo.events.find((e) => e.entityType === 'Queue')?.entity.name as string;
    const expected = demo.events.filter(
      (e) => e.entityType === 'Queue' && e.entity.name.toLowerCase() === queue.toLowerCase(),
    );
    const r = await cli(
      '--saved',
      'Changes to one queue',
      '--param',
      `queue=${queue}`,
      '--from',
      from,
      '--to',
      to,
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; entity_name: string });
    expect(rows.map((x) => x.id).sort()).toEqual(expected.map((e) => e.id).sort());
    expect(rows[0]?.entity_name).toBe(queue);
    expect(r.stderr).toMatch(
      new RegExp(
        `${expected.length} rows? in [\\d.]+s \\(local, DuckDB v[\\d.]+; ${from} to ${to}; read 2 archived object\\(s\\), ${demo.events.length} events over 2 day\\(s\\)\\)`,
      ),
    );
  });

  it('--out writes the rows and FILE.query.json with the exact query, and never writes over a file', async () => {
    const out = path.join(dir, 'deletions.csv');
    const r = await cli('--saved', 'deletions', '--from', from, '--to', to, '--format', 'csv', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const lines = (await fs.readFile(out, 'utf8')).trimEnd().split('\r\n');
    const metadata = ResultMetadataSchema.parse(JSON.parse(await fs.readFile(`${out}.query.json`, 'utf8')));
    expect(lines).toHaveLength(metadata.rowCount + 1);
    expect(metadata.rowCount).toBe(demo.events.filter((e) => e.action.toLowerCase().includes('delete')).length);
    expect(metadata.query).toMatchObject({ kind: 'sql', savedQuery: { id: 'deletions', name: 'Deletions' } });
    const again = await cli('--saved', 'deletions', '--from', from, '--to', to, '--out', out);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists already/);
  });

  it('--out refuses a leftover FILE.query.json before writing anything, and leaves it as it was', async () => {
    const out = path.join(dir, 'leftover.ndjson');
    await fs.writeFile(`${out}.query.json`, 'an earlier result\n');
    const r = await cli('--saved', 'deletions', '--from', from, '--to', to, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${out}.query.json (where the result's metadata goes) exists already; choose a new file`,
    );
    expect(r.stderr).not.toMatch(/unexpected error|INTERNAL/);
    await expect(fs.stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fs.readFile(`${out}.query.json`, 'utf8')).toBe('an earlier result\n');
  });

  it('--out leaves no file behind when the query fails after it started', async () => {
    const out = path.join(dir, 'failed.csv');
    // Fails in DuckDB while rows are read (a conversion error), after the rows file was opened.
    const r = await cli(
      '--sql',
      "SELECT CAST(action || 'x' AS INTEGER) AS n FROM audit_events",
      '--from',
      from,
      '--to',
      to,
      '--format',
      'csv',
      '--out',
      out,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Conversion|convert|INTEGER/i);
    await expect(fs.stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.stat(`${out}.query.json`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('SQL with typed parameters prints a table for people', async () => {
    const r = await cli(
      '--sql',
      'SELECT servicename, count(*) AS n FROM audit_events WHERE status = :status GROUP BY 1 HAVING count(*) >= :min ORDER BY n DESC, 1',
      '--param',
      'status=SUCCESS',
      '--param',
      'min:integer=1',
      '--from',
      from,
      '--to',
      to,
    );
    expect(r.code).toBe(0);
    const [header, rule, first] = r.stdout.split('\n');
    expect(header).toMatch(/^servicename\s+n$/);
    expect(rule).toMatch(/^-+\s+-+$/);
    expect(first).toMatch(/^\w+\s+\d+$/);
  });

  it.each([
    [['--sql', 'SELECT 1', '--saved', 'deletions'], /exactly one of --sql SQL or --saved NAME/],
    [['--saved', 'deletions', '--from', '2026-03-02'], /give both --from and --to/],
    [['--sql', 'SELECT :n', '--param', 'n:integer=1 OR 1=1'], /:n must be a whole number/],
    [['--sql', 'SELECT :n', '--param', 'n:money=1'], /the type must be one of/],
    [['--saved', 'no-such-query'], /no saved or starter query "no-such-query".*\[NOT_FOUND\]/],
    [['--saved', 'changes-to-one-queue'], /Give a value for :queue \(Queue name or id\)/],
    [['--sql', 'DROP TABLE audit_events_raw'], /queries only.*\[QUERY_INVALID\]/],
    [['--sql', 'SELECT 1', '--engine', 'athena'], /Athena reads archives in S3.*\[QUERY_ENGINE_NOT_CONFIGURED\]/],
    [['--sql', 'SELECT 1', '--format', 'xml'], /--format must be table, csv or json/],
  ])('refuses %j with exit 2, saying what is wrong', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('--help explains every flag', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const flag of [
      '--sql',
      '--saved',
      '--param',
      '--from',
      '--to',
      '--format',
      '--engine',
      '--out',
      '--confirm-scan',
      '--require-complete',
      '--list',
    ])
      expect(r.stdout).toContain(flag);
  });
});
