/**
 * What the daily job remembers between app starts, in `<userData>/state/schedule.json`: its last
 * run (so a run missed while the app was closed is made up once at the next start), and a failure
 * that stays until a run succeeds (so a failed night is still on screen in the morning).
 *
 * Bookkeeping only: an unreadable file is read as "nothing recorded" (the daily job then waits for
 * its next time rather than guessing), and a write that fails is reported, never fatal.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import {
  ScheduleFailureSchema,
  ScheduledRunRecordSchema,
  type ScheduleFailure,
  type ScheduledRunRecord,
} from '../../../shared/schedule-status';
import { readRegularFile } from '../files/regular-file';
import { writeFileAtomically } from '../files/write-file-atomically';

/** The record is a few hundred bytes; past this it is damaged, not read whole. */
const MAX_SCHEDULE_RECORD_BYTES = 256 * 1024;

const ScheduleRecordSchema = z.object({
  format: z.literal('audit-archive/schedule@1'),
  lastRun: ScheduledRunRecordSchema.nullable(),
  failure: ScheduleFailureSchema.nullable(),
});
export type ScheduleRecord = Omit<z.infer<typeof ScheduleRecordSchema>, 'format'>;

export function scheduleRecordPathIn(stateDir: string): string {
  return join(stateDir, 'schedule.json');
}

export class ScheduleRecordFile {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly onWarning: (message: string) => void = () => undefined,
  ) {}

  async load(): Promise<ScheduleRecord> {
    let text: string;
    try {
      // Only a regular file: a named pipe planted here would hang the daily job.
      const read = await readRegularFile(this.path, MAX_SCHEDULE_RECORD_BYTES);
      if (!read.ok) {
        this.onWarning(
          `The daily job's record ${this.path} is ${read.what}, not a record; it starts afresh (the archive is unaffected).`,
        );
        return { lastRun: null, failure: null };
      }
      text = read.text;
    } catch {
      return { lastRun: null, failure: null };
    }
    try {
      const parsed = ScheduleRecordSchema.safeParse(JSON.parse(text));
      if (parsed.success) return { lastRun: parsed.data.lastRun, failure: parsed.data.failure };
    } catch {
      // Not JSON: as if nothing was recorded.
    }
    this.onWarning(`The daily job's record ${this.path} is damaged; it starts afresh (the archive is unaffected).`);
    return { lastRun: null, failure: null };
  }

  /** Records a run; a failed run (or one with failed days) sets the failure, a clean one clears it. */
  async recordRun(run: ScheduledRunRecord, failure: Omit<ScheduleFailure, 'since'> | null): Promise<ScheduleRecord> {
    const before = await this.load();
    const next: ScheduleRecord = {
      lastRun: run,
      failure: failure ? { since: before.failure?.since ?? run.finishedAt, ...failure } : null,
    };
    await this.save(next);
    return next;
  }

  /** Clears a failure that was fixed outside the daily job (the officer's own catch-up succeeded). */
  async clearFailure(): Promise<ScheduleRecord> {
    const before = await this.load();
    if (!before.failure) return before;
    const next = { ...before, failure: null };
    await this.save(next);
    return next;
  }

  private save(record: ScheduleRecord): Promise<void> {
    const text = `${JSON.stringify({ format: 'audit-archive/schedule@1', ...record }, null, 2)}\n`;
    const run = this.writing.then(async () => {
      try {
        await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
        await writeFileAtomically(this.path, text);
      } catch (e) {
        this.onWarning(
          `The daily job's record ${this.path} could not be written (${(e as NodeJS.ErrnoException).code ?? 'error'}): a run missed while the app is closed may not be made up at the next start.`,
        );
      }
    });
    this.writing = run;
    return run;
  }
}
