/**
 * Report jobs of the Reports page: a report runs in main as a job whose progress and receipt go to
 * `onJob` (the app pushes them as `report` events; `reports:status` answers the same on demand).
 * Every phase's first and last word is sent, and in between a few a second. The twenty newest
 * finished jobs are remembered. Also the past reports: the receipts in the reports folder.
 */
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { AuditArchiveError, isAuditArchiveError, type ErrorCode } from '../../../shared/errors';
import type { ReportJobStatus, ReportProgress } from '../../../shared/reports/report-contract';
import { ReportReceiptSchema, type ReportReceipt } from '../../../shared/reports/report-receipt';
import { readRegularFile } from '../files/regular-file';

const KEEP_JOBS = 20;
/** A receipt is kilobytes (its gaps and findings at most a few hundred); one past this is not ours and is not read whole. */
const MAX_RECEIPT_BYTES = 16 * 1024 * 1024;
const PROGRESS_INTERVAL_MS = 250;

interface Job {
  state: 'running' | 'succeeded' | 'failed';
  progress: ReportProgress | null;
  receipt: ReportReceipt | null;
  error: { code: ErrorCode; message: string } | null;
  done: Promise<void>;
}

type JobListener = (jobId: string, status: ReportJobStatus) => void;

export class JobTable {
  private readonly jobs = new Map<string, Job>();

  status(jobId: string): ReportJobStatus {
    const job = this.jobs.get(jobId);
    if (!job)
      throw new AuditArchiveError('NOT_FOUND', 'This report job is no longer known; see the list of past reports.');
    return { state: job.state, progress: job.progress, receipt: job.receipt, error: job.error };
  }

  /** Starts `make` as job `id`; its progress and end go to `onJob`. */
  start(
    id: string,
    onJob: JobListener | undefined,
    make: (progress: (p: ReportProgress) => void) => Promise<ReportReceipt>,
  ) {
    const job: Job = { state: 'running', progress: null, receipt: null, error: null, done: Promise.resolve() };
    const publisher = progressPublisher(id, job, onJob);
    job.done = runJob(job, publisher, make);
    this.jobs.set(id, job);
    for (const [old, j] of this.jobs) if (this.jobs.size > KEEP_JOBS && j.state !== 'running') this.jobs.delete(old);
  }

  async close(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }
}

async function runJob(
  job: Job,
  publisher: ReturnType<typeof progressPublisher>,
  make: (progress: (p: ReportProgress) => void) => Promise<ReportReceipt>,
): Promise<void> {
  try {
    job.receipt = await make(publisher.progressed);
    job.state = 'succeeded';
  } catch (e) {
    const error = isAuditArchiveError(e)
      ? e
      : new AuditArchiveError('INTERNAL', 'The report could not be made; try again.');
    job.state = 'failed';
    job.error = { code: error.code, message: error.message };
  }
  publisher.publish();
}

/** Sends a job's status: each phase's first and last word, and in between at most every PROGRESS_INTERVAL_MS. */
function progressPublisher(id: string, job: Job, onJob: JobListener | undefined) {
  let lastSent = 0;
  let sent: ReportProgress | null = null;
  const publish = () => {
    if (!onJob) return;
    lastSent = Date.now();
    sent = job.progress;
    try {
      onJob(id, { state: job.state, progress: job.progress, receipt: job.receipt, error: job.error });
    } catch {
      // a listener's failure is not the report's
    }
  };
  const progressed = (p: ReportProgress) => {
    const previous = job.progress;
    const newPhase = p.phase !== previous?.phase;
    if (newPhase && previous && sent !== previous) publish();
    job.progress = p;
    if (newPhase || Date.now() - lastSent >= PROGRESS_INTERVAL_MS) publish();
  };
  return { publish, progressed };
}

/** The receipts in the reports folder, newest first (an unreadable one is not a report of ours). */
export async function listReceipts(folder: string): Promise<ReportReceipt[]> {
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: ReportReceipt[] = [];
  for (const name of names.filter((n) => n.endsWith('.receipt.json'))) {
    try {
      // Only a regular file: a named pipe named like a receipt would hang the Reports page.
      const read = await readRegularFile(path.join(folder, name), MAX_RECEIPT_BYTES);
      const parsed = read.ok ? ReportReceiptSchema.safeParse(JSON.parse(read.text)) : null;
      if (parsed?.success) out.push(parsed.data);
    } catch {
      // an unreadable receipt is not a report of ours: not listed
    }
  }
  return out.sort((a, b) =>
    a.generatedAt < b.generatedAt ? 1 : a.generatedAt > b.generatedAt ? -1 : a.reportId < b.reportId ? 1 : -1,
  );
}

export async function findReceipt(folder: string, reportId: string): Promise<ReportReceipt> {
  const found = (await listReceipts(folder)).find((r) => r.reportId === reportId);
  if (!found) throw new AuditArchiveError('NOT_FOUND', `There is no report ${reportId} in ${folder}.`);
  return found;
}
