/**
 * The run journal benchmark (issue 8): the verification that once wrote 168 MB (`verify --from
 * 1000-01-01`, a day-missing problem for each of ~375,000 days), recorded, reopened and read by a
 * status of seven years, as every later `status` does.
 *
 *   npm run bench -- run-journal       (or npx tsx bench/run-journal.ts; no flags)
 *
 * Targets: the journal file stays under 1 MB; reopening it and a 7-year status read stay in
 * milliseconds and add little memory.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays, dayFromMs, eachDay } from '../shared/day';
import type { VerifyProblem } from '../shared/verify';
import { RunJournal } from '../main/engine/archive/run-journal';

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
const dir = await mkdtemp(join(tmpdir(), 'bench-journal-'));
try {
  const today = dayFromMs(Date.now());
  const problems: VerifyProblem[] = [...eachDay('1000-01-01', today)].map((day) => ({
    day,
    kind: 'day-missing',
    detail: `No manifest for ${day}: the day was never archived or its manifests are gone. It is older than the Genesys retention window: it cannot be recovered from Genesys any more.`,
  }));
  const unbounded = Buffer.byteLength(JSON.stringify(problems));

  const journal = await RunJournal.open(dir, 'file:///bench/archive');
  let t = performance.now();
  await journal.recordVerify(problems, { from: '1000-01-01', to: today }, new Date());
  const recordMs = performance.now() - t;
  const size = (await stat(journal.path)).size;

  const rssBefore = process.memoryUsage().rss;
  t = performance.now();
  const reopened = await RunJournal.open(dir, 'file:///bench/archive');
  const reopenMs = performance.now() - t;
  t = performance.now();
  let found = 0;
  for (const day of eachDay(addDays(today, -2556), today)) {
    found += reopened.verifyProblems(day).length;
    reopened.day(day);
  }
  const lookupMs = performance.now() - t;
  const rssAfter = process.memoryUsage().rss;

  console.log(
    `problems recorded:        ${problems.length} (${mb(unbounded)} MB as JSON, what the journal used to store)`,
  );
  console.log(
    `journal file:             ${mb(size)} MB (${reopened.lastVerify?.problems.length} kept, ${reopened.lastVerify?.omitted} counted as omitted)`,
  );
  console.log(`recordVerify:             ${recordMs.toFixed(0)} ms`);
  console.log(`reopen:                   ${reopenMs.toFixed(1)} ms`);
  console.log(`7 years of day lookups:   ${lookupMs.toFixed(1)} ms (${found} problems found)`);
  console.log(`RSS added by reopen+read: ${mb(Math.max(0, rssAfter - rssBefore))} MB`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
