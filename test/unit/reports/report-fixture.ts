/**
 * Reports over a demo archive: real exports from the Genesys simulator (discovery-fixture.ts), the
 * real local engine, the real report builder, and poppler's pdftotext/pdftoppm to read what it wrote
 * the way a person (or an examiner's tooling) would.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Day } from '../../../shared/day';
import { listQueries } from '../../../shared/discovery/query-library';
import { ReportRequestSchema, type ReportRequestInput } from '../../../shared/reports/report-request';
import { SettingsSchema } from '../../../shared/settings';
import { generateReport, previewReport, type ReportBuildOptions } from '../../../main/engine/reports/build-report';
import type { CitedSource } from '../../../main/engine/reports/cited-results';
import { POLICY, RETENTION, makeWritable } from '../archive/archive-fixture';
import type { DemoArchive } from '../discovery/discovery-fixture';

const run = promisify(execFile);

/** Where tests leave what a person should look at (gitignored). */
export const ARTIFACTS = path.resolve('test-results', 'reports');

export function buildOptions(
  demo: DemoArchive,
  sources: CitedSource[],
  options: { period?: { from: Day; to: Day }; request?: Partial<ReportRequestInput>; generatedAt?: string } = {},
): ReportBuildOptions {
  const days = demo.days;
  return {
    archive: demo.fixture.archive(),
    inputs: {
      request: ReportRequestSchema.parse({
        reference: 'SEC-EXAM-2026-0042',
        requester: 'Jordan Examiner, Division of Examinations',
        recipient: 'U.S. Securities and Exchange Commission',
        dueDate: '2026-04-01',
        question: 'Every change to routing queues and every action of the named user in early March 2026.',
        preparedBy: 'Alex Officer, Compliance',
        timeZone: 'Europe/London',
        ...options.request,
      }),
      period: options.period ?? { from: days[0] as Day, to: days.at(-1) as Day },
      sources,
    },
    openEngine: () => demo.engine(),
    defaultEngine: 'local',
    verification: {
      settlementMinutes: POLICY.settlementMinutes,
      genesysRetentionDays: POLICY.genesysRetentionDays,
      policy: RETENTION,
    },
    toolVersion: '0.2.0-test',
    library: listQueries(SettingsSchema.parse({})),
    now: () => demo.fixture.clock.now,
    ...(options.generatedAt ? { generatedAt: options.generatedAt } : {}),
  };
}

/** The folders `scratchFolder` made, until `removeScratchFolders`. */
const made: string[] = [];

/** A new folder under the system's temp folder, removed by `removeScratchFolders`. */
export async function scratchFolder(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/**
 * Removes the folders made so far, a report's read-only files included. Each test file that makes
 * reports calls it after its tests (files share a process, so a hook here would serve only the
 * first: docs/TESTING.md); a run of the suite had left some 50 such folders in /tmp.
 */
export async function removeScratchFolders(): Promise<void> {
  for (const dir of made.splice(0)) {
    await makeWritable(dir).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function generate(
  demo: DemoArchive,
  sources: CitedSource[],
  options: Parameters<typeof buildOptions>[2] & { archiveCopy?: boolean; outDir?: string } = {},
) {
  const outDir = options.outDir ?? (await scratchFolder('aa-report-out-'));
  const receipt = await generateReport({
    ...buildOptions(demo, sources, options),
    outDir,
    archiveCopy: options.archiveCopy ?? false,
  });
  return { receipt, outDir };
}

export async function preview(demo: DemoArchive, sources: CitedSource[]) {
  return previewReport(buildOptions(demo, sources));
}

/** The PDF's text, page by page (pdftotext separates pages with a form feed). */
export async function pdfPages(file: string): Promise<string[]> {
  const { stdout } = await run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { maxBuffer: 1 << 30 });
  return stdout.split('\f').filter((p, i, all) => i < all.length - 1 || p.trim() !== '');
}

/** Renders one page as PNG into the test artifacts. */
export async function screenshot(pdf: string, page: number, name: string): Promise<string> {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  const base = path.join(ARTIFACTS, name);
  await run('pdftoppm', ['-png', '-r', '110', '-f', String(page), '-l', String(page), '-singlefile', pdf, base]);
  return `${base}.png`;
}

/** Unzips a bundle into a new folder and runs `sha256sum -c SHA256SUMS` in its report folder. */
export async function checkBundle(
  zip: string,
  reportId: string,
): Promise<{ code: number; output: string; folder: string }> {
  const dir = await scratchFolder('aa-bundle-');
  await run('unzip', ['-q', zip, '-d', dir]);
  const folder = path.join(dir, reportId);
  try {
    const { stdout } = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder });
    return { code: 0, output: stdout, folder };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}`, folder };
  }
}

/** One space for any run of spaces (pdftotext's layout pads columns). */
export function squash(text: string): string {
  return text.replace(/[ \t]+/g, ' ');
}

/** Text as one line: a value wrapped over several lines of a column reads as one sentence. */
export function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** Flips one byte in the middle of a stored file (a read-only archive file made writable for it), keeping its size. */
export async function flipByte(file: string): Promise<void> {
  const { mode } = await fs.stat(file);
  await fs.chmod(file, 0o644);
  const bytes = await fs.readFile(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] as number) ^ 0x01;
  await fs.writeFile(file, bytes);
  await fs.chmod(file, mode & 0o777);
}
