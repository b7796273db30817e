/**
 * RunJournal: a small local cache of what runs did, beside (never instead of) the archive.
 *
 * It keeps what a listing of the archive cannot tell cheaply: the last failure per day (code,
 * message, when), each archived day's event count, the last verification's problems and the
 * catch-up in progress (for progress display after a restart). It is never the authority: what is
 * archived is always recomputed from the archive listing, so deleting the file loses only error
 * history and counts. One file per archive (keyed by the archive URL) in a local state directory
 * (app: userData; CLI: `--state-dir`, AUDIT_ARCHIVE_STATE_DIR, default $XDG_STATE_HOME/audit-archive).
 * Writes are atomic (temp file + fsync + rename), so a crash leaves the old or the new file.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { DaySchema, type Day } from '../../../shared/day';
import { VerifyProblemSchema, type VerifyProblem } from '../../../shared/verify';
import { writeFileAtomically } from '../files/write-file-atomically';

const Instant = z.string().datetime({ offset: false });

const DayRecordSchema = z.object({
  events: z.number().int().nonnegative().optional(),
  archivedAt: Instant.optional(),
  failure: z.object({ code: z.string(), message: z.string(), at: Instant }).optional(),
});
export type JournalDayRecord = z.infer<typeof DayRecordSchema>;

const CatchUpRecordSchema = z.object({
  startedAt: Instant,
  days: z.array(DaySchema),
  done: z.array(DaySchema),
  failed: z.array(DaySchema),
});
export type CatchUpRecord = z.infer<typeof CatchUpRecordSchema>;

const JournalFileSchema = z.object({
  format: z.literal('audit-archive/run-journal@1'),
  archive: z.string(),
  days: z.record(DaySchema, DayRecordSchema),
  verify: z.object({ at: Instant, from: DaySchema.nullable(), to: DaySchema.nullable(), problems: z.array(VerifyProblemSchema) }).nullable(),
  catchUp: CatchUpRecordSchema.nullable(),
});
type JournalFile = z.infer<typeof JournalFileSchema>;

/** A read-only view of the journal, as status computation consumes it. */
export interface RunJournalSnapshot {
  day(day: Day): JournalDayRecord | undefined;
  /** Problems the last verification found, by day. */
  verifyProblems(day: Day): readonly VerifyProblem[];
}

/** Where the CLI keeps its state when nothing says otherwise. */
export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  if (env.AUDIT_ARCHIVE_STATE_DIR) return env.AUDIT_ARCHIVE_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'audit-archive');
}

/** The journal file for one archive: one per archive URL, so two archives never mix their history. */
export function journalPath(stateDir: string, archiveUrl: string): string {
  const id = createHash('sha256').update(archiveUrl).digest('hex').slice(0, 16);
  return join(stateDir, `journal-${id}.json`);
}

export class RunJournal implements RunJournalSnapshot {
  readonly path: string;
  /** Set when the file existed but could not be used (it is then started afresh). */
  readonly warning: string | null;
  private data: JournalFile;
  private writing: Promise<void> = Promise.resolve();

  private constructor(path: string, data: JournalFile, warning: string | null) {
    this.path = path;
    this.data = data;
    this.warning = warning;
  }

  /** Opens (or starts) the journal of `archiveUrl` in `stateDir`. A damaged file is replaced on the next write, with a warning. */
  static async open(stateDir: string, archiveUrl: string): Promise<RunJournal> {
    const path = journalPath(stateDir, archiveUrl);
    const fresh: JournalFile = { format: 'audit-archive/run-journal@1', archive: archiveUrl, days: {}, verify: null, catchUp: null };
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new RunJournal(path, fresh, null);
      return new RunJournal(path, fresh, `The run journal ${path} could not be read (${(e as Error).message}); error history starts afresh.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return new RunJournal(path, fresh, `The run journal ${path} is not valid JSON; error history starts afresh (the archive itself is unaffected).`);
    }
    const parsed = JournalFileSchema.safeParse(json);
    if (!parsed.success || parsed.data.archive !== archiveUrl) {
      return new RunJournal(path, fresh, `The run journal ${path} is not in the expected format; error history starts afresh (the archive itself is unaffected).`);
    }
    return new RunJournal(path, parsed.data, null);
  }

  day(day: Day): JournalDayRecord | undefined {
    return this.data.days[day];
  }

  verifyProblems(day: Day): readonly VerifyProblem[] {
    return this.data.verify?.problems.filter((p) => p.day === day) ?? [];
  }

  get lastVerify(): JournalFile['verify'] {
    return this.data.verify;
  }

  get catchUp(): CatchUpRecord | null {
    return this.data.catchUp;
  }

  /** A day was archived: remember its event count and forget its last failure. */
  recordArchived(day: Day, events: number, at: Date): Promise<void> {
    this.data.days[day] = { events, archivedAt: at.toISOString() };
    return this.save();
  }

  /** Event counts learned from manifests (verify reads them all), without touching failures. */
  recordEventCounts(counts: ReadonlyMap<Day, number>): Promise<void> {
    for (const [day, events] of counts) this.data.days[day] = { ...this.data.days[day], events };
    return this.save();
  }

  recordFailure(day: Day, code: string, message: string, at: Date): Promise<void> {
    this.data.days[day] = { ...this.data.days[day], failure: { code, message, at: at.toISOString() } };
    return this.save();
  }

  /**
   * Stores the problems of a verification of [from, to] (null: the whole archive). Problems of days
   * outside the range are kept, so verifying one month does not clear another month's findings.
   */
  recordVerify(problems: readonly VerifyProblem[], range: { from: Day | null; to: Day | null }, at: Date): Promise<void> {
    const inRange = (d: Day) => (range.from === null || d >= range.from) && (range.to === null || d <= range.to);
    const kept = (this.data.verify?.problems ?? []).filter((p) => p.day !== null && !inRange(p.day));
    this.data.verify = { at: at.toISOString(), from: range.from, to: range.to, problems: [...kept, ...problems] };
    return this.save();
  }

  startCatchUp(days: readonly Day[], at: Date): Promise<void> {
    this.data.catchUp = { startedAt: at.toISOString(), days: [...days], done: [], failed: [] };
    return this.save();
  }

  catchUpDayFinished(day: Day, outcome: 'done' | 'failed'): Promise<void> {
    this.data.catchUp?.[outcome].push(day);
    return this.save();
  }

  finishCatchUp(): Promise<void> {
    this.data.catchUp = null;
    return this.save();
  }

  /** Serialised atomic write of the whole file (it is small: a few hundred bytes per day with history). */
  private save(): Promise<void> {
    const text = JSON.stringify(this.data);
    const next = this.writing.then(() => writeJournal(this.path, text));
    // A failed write must not wedge later ones; the caller still sees this one's error.
    this.writing = next.catch(() => undefined);
    return next;
  }
}

async function writeJournal(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomically(path, text);
}
