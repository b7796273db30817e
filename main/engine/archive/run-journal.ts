/**
 * RunJournal: a small local cache of what runs did, beside (never instead of) the archive.
 *
 * It keeps what a listing of the archive cannot tell cheaply: the last failure per day (code,
 * message, when), each archived day's event count, the last verification's problems and the
 * catch-up in progress (for progress display after a restart). It is never the authority: what is
 * archived is always recomputed from the archive listing, so deleting the file loses only error
 * history and counts. One file per archive (keyed by the archive URL) in a local state directory
 * (app: userData; CLI: `--state-dir`, AUDIT_ARCHIVE_STATE_DIR, default $XDG_STATE_HOME/audit-archive).
 * Writes are atomic (temp file + fsync + rename), so a crash leaves the old or the new file; records
 * made while one is under way are stored together by the next.
 *
 * Being bookkeeping, it never fails the work it records: a write that fails (read-only or full
 * state folder) becomes one warning (`onWarning`, `warnings`) and the run goes on; the next write
 * that succeeds stores everything again. It stays small whatever a run finds: failure texts are
 * bounded, the last verification keeps a few problems per day up to a total (the rest are counted),
 * and a file too large to be this journal's is started afresh rather than read.
 */
import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { DaySchema, type Day } from '../../../shared/day';
import { isFailingProblem, VerifyProblemSchema, type VerifyProblem } from '../../../shared/verify';

/** A verification finding about one day: the only kind the calendar keeps. */
const DayProblemSchema = VerifyProblemSchema.extend({ day: DaySchema });
type DayProblem = z.infer<typeof DayProblemSchema>;
import { writeFileAtomically } from '../files/write-file-atomically';
import { readRegularFile } from '../files/regular-file';

const Instant = z.string().datetime({ offset: false });

const DayRecordSchema = z.object({
  events: z.number().int().nonnegative().optional(),
  archivedAt: Instant.optional(),
  failure: z.object({ code: z.string(), message: z.string(), at: Instant }).optional(),
});
type JournalDayRecord = z.infer<typeof DayRecordSchema>;

const CatchUpRecordSchema = z.object({
  startedAt: Instant,
  days: z.array(DaySchema),
  done: z.array(DaySchema),
  failed: z.array(DaySchema),
});
type CatchUpRecord = z.infer<typeof CatchUpRecordSchema>;

const VerifyRecordSchema = z.object({
  at: Instant,
  from: DaySchema.nullable(),
  to: DaySchema.nullable(),
  /** At most JOURNAL_LIMITS.problemsPerDay a day and JOURNAL_LIMITS.problems in all, the most serious kept first. */
  problems: z.array(DayProblemSchema),
  /** Problems found but not kept (the verify report itself listed them all). */
  omitted: z.number().int().nonnegative().default(0),
});
type VerifyRecord = z.infer<typeof VerifyRecordSchema>;

/**
 * The last check of the second locked copy the app ran (verify --copy's check): which copy, when,
 * over which days, how many objects and findings, and the findings kept as for verify (bounded).
 */
const CopyCheckRecordSchema = z.object({
  at: Instant,
  copy: z.string(),
  mode: z.enum(['write', 'check']),
  from: DaySchema.nullable(),
  to: DaySchema.nullable(),
  objectsChecked: z.number().int().nonnegative(),
  /** Findings in all and the days they fall on (exact), the first ones kept in `problems`. */
  found: z.number().int().nonnegative(),
  foundDays: z.number().int().nonnegative(),
  problems: z.array(DayProblemSchema),
  omitted: z.number().int().nonnegative().default(0),
});
export type CopyCheckRecord = z.infer<typeof CopyCheckRecordSchema>;

const JournalFileSchema = z.object({
  format: z.literal('audit-archive/run-journal@1'),
  archive: z.string(),
  days: z.record(DaySchema, DayRecordSchema),
  verify: VerifyRecordSchema.nullable(),
  catchUp: CatchUpRecordSchema.nullable(),
  /** Absent in files written before the app checked a copy. */
  copyCheck: CopyCheckRecordSchema.nullable().default(null),
});
type JournalFile = z.infer<typeof JournalFileSchema>;

/**
 * Bounds that keep the file small (well under a megabyte) and every status quick. Status needs one
 * failing problem per archived day; the rest is for people, who run verify for the full report.
 */
export const JOURNAL_LIMITS = {
  problemsPerDay: 3,
  problems: 1000,
  /** Characters of a failure message or a problem's detail, and of a problem's key. */
  text: 300,
  /** A file larger than this was not written by this version: started afresh, never read. */
  fileBytes: 16 * 1024 * 1024,
} as const;

/** A read-only view of the journal, as status computation consumes it. */
export interface RunJournalSnapshot {
  /** Set when the file existed but could not be used, so what it knew of failures is not known now. */
  readonly warning: string | null;
  day(day: Day): JournalDayRecord | undefined;
  /** Problems the last verification found, by day. */
  verifyProblems(day: Day): readonly DayProblem[];
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
  /** Set when the file existed but could not be used (it is then started afresh). Also first in `warnings`. */
  readonly warning: string | null;
  private data: JournalFile;
  private problemsByDay: Map<Day, DayProblem[]>;
  private writing: Promise<void> = Promise.resolve();
  /** The write queued behind the one under way, not started yet: a record made now joins it. */
  private nextWrite: Promise<void> | null = null;
  private readonly warningsSoFar: string[] = [];
  private readonly listeners = new Set<(message: string) => void>();
  private writeFailureReported = false;

  private constructor(path: string, data: JournalFile, warning: string | null) {
    this.path = path;
    this.data = data;
    this.warning = warning;
    if (warning) this.warningsSoFar.push(warning);
    // A file written before the bounds existed is bounded now (and stored so at the next write).
    if (data.verify) data.verify = { ...data.verify, ...boundProblems(data.verify.problems, data.verify.omitted) };
    this.problemsByDay = indexByDay(data.verify?.problems ?? []);
  }

  /**
   * Opens (or starts) the journal of `archiveUrl` in `stateDir`. Never throws: a damaged, unreadable
   * or oversized file is started afresh (replaced on the next write) with a warning.
   */
  static async open(stateDir: string, archiveUrl: string): Promise<RunJournal> {
    const path = journalPath(stateDir, archiveUrl);
    const fresh: JournalFile = {
      format: 'audit-archive/run-journal@1',
      archive: archiveUrl,
      days: {},
      verify: null,
      catchUp: null,
      copyCheck: null,
    };
    const afresh = (why: string) =>
      new RunJournal(
        path,
        fresh,
        `The run journal ${path} ${why}; error history starts afresh (the archive itself is unaffected).`,
      );
    let text: string;
    try {
      const { size } = await stat(path);
      if (size > JOURNAL_LIMITS.fileBytes) {
        return afresh(
          `is too large (${Math.round(size / 1024 / 1024)} MB; an earlier version kept every verify problem), so it is not read and is replaced at the next write`,
        );
      }
      // Only a regular file is read: a named pipe in its place would hold every command until written to.
      const read = await readRegularFile(path, JOURNAL_LIMITS.fileBytes);
      if (!read.ok) return afresh(`is ${read.what}, not a file, so it is not read and is replaced at the next write`);
      text = read.text;
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return new RunJournal(path, fresh, null);
      return afresh(`could not be read (${describeFsError(e)})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return afresh('is not valid JSON');
    }
    const parsed = JournalFileSchema.safeParse(json);
    if (!parsed.success || parsed.data.archive !== archiveUrl) return afresh('is not in the expected format');
    return new RunJournal(path, parsed.data, null);
  }

  day(day: Day): JournalDayRecord | undefined {
    return this.data.days[day];
  }

  /** Problems the last verification found on `day` that were kept (most serious first). */
  verifyProblems(day: Day): readonly DayProblem[] {
    return this.problemsByDay.get(day) ?? [];
  }

  get lastVerify(): VerifyRecord | null {
    return this.data.verify;
  }

  get catchUp(): CatchUpRecord | null {
    return this.data.catchUp;
  }

  /** The last check of the second locked copy (shared/copy-check.ts), whichever copy it was. */
  get lastCopyCheck(): CopyCheckRecord | null {
    return this.data.copyCheck;
  }

  /** Stores a check of the second locked copy, replacing the last one (findings bounded as verify's). Never rejects. */
  recordCopyCheck(
    check: Omit<CopyCheckRecord, 'found' | 'foundDays' | 'problems' | 'omitted'>,
    problems: readonly VerifyProblem[],
  ): Promise<void> {
    const ofDays = problems.filter((p): p is DayProblem => p.day !== null);
    this.data.copyCheck = {
      ...check,
      found: problems.length,
      foundDays: new Set(ofDays.map((p) => p.day)).size,
      ...boundProblems(ofDays, 0),
    };
    return this.save();
  }

  /** Everything a person should know about this journal so far: a damaged file, a failed write. */
  get warnings(): readonly string[] {
    return this.warningsSoFar;
  }

  /**
   * Calls `listener` with each new warning as it happens (a failed write is reported once per
   * journal). Warnings given before subscribing are in `warnings`. Returns the unsubscribe.
   */
  onWarning(listener: (message: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A day was archived: remember its event count and forget its last failure. Never rejects. */
  recordArchived(day: Day, events: number, at: Date): Promise<void> {
    this.data.days[day] = { events, archivedAt: at.toISOString() };
    return this.save();
  }

  /** Event counts learned from manifests (verify reads them all), without touching failures. Never rejects. */
  recordEventCounts(counts: ReadonlyMap<Day, number>): Promise<void> {
    for (const [day, events] of counts) this.data.days[day] = { ...this.data.days[day], events };
    return this.save();
  }

  /** The day's last failure (its message bounded). Never rejects. */
  recordFailure(day: Day, code: string, message: string, at: Date): Promise<void> {
    this.data.days[day] = { ...this.data.days[day], failure: journalFailure(code, message, at) };
    return this.save();
  }

  /**
   * Stores the problems of a verification of [from, to] (null: unbounded). Problems of days outside
   * the range are kept, so verifying one month does not clear another month's findings. Only a few
   * problems per day and a total are kept, most serious first; `lastVerify.omitted` counts the rest
   * (including those of earlier partial verifications, until one of the whole archive). Never rejects.
   */
  recordVerify(
    problems: readonly VerifyProblem[],
    range: { from: Day | null; to: Day | null },
    at: Date,
  ): Promise<void> {
    const inRange = (d: Day) => (range.from === null || d >= range.from) && (range.to === null || d <= range.to);
    const previous = this.data.verify;
    const kept = (previous?.problems ?? []).filter((p) => !inRange(p.day));
    const wholeArchive = range.from === null && range.to === null;
    const carried = wholeArchive ? 0 : (previous?.omitted ?? 0);
    // Findings about the archive as a whole (day null) are not the calendar's: they are not kept.
    const bound = boundProblems([...kept, ...problems.filter((p): p is DayProblem => p.day !== null)], carried);
    this.data.verify = { at: at.toISOString(), from: range.from, to: range.to, ...bound };
    this.problemsByDay = indexByDay(bound.problems);
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

  /**
   * Serialised atomic write of the whole file (bounded: see JOURNAL_LIMITS), resolved once a write
   * that holds this record has ended. Records made while a write is under way share the next one,
   * which takes the journal as it is when it starts: a catch-up of many quick days writes the file
   * as often as the disk allows, not once per record. Resolves whether or not the write succeeded:
   * a failure is a warning, never the caller's error.
   */
  private save(): Promise<void> {
    if (this.nextWrite) return this.nextWrite;
    const next = this.writing
      .then(() => {
        this.nextWrite = null;
        return writeJournal(this.path, JSON.stringify(this.data));
      })
      .catch((e: unknown) => this.writeFailed(e));
    this.nextWrite = next;
    this.writing = next;
    return next;
  }

  private writeFailed(e: unknown): void {
    if (this.writeFailureReported) return;
    this.writeFailureReported = true;
    this.warn(
      `The run journal ${this.path} could not be written (${describeFsError(e)}): the archive itself is unaffected, ` +
        `but error history and event counts of this run are not kept. Check that ${dirname(this.path)} is writable and the disk is not full.`,
    );
  }

  private warn(message: string): void {
    this.warningsSoFar.push(message);
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch {
        // A listener that fails (a closed stream) must not turn bookkeeping into an error.
      }
    }
  }
}

/** Most serious first: tampering (what the calendar shows), then missing days, then informational. */
function seriousness(p: VerifyProblem): number {
  if (!isFailingProblem(p.kind)) return 2;
  return p.kind === 'day-missing' ? 1 : 0;
}

/**
 * The problems to keep: first the most serious problem of each day (so the calendar marks every
 * tampered day it can), then more per day up to the per-day bound, within the total bound; among
 * equally serious ones the newest days first (what a person looks at). The result is in the order
 * given; texts are shortened.
 */
function boundProblems(
  problems: readonly DayProblem[],
  alreadyOmitted: number,
): { problems: DayProblem[]; omitted: number } {
  const newestDayFirst = (a: number, b: number) => {
    const [dayA, dayB] = [(problems[a] as DayProblem).day, (problems[b] as DayProblem).day];
    return dayA === dayB ? a - b : dayA < dayB ? 1 : -1;
  };
  const order = problems
    .map((_, i) => i)
    .sort(
      (a, b) => seriousness(problems[a] as DayProblem) - seriousness(problems[b] as DayProblem) || newestDayFirst(a, b),
    );
  const keep = new Set<number>();
  const perDay = new Map<Day, number>();
  for (const firstOfDay of [true, false]) {
    for (const i of order) {
      if (keep.size >= JOURNAL_LIMITS.problems) break;
      const day = (problems[i] as DayProblem).day;
      const count = perDay.get(day) ?? 0;
      if (keep.has(i) || (firstOfDay ? count > 0 : count >= JOURNAL_LIMITS.problemsPerDay)) continue;
      keep.add(i);
      perDay.set(day, count + 1);
    }
  }
  const kept = problems.filter((_, i) => keep.has(i)).map(shortened);
  return { problems: kept, omitted: alreadyOmitted + problems.length - kept.length };
}

function indexByDay(problems: readonly DayProblem[]): Map<Day, DayProblem[]> {
  const byDay = new Map<Day, DayProblem[]>();
  for (const p of problems) {
    const list = byDay.get(p.day);
    if (list) list.push(p);
    else byDay.set(p.day, [p]);
  }
  for (const list of byDay.values()) list.sort((a, b) => seriousness(a) - seriousness(b));
  return byDay;
}

function shortened(p: DayProblem): DayProblem {
  return {
    ...p,
    ...(p.key === undefined ? {} : { key: bounded(p.key, JOURNAL_LIMITS.text) }),
    detail: bounded(p.detail, JOURNAL_LIMITS.text),
  };
}

/** A failed attempt at a day, as the journal keeps it (and the calendar shows it: status.ts). */
export interface DayFailure {
  readonly code: string;
  readonly message: string;
  /** ISO-8601. */
  readonly at: string;
}

/** A failure as the journal keeps it: code and message bounded. */
export function journalFailure(code: string, message: string, at: Date): DayFailure {
  return { code: bounded(code, 100), message: bounded(message, JOURNAL_LIMITS.text), at: at.toISOString() };
}

function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

const FS_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  ENOTDIR: 'part of the path is not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'part of the path is taken by a file',
};

/** `EACCES: permission denied`: the code and what it means, never a stack. */
function describeFsError(e: unknown): string {
  const code = errorCode(e);
  if (!code) return 'unknown error';
  const meaning = FS_ERRORS[code];
  return meaning ? `${code}: ${meaning}` : code;
}

async function writeJournal(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomically(path, text);
}
