/**
 * The daily schedule as the app runs it: settings from `<userData>/settings.json`, the archive the
 * app uses with them (app-archive.ts), state in `<userData>/state`, the
 * Genesys client secret from the keychain (not touched in demo mode).
 *
 * Shared by the Electron shell and `npm run dev:web -- --schedule`, so both run the same job.
 */
import { AuditArchiveError } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import { KeytarSecretStore } from '../secrets/keytar-secret-store';
import { SECRET_ACCOUNTS, type SecretStore } from '../secrets/secret-store';
import type { ScheduledRunRecord } from '../../../shared/schedule-status';
import { openAppArchiveSession, settingsPathIn, stateDirIn } from '../archive/app-archive';
import { SettingsFile } from '../settings/settings-file';
import {
  schedulePlanOf,
  startDailySchedule,
  type CatchUpOutcome,
  type DailySchedule,
  type DailyScheduleOptions,
  type ScheduledRun,
} from './daily-schedule';
import { ScheduleRecordFile, scheduleRecordPathIn, type ScheduleRecord } from './schedule-record';

interface AppCatchUpOptions {
  readonly userDataDir: string;
  readonly secrets: SecretStore;
  /** Where S3 endpoints, regions and credentials may come from. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => number;
  readonly signal?: AbortSignal;
}

/**
 * The default catch-up over the app's archive: every missing or failed day from the first
 * recoverable one up to the last settled UTC day, then the session is closed.
 */
async function appCatchUp(settings: Settings, options: AppCatchUpOptions): Promise<CatchUpOutcome> {
  const secret = await clientSecret(settings, options.secrets);
  const session = await openAppArchiveSession(settings, {
    userDataDir: options.userDataDir,
    secrets: options.secrets,
    env: options.env ?? process.env,
    ...(secret.genesysClientSecret ? { genesysClientSecret: secret.genesysClientSecret } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  try {
    const { plan: _plan, ...outcome } = await session.catchUp({}, options.signal ? { signal: options.signal } : {});
    return outcome;
  } finally {
    await session.close();
  }
}

/** The client secret for a real organisation; none in demo mode (the simulator needs none). */
async function clientSecret(settings: Settings, secrets: SecretStore): Promise<{ genesysClientSecret?: string }> {
  if (settings.demo || !settings.genesys.clientId) return {};
  let secret: string | null;
  try {
    secret = await secrets.get(SECRET_ACCOUNTS.genesysClientSecret(settings.genesys.clientId));
  } catch (e) {
    if (e instanceof AuditArchiveError) throw e;
    throw new AuditArchiveError(
      'SECRET_STORE_UNAVAILABLE',
      'The scheduled archive run could not read the Genesys client secret from the OS keychain; unlock the keychain (or start a Secret Service), then run a catch-up.',
    );
  }
  return secret ? { genesysClientSecret: secret } : {};
}

export interface AppScheduleOptions extends Pick<
  DailyScheduleOptions,
  'onRun' | 'onError' | 'now' | 'timeZone' | 'onRunStarted' | 'onPlanned'
> {
  readonly userDataDir: string;
  /** Default: the OS keychain. */
  readonly secrets?: SecretStore;
  readonly env?: NodeJS.ProcessEnv;
  /** Runs the catch-up; the app runs it through its jobs so the officer sees it. Default: appCatchUp. */
  readonly runCatchUp?: DailyScheduleOptions['runCatchUp'];
  /** Where runs are recorded across starts. Default: `<userData>/state/schedule.json`. */
  readonly record?: ScheduleRecordFile;
  /** After each run was recorded: the record as it now stands. */
  readonly onRecorded?: (record: ScheduleRecord) => void;
}

/**
 * Starts the daily schedule over the app's user-data folder. Each run is recorded: a run missed
 * while the app was closed is made up once at the next start, and a failed run (or one with failed
 * days) leaves a failure that stays until a run succeeds. A run cut short by quitting is not
 * recorded, so it is made up at the next start; one that ended is, before stop() resolves.
 */
export function startAppSchedule(options: AppScheduleOptions): DailySchedule {
  const settingsFile = new SettingsFile(settingsPathIn(options.userDataDir));
  const secrets = options.secrets ?? new KeytarSecretStore();
  const record = options.record ?? new ScheduleRecordFile(scheduleRecordPathIn(stateDirIn(options.userDataDir)));
  /** Records being written; stop() waits for them, so a run that ended as the app quits is kept. */
  const recording = new Set<Promise<void>>();
  const onRun = (run: ScheduledRun) => {
    options.onRun?.(run);
    if (run.ok && run.outcome.cancelled) return;
    const entry = scheduledRunRecord(run);
    // A failed write is said by ScheduleRecordFile's own warning; a broken listener must not stop the schedule.
    const written = record
      .recordRun(entry.run, entry.failure)
      .then((r) => options.onRecorded?.(r))
      .catch(() => undefined);
    recording.add(written);
    void written.then(() => recording.delete(written));
  };
  const loadSettings = async () => (await settingsFile.load()).settings;
  const schedule = startDailySchedule({
    loadPlan: async () => schedulePlanOf(await loadSettings()),
    runCatchUp:
      options.runCatchUp ??
      (async (signal) =>
        appCatchUp(await loadSettings(), {
          userDataDir: options.userDataDir,
          secrets,
          signal,
          ...(options.env ? { env: options.env } : {}),
          ...(options.now ? { now: options.now } : {}),
        })),
    lastRunAt: async () => {
      const last = (await record.load()).lastRun;
      return last ? Date.parse(last.finishedAt) : null;
    },
    onRun,
    ...(options.now ? { now: options.now } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.onRunStarted ? { onRunStarted: options.onRunStarted } : {}),
    ...(options.onPlanned ? { onPlanned: options.onPlanned } : {}),
  });
  return {
    ...schedule,
    async stop() {
      await schedule.stop();
      await Promise.allSettled([...recording]);
    },
  };
}

/** A run as the record keeps it, and the failure it leaves (null: it succeeded). */
function scheduledRunRecord(run: ScheduledRun): {
  run: ScheduledRunRecord;
  failure: { code: string; message: string } | null;
} {
  const times = {
    reason: run.reason,
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: new Date(run.finishedAt).toISOString(),
  };
  if (!run.ok) {
    const code = run.error instanceof AuditArchiveError ? run.error.code : 'INTERNAL';
    const message =
      run.error instanceof AuditArchiveError
        ? run.error.message
        : 'The daily archive run failed unexpectedly; see the log, then run a catch-up.';
    return {
      run: { ...times, ok: false, archived: 0, failedDays: 0, message: message.slice(0, 1000) },
      failure: { code, message: message.slice(0, 1000) },
    };
  }
  const { outcome } = run;
  const failed = outcome.failed;
  const archivedText = `Archived ${outcome.archived} day${outcome.archived === 1 ? '' : 's'} (${outcome.from} to ${outcome.to})`;
  if (failed.length === 0) {
    return {
      run: { ...times, ok: true, archived: outcome.archived, failedDays: 0, message: `${archivedText}.` },
      failure: null,
    };
  }
  const first = failed[0] as { day: string; code: string; message: string };
  const message =
    `${failed.length} day${failed.length === 1 ? '' : 's'} failed (${first.day}: ${first.code}: ${first.message})`.slice(
      0,
      1000,
    );
  return {
    run: {
      ...times,
      ok: false,
      archived: outcome.archived,
      failedDays: failed.length,
      message: `${archivedText}; ${message}`.slice(0, 1000),
    },
    failure: { code: first.code, message },
  };
}
