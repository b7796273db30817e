/**
 * ArchiveSession: the settings made concrete for one run of the CLI, one request of the app, or one
 * scheduled job: the Archive (store, root, chain, lease), the Genesys source, the run journal.
 *
 * Everything is opened lazily: `status` and `verify` need only the store (no Genesys credentials);
 * the source is made on the first export, and a writing command checks first, before the store is
 * touched, that a source is configured at all. Every write goes through `Archive.withWriter`, so
 * the app, its schedule and a cron job on another machine take turns on one archive.
 *
 * The source of the data is never in doubt: the demo organisation (the built-in simulator) only
 * writes into an archive whose root says "demo", a real organisation never into one, and every
 * manifest names the organisation its events came from.
 */
import { lastSettledDay, type Day } from '../../../shared/day';
import type { DayStatus } from '../../../shared/day-status';
import { AuditArchiveError, type ErrorCode } from '../../../shared/errors';
import type { ArchivePurpose } from '../../../shared/archive-root';
import { calendarRulesOf, type Settings } from '../../../shared/settings';
import type { VerifyProblem } from '../../../shared/verify';
import type { AuditEventSource } from '../genesys/audit-source';
import { Archive, type ArchiveWriter, type CheckpointUse, type WriterRequest } from './archive';
import type { Assessment } from './assessment';
import type { ArchiveStore, StoreReadiness } from './archive-store';
import type { CacheSealKey } from './cache-seal';
import { planCatchUp, runCatchUp, type CatchUpOptions, type CatchUpPlan, type CatchUpSummary } from './catch-up';
import {
  checkExportableDay,
  exportDay as exportOneDay,
  refuseArchivedDay,
  type ExportDayOptions,
  type ExportDayResult,
  type ExportPolicy,
} from './export-day';
import { openDayLanding, type DayLanding } from './copy/day-landing';
import { writeCheckpoints, type CheckpointResult } from './checkpoint-writer';
import { PartBuffers } from './part-writer';
import { RunJournal } from './run-journal';
import { lazySource, type GenesysCredentials, type SessionSource } from './session-source';
import { FileSigningKeyStore, type SigningKeyStore } from './signing-keys';
import { computeDayStatuses, defaultCatchUpFrom, defaultStatusRange } from './status';
import { loadArchiveStore } from './stores/archive-target';
import { verifyArchive, type VerifyProgress, type VerifyResult } from './verify';
import { TOOL_VERSION } from './tool-version';
import type { ExpectedHead } from './verify-trust';
import type { LeaseHolder } from './writer-lease';

export { TOOL_VERSION };
export { simulatorSource, type GenesysCredentials } from './session-source';

/** Refusals that say nothing about the day itself: not recorded as the day's last failure. */
const NOT_A_DAY_FAILURE: ReadonlySet<ErrorCode> = new Set([
  'DAY_UNSETTLED',
  'DAY_ALREADY_ARCHIVED',
  'DAY_UNRECOVERABLE',
  'ARCHIVE_NOT_WORM',
  'ARCHIVE_RETENTION_TOO_SHORT',
  'ARCHIVE_BUSY',
  'ARCHIVE_KEY_MISSING',
  'ARCHIVE_SOURCE_MISMATCH',
  'GENESYS_NOT_CONFIGURED',
  'INVALID_ARGUMENT',
  'INVALID_SETTINGS',
]);

/** A catch-up that found nothing to do. */
const NOTHING_DONE: CatchUpSummary = {
  archived: 0,
  alreadyArchived: 0,
  failed: [],
  notStarted: 0,
  cancelled: false,
  events: 0,
  bytes: 0,
  elapsedMs: 0,
};

export interface ArchiveSessionOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Where the run journal, the manifest cache, the head record and (CLI) signing keys live. */
  readonly stateDir: string;
  /** Clock (tests and the demo place "today"). */
  readonly now?: () => number;
  /** The archive when `settings.archive.target` is empty (the app's local folder under userData). */
  readonly defaultTarget?: string;
  /** A simulator source to use instead of starting one (the `demo` command's own). */
  readonly demoSource?: AuditEventSource;
  /** A store to use instead of opening the target (tests of the app service). */
  readonly store?: ArchiveStore;
  /** Where signing keys live (default: files in the state folder, or AUDIT_ARCHIVE_SIGNING_KEY). */
  readonly keys?: SigningKeyStore;
  /** Who writes, as other writers are told ("the audit-archive CLI"). */
  readonly program?: string;
  /** How long a write waits for another writer (default: the setting). */
  readonly leaseWaitMs?: number;
  /** Bookkeeping that failed, and other things a person should know: said, never fatal. */
  readonly onWarning?: (message: string) => void;
  /** Where the secret that seals the manifest cache is kept (cache-seal.ts; absent: a seal of this process only). */
  readonly cacheSealKey?: CacheSealKey | null;
}

export interface DayRange {
  readonly from?: Day;
  readonly to?: Day;
}

interface StatusResult {
  readonly from: Day;
  readonly to: Day;
  readonly days: DayStatus[];
  /** Findings about the archive as a whole (its root, an empty target, keys outside the layout). */
  readonly problems: VerifyProblem[];
  /** The target holds no archive at all. */
  readonly empty: boolean;
  readonly requests: number;
  /** Manifests read from the store for this status (0 once this installation's cache is warm). */
  readonly manifestReads: number;
  /** What came from the archive's signed monthly checkpoints (null: none were read). */
  readonly checkpoints: CheckpointUse | null;
}

export interface StatusOptions {
  /**
   * A first look: manifests this installation has not checked yet may be taken from the archive's
   * signed monthly checkpoints, each checked as if read (checkpoints.ts). The caller says so, and
   * reads again without them.
   */
  readonly checkpoints?: boolean;
}

interface WriteOptions {
  readonly signal?: AbortSignal;
  /** Called while another writer holds the archive. */
  readonly onWait?: (holder: LeaseHolder | null, waitedMs: number) => void;
}

/** What a write passes on to `Archive.withWriter`. */
type WriteRequestOptions = WriteOptions & Pick<WriterRequest, 'before'>;

export interface ArchiveSession {
  readonly settings: Settings;
  readonly store: ArchiveStore;
  readonly archive: Archive;
  readonly journal: RunJournal;
  /** True when exports come from the built-in demo organisation. */
  readonly demo: boolean;
  /** Readiness of the store, checked once before the first write (throws ARCHIVE_NOT_WORM, …). */
  ready(): Promise<StoreReadiness>;
  /** Throws GENESYS_NOT_CONFIGURED when a write could not know its source; touches nothing. */
  checkConfigured(): void;
  exportDay(day: Day, options?: ExportDayOptions & WriteOptions): Promise<ExportDayResult>;
  status(range?: DayRange & StatusOptions): Promise<StatusResult>;
  /** Writes a checkpoint for each complete month its newest one does not carry exactly (checkpoint-writer.ts). */
  checkpoint(options?: WriteOptions): Promise<CheckpointResult>;
  catchUp(
    range: DayRange,
    options: Partial<CatchUpOptions> &
      WriteOptions & { onPlan?: (p: { from: Day; to: Day; plan: CatchUpPlan }) => void },
  ): Promise<CatchUpSummary & { from: Day; to: Day; plan: CatchUpPlan }>;
  /** Exports the given days, skipping any archived meanwhile (the demo archives days beyond the usual window). */
  runDays(days: readonly Day[], options: Partial<CatchUpOptions> & WriteOptions): Promise<CatchUpSummary>;
  verify(
    options: DayRange & {
      full: boolean;
      expectKey?: string;
      expectHead?: ExpectedHead;
      onProgress?: (p: VerifyProgress) => void;
      signal?: AbortSignal;
    },
  ): Promise<VerifyResult>;
  close(): Promise<void>;
}

/** What a session's operations share, opened once and handed to each explicitly. */
interface SessionCore {
  readonly settings: Settings;
  readonly now: () => number;
  readonly store: ArchiveStore;
  readonly archive: Archive;
  readonly journal: RunJournal;
  readonly policy: ExportPolicy;
  readonly cal: ReturnType<typeof calendarRulesOf>;
  readonly purpose: ArchivePurpose;
  readonly checkConfigured: () => void;
  readonly ready: () => Promise<StoreReadiness>;
  readonly source: () => Promise<SessionSource>;
  /** What follows a day's landing in the primary: holds and the second copy (copy/day-landing.ts). */
  readonly landing: DayLanding;
  readonly warn: (message: string) => void;
}

export async function openArchiveSession(
  settings: Settings,
  secrets: GenesysCredentials,
  options: ArchiveSessionOptions,
): Promise<ArchiveSession> {
  const now = options.now ?? Date.now;
  const store =
    options.store ?? (await loadArchiveStore(targetOf(settings, options), settings.archive.s3, options.env));
  const journal = await RunJournal.open(options.stateDir, store.url);
  const checkConfigured = configuredCheck(settings, secrets, options);
  const warn = options.onWarning ?? (() => undefined);
  const source = lazySource({
    settings,
    secrets,
    env: options.env,
    ...(options.demoSource ? { demoSource: options.demoSource } : {}),
    now,
    checkConfigured,
  });
  const core: SessionCore = {
    settings,
    now,
    store,
    archive: openArchive(settings, options, store, now),
    journal,
    policy: {
      settlementMinutes: settings.archive.settlementMinutes,
      maxPartBytes: settings.archive.maxPartBytes,
      genesysRetentionDays: settings.genesys.retentionDays,
    },
    cal: calendarRulesOf(settings),
    purpose: settings.demo || options.demoSource ? 'demo' : 'production',
    checkConfigured,
    ready: readinessOnce(store, settings),
    source: source.get,
    landing: openDayLanding({ settings, store, env: options.env, warn, now }),
    warn,
  };
  return {
    settings,
    store,
    archive: core.archive,
    journal,
    demo: core.purpose === 'demo',
    ready: core.ready,
    checkConfigured,
    exportDay: (day, opts = {}) => exportDayOf(core, day, opts),
    status: (range = {}) => statusOf(core, range),
    checkpoint: (opts = {}) =>
      writeCheckpoints(core.archive, {
        settlementMinutes: core.cal.settlementMinutes,
        toolVersion: TOOL_VERSION,
        thorough: true,
        ...signalOf(opts),
        ...(opts.onWait ? { onWait: opts.onWait } : {}),
      }),
    catchUp: (range, opts) => catchUpOf(core, range, opts),
    runDays: (days, opts) => runDaysOf(core, days, opts),
    verify: (opts) => verifyOf(core, opts),
    close: source.close,
  };
}

/** The archive target: the setting, else the caller's default; an error saying what to set when neither is. */
function targetOf(settings: Settings, options: ArchiveSessionOptions): string {
  const target = settings.archive.target || options.defaultTarget;
  if (!target && !options.store) {
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      'No archive target is set: set AUDIT_ARCHIVE_TARGET (s3://bucket/prefix or file:///absolute/path) or archive.target in the --config file.',
    );
  }
  return target as string;
}

function openArchive(
  settings: Settings,
  options: ArchiveSessionOptions,
  store: ArchiveStore,
  now: () => number,
): Archive {
  return new Archive({
    store,
    stateDir: options.stateDir,
    keys: options.keys ?? new FileSigningKeyStore(options.stateDir, options.env),
    policy: { lockMode: settings.archive.lockMode, retentionDays: settings.archive.retentionDays },
    lease: {
      ttlMs: settings.archive.lease.staleSeconds * 1000,
      waitMs: options.leaseWaitMs ?? settings.archive.lease.waitSeconds * 1000,
      program: options.program ?? 'audit-archive',
    },
    toolVersion: TOOL_VERSION,
    now,
    onWarning: options.onWarning ?? (() => undefined),
    cacheSealKey: options.cacheSealKey ?? null,
  });
}

/** A writing command with no organisation configured stops here, before the store is touched. */
function configuredCheck(
  settings: Settings,
  secrets: GenesysCredentials,
  options: Pick<ArchiveSessionOptions, 'demoSource'>,
): () => void {
  return () => {
    if (settings.demo || options.demoSource) return;
    if (secrets.genesysToken) return;
    if (!settings.genesys.clientId || !secrets.genesysClientSecret) {
      throw new AuditArchiveError(
        'GENESYS_NOT_CONFIGURED',
        settings.genesys.clientId
          ? 'The Genesys client secret is not set: give it in AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET (CLI) or Settings > Genesys (app). Nothing was written.'
          : 'No Genesys organisation is configured: set AUDIT_ARCHIVE_GENESYS_CLIENT_ID and AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET, or pass --demo true to archive the built-in demo organisation into a demo archive. Nothing was written.',
      );
    }
  };
}

/** The store's readiness, checked once (before the first write). */
function readinessOnce(store: ArchiveStore, settings: Settings): () => Promise<StoreReadiness> {
  let readiness: Promise<StoreReadiness> | null = null;
  return () =>
    (readiness ??= store.checkReady({
      lockMode: settings.archive.lockMode,
      retentionDays: settings.archive.retentionDays,
    }));
}

/** Runs `fn` as the archive's writer, with the source ready. */
async function write<T>(
  core: SessionCore,
  opts: WriteRequestOptions,
  fn: (writer: ArchiveWriter, src: SessionSource) => Promise<T>,
): Promise<T> {
  core.checkConfigured();
  await core.ready();
  for (const w of await core.landing.ready()) core.warn(w);
  const src = await core.source();
  return core.archive.withWriter(
    {
      purpose: core.purpose,
      organisation: src.organisation,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onWait ? { onWait: opts.onWait } : {}),
      ...(opts.before ? { before: opts.before } : {}),
    },
    (writer) => fn(writer, src),
  );
}

function exportDayOf(core: SessionCore, day: Day, opts: ExportDayOptions & WriteOptions): Promise<ExportDayResult> {
  // Refused before the archive is touched (a day not settled or no longer in Genesys), or
  // before the lease is taken (a day already archived): nothing is written.
  checkExportableDay(day, core.now(), core.policy);
  const before = refusingArchivedDay(day, opts.reconcile === true);
  return write(core, { ...opts, before }, (writer, src) => exportWith(core, writer, src, day, opts));
}

/** One day's export under the lease, told to the run journal (a failure of the day as its last failure). */
async function exportWith(
  core: SessionCore,
  writer: ArchiveWriter,
  src: SessionSource,
  day: Day,
  opts: ExportDayOptions,
  partBuffers?: PartBuffers,
): Promise<ExportDayResult> {
  const { now, journal } = core;
  try {
    const result = await exportOneDay(
      {
        writer,
        source: src.source,
        sourceRecord: src.record,
        policy: core.policy,
        toolVersion: TOOL_VERSION,
        now,
        ...(partBuffers ? { partBuffers } : {}),
      },
      day,
      opts,
    );
    await core.landing.landed(writer, day);
    await journal.recordArchived(day, result.manifest.dayEventsTotal, new Date(now()));
    return result;
  } catch (e) {
    // A cancelled run is not a failure of the day: the next run simply picks it up.
    if (e instanceof AuditArchiveError && !NOT_A_DAY_FAILURE.has(e.code) && !opts.signal?.aborted) {
      await journal.recordFailure(day, e.code, e.message, new Date(now()));
    }
    throw e;
  }
}

function runDaysWith(
  core: SessionCore,
  writer: ArchiveWriter,
  src: SessionSource,
  plan: CatchUpPlan,
  opts: Partial<CatchUpOptions>,
): Promise<CatchUpSummary> {
  const concurrency = opts.concurrency ?? core.settings.schedule.concurrency;
  const partBuffers = new PartBuffers(concurrency);
  return runCatchUp(
    {
      exportDay: async (day, o) => {
        const r = await exportWith(core, writer, src, day, o, partBuffers);
        return { events: r.events, bytes: r.bytes, dayEvents: r.manifest.dayEventsTotal };
      },
      journal: core.journal,
      now: core.now,
    },
    plan,
    {
      concurrency,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    },
  );
}

async function statusOf(core: SessionCore, range: DayRange & StatusOptions): Promise<StatusResult> {
  const { archive, cal, now } = core;
  const snapshot = await archive.read({ scope: 'layout', checkpoints: range.checkpoints === true });
  const defaults = defaultStatusRange(snapshot.assessment, now(), cal.genesysRetentionDays, cal.policyStartDate);
  const from = range.from ?? defaults.from;
  const to = range.to ?? defaults.to;
  checkRange(from, to);
  const days = computeDayStatuses({
    assessment: snapshot.assessment,
    from,
    to,
    now: now(),
    ...cal,
    journal: core.journal,
  });
  const problems = [
    ...snapshot.assessment.problems.filter((p) => p.day === null),
    ...archive.installationProblems(snapshot),
  ];
  const empty = snapshot.assessment.root.status === 'absent' && !snapshot.assessment.hasContent;
  return {
    from,
    to,
    days,
    problems,
    empty,
    requests: snapshot.requests,
    manifestReads: snapshot.manifestReads,
    checkpoints: snapshot.checkpoints,
  };
}

type CatchUpRequest = Parameters<ArchiveSession['catchUp']>[1];

async function catchUpOf(
  core: SessionCore,
  range: DayRange,
  opts: CatchUpRequest,
): Promise<CatchUpSummary & { from: Day; to: Day; plan: CatchUpPlan }> {
  const { cal, now } = core;
  const from = range.from ?? defaultCatchUpFrom(now(), cal.genesysRetentionDays, cal.policyStartDate);
  const to = range.to ?? lastSettledDay(now(), cal.settlementMinutes);
  checkRange(from, to);
  const planOf = (assessment: Assessment) =>
    planCatchUp(computeDayStatuses({ assessment, from, to, now: now(), ...cal, journal: core.journal }));
  // Nothing to do as the archive stands: done without the lease, so nothing is written (another
  // writer can only archive days, never add any to the plan).
  const ahead = planOf((await core.archive.read({ scope: 'layout', ...signalOf(opts) })).assessment);
  if (ahead.days.length === 0) {
    opts.onPlan?.({ from, to, plan: ahead });
    return { ...NOTHING_DONE, from, to, plan: ahead };
  }
  const done = await write(core, opts, async (writer, src) => {
    // Planned again under the lease, from the archive as it is now: days another writer archived are not planned.
    const plan = planOf(writer.assessment);
    opts.onPlan?.({ from, to, plan });
    const summary = await runDaysWith(core, writer, src, plan, opts);
    return { ...summary, from, to, plan };
  });
  if (done.archived > 0 && !done.cancelled) await checkpointQuietly(core, opts);
  return done;
}

/**
 * After a catch-up that archived days: a checkpoint for each month it completed (checkpoint-writer.ts).
 * The days are archived whatever happens here, so a failure is said, never thrown. It does not wait
 * for another writer holding the archive (two catch-ups would otherwise each wait for the other once
 * more): a month left without its checkpoint only makes a new installation's first look slower, and
 * the next catch-up (or `audit-archive checkpoint`) writes it.
 */
async function checkpointQuietly(core: SessionCore, opts: WriteOptions): Promise<void> {
  try {
    await writeCheckpoints(core.archive, {
      settlementMinutes: core.cal.settlementMinutes,
      toolVersion: TOOL_VERSION,
      thorough: false,
      noWait: true,
      ...signalOf(opts),
    });
  } catch (e) {
    if (opts.signal?.aborted) return;
    if (e instanceof AuditArchiveError && e.code === 'ARCHIVE_BUSY') return;
    core.warn(
      `The monthly checkpoints were not written (${e instanceof Error ? e.message : String(e)}). The days are archived; a new installation's calendar reads each manifest instead until \`audit-archive checkpoint\` writes them.`,
    );
  }
}

function runDaysOf(
  core: SessionCore,
  days: readonly Day[],
  opts: Partial<CatchUpOptions> & WriteOptions,
): Promise<CatchUpSummary> {
  return write(core, opts, (writer, src) =>
    runDaysWith(
      core,
      writer,
      src,
      {
        days: days.filter((d) => writer.dayManifests(d).length === 0),
        skipped: { unrecoverable: 0, tampered: 0, pending: 0 },
      },
      opts,
    ),
  );
}

async function verifyOf(core: SessionCore, opts: Parameters<ArchiveSession['verify']>[0]): Promise<VerifyResult> {
  const { settings, now, journal } = core;
  const result = await verifyArchive({
    archive: core.archive,
    ...(opts.from ? { from: opts.from } : {}),
    ...(opts.to ? { to: opts.to } : {}),
    full: opts.full,
    now: now(),
    ...core.cal,
    policy: { lockMode: settings.archive.lockMode, retentionDays: settings.archive.retentionDays },
    ...(opts.expectKey ? { expectKey: opts.expectKey } : {}),
    ...(opts.expectHead ? { expectHead: opts.expectHead } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  await journal.recordEventCounts(result.eventCounts);
  await journal.recordVerify(
    result.problems.filter((p) => p.day !== null),
    { from: opts.from ? result.from : null, to: opts.to ? result.to : null },
    new Date(now()),
  );
  return result;
}

/** The refusal of a day already archived (unless reconciling), for `withWriter` to decide before the lease. */
function refusingArchivedDay(day: Day, reconcile: boolean): (assessment: Assessment) => void {
  return (assessment) => refuseArchivedDay(day, assessment.days.get(day)?.manifests ?? [], reconcile);
}

function signalOf(opts: { readonly signal?: AbortSignal }): { signal?: AbortSignal } {
  return opts.signal ? { signal: opts.signal } : {};
}

function checkRange(from: Day, to: Day): void {
  if (to < from)
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `The range ends (${to}) before it starts (${from}): swap --from and --to.`,
    );
}
