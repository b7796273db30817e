/**
 * Gaps are part of every answer: a query over a range names every day the archive does not hold
 * (a failed day, a missing day, a pending day, a month never archived), in its metadata and, from
 * the CLI, in a warning on stderr; `--require-complete` turns an answer with gaps into exit 1. The
 * archive is real (exports from the simulator, one day refused by it so the run journal records the
 * failure, as a real run does), and the days' states are the calendar's own.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveGaps, describeGapSpan, gapSpans } from '../../../shared/archive-gaps';
import { addDays, dayFromMs, eachDay, lastSettledDay, type Day } from '../../../shared/day';
import { ResultMetadataSchema } from '../../../shared/discovery/result-metadata';
import { main } from '../../../main/cli/main';
import { journalPath } from '../../../main/engine/archive/run-journal';
import { demoArchiveDirIn, stateDirIn } from '../../../main/engine/service/open-app-service';
import { fillAppArchive } from '../service/archive-status-fixture';

const NOW = Date.now();
const LAST = lastSettledDay(NOW, 120);
const TODAY = dayFromMs(NOW);
const day = (n: number): Day => addDays(LAST, n);
/** Archived: -6, -4, -3, 0; failed: -2; missing: -5, -1; pending: every day after LAST up to today. */
const ARCHIVED = [day(-6), day(-4), day(-3), day(0)];
const FAILED = day(-2);
let dir: string;
let target: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aa-gaps-'));
  await fillAppArchive(dir, { archive: ARCHIVED, failed: [FAILED] });
  target = pathToFileURL(demoArchiveDirIn(dir)).href;
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
  const code = await main(['query', ...argv, '--target', target, '--state-dir', stateDirIn(dir)], {
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

const COUNT = 'SELECT count(*) AS n FROM audit_events';

describe('a query over a range with gaps', () => {
  it('names the failed, missing and pending days in its metadata and on stderr, and exits 0', async () => {
    const out = path.join(dir, 'with-gaps.csv');
    const r = await cli('--sql', COUNT, '--from', day(-6), '--to', TODAY, '--format', 'csv', '--out', out);
    expect(r.code).toBe(0);
    const metadata = ResultMetadataSchema.parse(JSON.parse(await fs.readFile(`${out}.query.json`, 'utf8')));
    const pending = [...eachDay(day(1), TODAY)].map((d) => ({ day: d, state: 'pending', detail: null }));
    expect(metadata.gaps).toEqual([
      { day: day(-5), state: 'missing', detail: null },
      { day: day(-2), state: 'failed', detail: expect.stringContaining('GENESYS') },
      { day: day(-1), state: 'missing', detail: null },
      ...pending,
    ]);
    expect(metadata.population).toMatchObject({ days: ARCHIVED.length });

    const gapCount = 3 + pending.length;
    expect(r.stderr).toContain(`audit-archive: warning: ${gapCount} days of the range are not in this answer`);
    expect(r.stderr).toMatch(new RegExp(`\\n  ${day(-5)}: not archived\\n`));
    expect(r.stderr).toMatch(new RegExp(`\\n  ${day(-2)}: not archived: the last export failed \\(GENESYS`));
    expect(r.stderr).toMatch(new RegExp(`\\n  ${day(-1)}: not archived\\n`));
    expect(r.stderr).toContain(
      `${day(1)}${pending.length > 1 ? ` to ${TODAY} (${pending.length} days)` : ''}: not archived yet: the day is not settled`,
    );
  });

  it('with --require-complete, writes the rows and exits 1', async () => {
    const r = await cli('--sql', COUNT, '--from', day(-6), '--to', day(0), '--format', 'json', '--require-complete');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.trim())).toEqual({ n: expect.any(Number) });
    expect(r.stderr).toContain('3 days of the range are not in this answer (missing, failed):\n');
    expect(r.stderr).toMatch(/--require-complete: the range is not complete; exit status 1\.\n$/);
  });

  it('over a month never archived, answers no rows and names every day of it', async () => {
    const first = `${addDays(day(-6), -62).slice(0, 7)}-01`;
    const month = [...eachDay(first, addDays(`${addDays(first, 32).slice(0, 7)}-01`, -1))];
    const out = path.join(dir, 'never.json');
    const r = await cli('--sql', COUNT, '--from', month[0] as Day, '--to', month.at(-1) as Day, '--out', out);
    expect(r.code).toBe(0);
    const metadata = ResultMetadataSchema.parse(JSON.parse(await fs.readFile(`${out}.query.json`, 'utf8')));
    expect(metadata.gaps?.map((g) => g.day)).toEqual(month);
    expect(new Set(metadata.gaps?.map((g) => g.state))).toEqual(new Set(['missing']));
    expect(metadata.population).toMatchObject({ days: 0, events: 0 });
    expect(r.stderr).toContain(`${month.length} days of the range are not in this answer (missing)`);
    expect(r.stderr).toContain(`  ${month[0]} to ${month.at(-1)} (${month.length} days): not archived\n`);
  });

  it('over archived days only, says nothing of gaps and --require-complete exits 0', async () => {
    const r = await cli('--sql', COUNT, '--from', day(-4), '--to', day(-3), '--require-complete');
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/not in this answer/);
  });
  it('with a named pipe in place of the run journal, says the failed day reads as missing because the journal was set aside', async () => {
    const journal = journalPath(stateDirIn(dir), target);
    const kept = `${journal}.kept`;
    await fs.rename(journal, kept);
    try {
      execFileSync('mkfifo', ['-m', '600', journal]);
      const r = await cli('--sql', COUNT, '--from', day(-2), '--to', day(-2));
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`  ${day(-2)}: not archived\n`);
      expect(r.stderr).toContain(
        `audit-archive: warning: The run journal ${journal} is a named pipe (FIFO), not a file, so it is not read and is replaced at the next write; error history starts afresh (the archive itself is unaffected).`,
      );
    } finally {
      await fs.rm(journal, { force: true });
      await fs.rename(kept, journal);
    }
  });
});

describe('archiveGaps', () => {
  it('keeps every day that is not archived, with its reason, and spans read as days', () => {
    const gaps = archiveGaps([
      { day: '2026-11-20', state: 'archived', events: 10 },
      { day: '2026-11-21', state: 'failed', error: 'GENESYS_UNAVAILABLE: 503' },
      { day: '2026-11-22', state: 'missing' },
      { day: '2026-11-23', state: 'missing' },
      { day: '2026-11-24', state: 'tampered', events: 3, error: 'object-missing' },
      { day: '2026-11-25', state: 'not-required' },
    ]);
    expect(gaps.map((g) => g.state)).toEqual(['failed', 'missing', 'missing', 'tampered', 'not-required']);
    expect(gapSpans(gaps).map(describeGapSpan)).toEqual([
      '2026-11-21: not archived: the last export failed (GENESYS_UNAVAILABLE: 503)',
      '2026-11-22 to 2026-11-23 (2 days): not archived',
      '2026-11-24: verification found a problem (object-missing)',
      '2026-11-25: not archived: before the policy start date',
    ]);
  });
});
