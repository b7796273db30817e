/**
 * `audit-archive`: the headless command for cron, systemd and CI servers, on the same engine as the app.
 *
 * Exit codes: 0 success; 1 a day failed or verification found problems; 2 bad usage or settings
 * (nothing was attempted). Progress goes to stderr, results (`--json`) to stdout.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatFingerprint, parseFingerprint } from '../../shared/archive-root';
import { parseDay, type Day } from '../../shared/day';
import { isAuditArchiveError, type ErrorCode } from '../../shared/errors';
import { isFailingProblem } from '../../shared/verify';
import { CliSigningKeys } from '../engine/archive/key-custody';
import { describeHolder, type LeaseHolder } from '../engine/archive/writer-lease';
import { describeTrust, parseExpectedHead, trustSuffix, type ExpectedHead } from '../engine/archive/verify-trust';
import {
  openArchiveSession,
  TOOL_VERSION,
  type ArchiveSession,
  type DayRange,
} from '../engine/archive/archive-session';
import type { CatchUpProgress, CatchUpTotals } from '../engine/archive/catch-up';
import { cliCacheSealKeyFile, fileCacheSealKey } from '../engine/archive/cache-seal';
import { defaultStateDir } from '../engine/archive/run-journal';
import { countStates } from '../engine/archive/status';
import { initBucket } from '../engine/archive/stores/bucket-init';
import { exporterIamPolicy, overwriteGuardBucketPolicy } from '../engine/archive/stores/iam-policy';
import {
  CLI_SETTING_SOURCES,
  describeSettingsSources,
  resolveCliConfig,
  type CliSettingsFlags,
} from '../engine/settings/cli-config';
import { runDemo } from './demo';
import { catchUpCopy, verifyCopyCommand } from './copy-command';
import { holdCommand } from './hold-command';
import { parseQueryArgs, QUERY_OPTIONS, queryCommand, type QueryArgs } from './query-command';
import { parseReportArgs, REPORT_OPTIONS, reportCommand, type ReportArgs } from './report-command';
import { COMMAND_HELP, MAIN_HELP } from './help';
import {
  KEY_COMMAND_OPTIONS,
  KEY_SUBCOMMANDS,
  keyExport,
  keyImport,
  keyMigrate,
  keyReplaceLost,
  keyRotate,
  keyShow,
} from './key-command';
import { bar, formatBytes, formatDuration, progressLine, type CliStream } from './progress';

export interface CliContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  /** Clock (tests). */
  readonly now?: () => number;
  /** Cancels a running command (the entry point wires SIGINT/SIGTERM to it). */
  readonly signal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Bad usage: exit 2 with one line saying what is wrong and where help is. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string | null,
  ) {
    super(message);
  }
}

/** Codes that mean "the request or the configuration is wrong": nothing was attempted. */
const USAGE_CODES: ReadonlySet<ErrorCode> = new Set([
  'INVALID_ARGUMENT',
  'INVALID_SETTINGS',
  'INVALID_REQUEST',
  'GENESYS_NOT_CONFIGURED',
  'ARCHIVE_NOT_WORM',
  'ARCHIVE_RETENTION_TOO_SHORT',
  'DAY_UNSETTLED',
  'DAY_UNRECOVERABLE',
  'NOT_FOUND',
  'QUERY_INVALID',
  'QUERY_UNBOUNDED_SCAN',
  'QUERY_ENGINE_NOT_CONFIGURED',
]);

/** Settings flags (--target, --region, …) come from the one table that also documents them. */
const SETTINGS_FLAGS = new Map<string, keyof CliSettingsFlags>(
  CLI_SETTING_SOURCES.filter((s) => s.flag && s.flagKey).map((s) => [
    (s.flag as string).replace(/^--/, ''),
    s.flagKey as keyof CliSettingsFlags,
  ]),
);

const GLOBAL_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  config: { type: 'string' },
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries([...SETTINGS_FLAGS.keys()].map((name) => [name, { type: 'string' as const }])),
};

const RANGE_OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const COMMAND_OPTIONS = {
  export: { day: { type: 'string' }, reconcile: { type: 'boolean' }, wait: { type: 'string' } },
  'catch-up': { ...RANGE_OPTIONS, concurrency: { type: 'string' }, wait: { type: 'string' } },
  status: { ...RANGE_OPTIONS, json: { type: 'boolean' } },
  verify: {
    ...RANGE_OPTIONS,
    full: { type: 'boolean' },
    json: { type: 'boolean' },
    copy: { type: 'boolean' },
    'expect-key': { type: 'string' },
    'expect-head': { type: 'string' },
  },
  'bucket init': { yes: { type: 'boolean' } },
  ...KEY_COMMAND_OPTIONS,
  demo: { dir: { type: 'string' }, days: { type: 'string' } },
  query: QUERY_OPTIONS,
  report: REPORT_OPTIONS,
} as const satisfies Record<string, ParseArgsConfig['options']>;
type Command = keyof typeof COMMAND_OPTIONS;

export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    return await run(argv, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.stderr.write(
        `audit-archive: ${e.message}. See \`audit-archive ${e.command ? e.command + ' ' : ''}--help\`.\n`,
      );
      return EXIT_USAGE;
    }
    if (isAuditArchiveError(e)) {
      ctx.stderr.write(`audit-archive: ${e.message} [${e.code}]\n`);
      return USAGE_CODES.has(e.code) ? EXIT_USAGE : EXIT_FAILED;
    }
    // Unexpected: say so without a stack (it may carry paths or request details); the message is enough to report.
    ctx.stderr.write(`audit-archive: unexpected error: ${(e as Error)?.message ?? String(e)} [INTERNAL]\n`);
    return EXIT_FAILED;
  }
}

async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    ctx.stdout.write(MAIN_HELP + '\n\n' + describeSettingsSources() + '\n');
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === '--version' || first === '-v') {
    ctx.stdout.write(`audit-archive ${TOOL_VERSION}\n`);
    return EXIT_OK;
  }
  if (first === 'hold') return holdCommand(argv.slice(1), ctx);
  let command: Command;
  let rest: string[];
  if (first === 'bucket') {
    if (second === 'init') {
      command = 'bucket init';
      rest = argv.slice(2);
    } else if (second === '--help' || second === '-h' || second === undefined) {
      ctx.stdout.write(COMMAND_HELP['bucket init'] + '\n');
      return second === undefined ? EXIT_USAGE : EXIT_OK;
    } else {
      throw new UsageError(`unknown bucket command '${second}' (only \`bucket init\` exists)`, 'bucket');
    }
  } else if (first === 'key') {
    const sub = `key ${second ?? ''}` as Command;
    if ((KEY_SUBCOMMANDS as readonly string[]).includes(second ?? '')) {
      command = sub;
      rest = argv.slice(2);
    } else if (second === '--help' || second === '-h' || second === undefined) {
      ctx.stdout.write(COMMAND_HELP.key + '\n');
      return second === undefined ? EXIT_USAGE : EXIT_OK;
    } else {
      throw new UsageError(
        `unknown key command '${second}' (${KEY_SUBCOMMANDS.map((c) => `key ${c}`).join(', ')})`,
        'key',
      );
    }
  } else if (first in COMMAND_OPTIONS && !first.includes(' ')) {
    command = first as Command;
    rest = argv.slice(1);
  } else {
    throw new UsageError(`unknown command '${first}'`, null);
  }

  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS[command] },
      strict: true,
      allowPositionals: false,
    });
    values = parsed.values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError(describeParseError(e), command);
  }
  if (values.help) {
    ctx.stdout.write(
      (command.startsWith('key ') ? COMMAND_HELP.key : COMMAND_HELP[command as keyof typeof COMMAND_HELP]) + '\n',
    );
    return EXIT_OK;
  }

  // Arguments are checked before settings are read or anything is opened: bad usage changes nothing.
  const args = {
    day: command === 'export' ? requiredDay(values.day, 'day', command) : undefined,
    range: command === 'status' || command === 'verify' || command === 'catch-up' ? dayRange(values, command) : {},
    concurrency: optionalInt(values.concurrency, 'concurrency', command, 1, 8),
    days: optionalInt(values.days, 'days', command, 30, 2000),
    waitSeconds: optionalInt(values.wait, 'wait', command, 0, 86_400),
    expectKey: optionalFingerprint(values['expect-key'], command),
    expectHead: optionalExpectedHead(values['expect-head'], command),
  };
  if (command === 'demo') return runDemo(ctx, { dir: str(values.dir), days: args.days });
  const queryArgs = command === 'query' ? parseQueryArgs(values as Parameters<typeof parseQueryArgs>[0]) : null;
  const reportArgs =
    command === 'report'
      ? parseReportArgs(values as Parameters<typeof parseReportArgs>[0], ctx.env, (ctx.now ?? Date.now)())
      : null;

  const now = ctx.now ?? Date.now;
  const flags: CliSettingsFlags = {};
  for (const [name, key] of SETTINGS_FLAGS) {
    const v = str(values[name]);
    if (v !== undefined) flags[key] = v;
  }
  const config = resolveCliConfig({
    ...(str(values.config) ? { configPath: str(values.config) as string } : {}),
    env: ctx.env,
    flags,
  });
  for (const w of config.warnings) ctx.stderr.write(`audit-archive: warning: ${w}\n`);

  if (command === 'bucket init') return bucketInit(ctx, config.settings, values.yes === true);

  const stateDir = str(values['state-dir']) ?? defaultStateDir(ctx.env);
  const keys = new CliSigningKeys({ env: ctx.env, stateDir, keyFile: config.settings.archive.signingKeyFile });
  if (command === 'key migrate') return keyMigrate(ctx, stateDir, keys);
  // The cache seal's secret lives outside the state folder (cache-seal.ts); without a home, none is kept.
  const sealKeyFile = cliCacheSealKeyFile(ctx.env);
  const cacheSealKey = sealKeyFile ? fileCacheSealKey(sealKeyFile) : null;
  if (command === 'query') return queryCommand(ctx, config.settings, queryArgs as QueryArgs, stateDir, cacheSealKey);
  if (command === 'report')
    return reportCommand(ctx, config.settings, config.secrets, reportArgs as ReportArgs, stateDir, keys, cacheSealKey);
  const session = await openArchiveSession(config.settings, config.secrets, {
    env: ctx.env,
    stateDir,
    keys,
    now,
    program: 'the audit-archive CLI',
    cacheSealKey,
    ...(args.waitSeconds !== undefined ? { leaseWaitMs: args.waitSeconds * 1000 } : {}),
    onWarning: (w) => ctx.stderr.write(`audit-archive: warning: ${w}\n`),
  });
  try {
    // The journal is bookkeeping: its trouble is a warning, and the exit status stays the work's.
    for (const w of session.journal.warnings) journalWarning(ctx, w);
    session.journal.onWarning((w) => journalWarning(ctx, w));
    switch (command) {
      case 'export':
        return await exportCommand(ctx, session, args.day as Day, values.reconcile === true);
      case 'catch-up':
        return Math.max(
          await catchUpCommand(ctx, session, args.range, args.concurrency),
          await catchUpCopy(ctx, session, args.range),
        );
      case 'status':
        return await statusCommand(ctx, session, args.range, values.json === true);
      case 'verify':
        if (values.copy === true) return await verifyCopyCommand(ctx, session, args.range, values.json === true);
        return await verifyCommand(ctx, session, args.range, {
          full: values.full === true,
          json: values.json === true,
          ...(args.expectKey ? { expectKey: args.expectKey } : {}),
          ...(args.expectHead ? { expectHead: args.expectHead } : {}),
        });
      case 'key show':
        return await keyShow(ctx, session, keys, values.json === true);
      case 'key export':
        return await keyExport(ctx, session, keys, str(values.out));
      case 'key import':
        return await keyImport(ctx, session, keys, str(values.file));
      case 'key rotate':
        return await keyRotate(ctx, session, str(values.reason));
      case 'key replace-lost':
        return await keyReplaceLost(ctx, session, {
          confirmLost: str(values['confirm-lost']),
          reason: str(values.reason),
        });
    }
  } finally {
    await session.close();
  }
}

/** Tells the user, once, that another writer holds the archive and this run waits for it. */
function waitNotice(ctx: CliContext): (holder: LeaseHolder | null, waitedMs: number) => void {
  let said = false;
  return (holder) => {
    if (said) return;
    said = true;
    ctx.stderr.write(
      `${describeHolder(holder)} is writing this archive; waiting for it to finish (one writer at a time).\n`,
    );
  };
}

async function exportCommand(ctx: CliContext, session: ArchiveSession, day: Day, reconcile: boolean): Promise<number> {
  let lastBytes = 0;
  const progress = progressLine(ctx.stderr);
  await warnIfNotWorm(ctx, session);
  try {
    const result = await session.exportDay(day, {
      reconcile,
      onWait: waitNotice(ctx),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (p) => {
        // Plain output (logs): one line per stored part; a terminal: every update.
        if (ctx.stderr.isTTY || p.bytes !== lastBytes)
          progress.update(`${day}: ${p.events} events, ${formatBytes(p.bytes)} written`);
        lastBytes = p.bytes;
      },
    });
    progress.done();
    ctx.stderr.write(
      `${day}: ${result.outcome} ${result.events} events (${formatBytes(result.bytes)}, ${result.duplicatesDropped} duplicates dropped) -> ${result.manifestKey}\n`,
    );
    return EXIT_OK;
  } catch (e) {
    progress.done();
    if (isAuditArchiveError(e) && e.code === 'DAY_ALREADY_ARCHIVED' && !reconcile) {
      // The goal holds, so a rerun (cron, retry) is not an error; nothing was written.
      ctx.stderr.write(
        `${day}: already archived; nothing written (use --reconcile to add events Genesys indexed late).\n`,
      );
      return EXIT_OK;
    }
    throw e;
  }
}

async function catchUpCommand(
  ctx: CliContext,
  session: ArchiveSession,
  range: DayRange,
  concurrencyFlag: number | undefined,
): Promise<number> {
  const concurrency = concurrencyFlag ?? session.settings.schedule.concurrency;
  const previous = session.journal.catchUp;
  if (previous) {
    ctx.stderr.write(
      `Resuming the catch-up started ${previous.startedAt} (${previous.done.length} of ${previous.days.length} days were done); the plan is recomputed from the archive.\n`,
    );
  }
  await warnIfNotWorm(ctx, session);
  const progress = progressLine(ctx.stderr);
  const storedBytes = new Map<Day, number>();
  const summary = await session.catchUp(range, {
    concurrency,
    onWait: waitNotice(ctx),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onPlan: ({ plan, from, to }) => {
      const skipped = plan.skipped;
      ctx.stderr.write(
        `Catch-up ${from} to ${to}: ${plan.days.length} day(s) to archive, oldest first (closest to leaving Genesys retention)` +
          (skipped.unrecoverable ? `; ${skipped.unrecoverable} unrecoverable` : '') +
          (skipped.tampered ? `; ${skipped.tampered} tampered (run verify)` : '') +
          '.\n',
      );
    },
    onProgress: (event, totals) => reportCatchUp(progress, event, totals, ctx.stderr.isTTY === true, storedBytes),
  });
  progress.done();
  if (summary.plan.days.length === 0) return EXIT_OK;
  ctx.stderr.write(
    `Catch-up ${summary.cancelled ? 'cancelled' : 'finished'}: ${summary.archived} day(s) archived` +
      (summary.alreadyArchived ? `, ${summary.alreadyArchived} already archived by another run` : '') +
      `, ${summary.failed.length} failed` +
      (summary.notStarted ? `, ${summary.notStarted} not started` : '') +
      `; ${summary.events} events, ${formatBytes(summary.bytes)} in ${formatDuration(summary.elapsedMs)}.\n`,
  );
  for (const f of summary.failed) ctx.stderr.write(`  ${f.day} failed: ${f.message} [${f.code}]\n`);
  return summary.failed.length > 0 || summary.cancelled ? EXIT_FAILED : EXIT_OK;
}

/** A terminal gets every update on one line; plain output gets a line per day event and per stored part. */
function reportCatchUp(
  progress: ReturnType<typeof progressLine>,
  event: CatchUpProgress,
  t: CatchUpTotals,
  tty: boolean,
  storedBytes: Map<Day, number>,
): void {
  const finished = t.daysDone + t.daysFailed;
  const eta = t.etaMs === null ? '' : `, ETA ${formatDuration(t.etaMs)}`;
  const head = `${bar(t.daysTotal ? finished / t.daysTotal : 1)} ${finished}/${t.daysTotal} days, ${t.events} events, ${formatBytes(t.bytes)}${eta}`;
  switch (event.kind) {
    case 'day-started':
      if (tty) progress.update(`${head} | ${event.day}`);
      else progress.log(`${event.day}: started`);
      break;
    case 'day-progress':
      if (tty) progress.update(`${head} | ${event.day}: ${event.events} events`);
      else if (event.bytes !== (storedBytes.get(event.day) ?? 0))
        progress.log(`${event.day}: ${event.events} events, ${formatBytes(event.bytes)} written`);
      storedBytes.set(event.day, event.bytes);
      break;
    case 'day-archived':
      progress.log(
        `${event.day}: archived ${event.events} events (${formatBytes(event.bytes)}) [${finished}/${t.daysTotal}${eta}]`,
      );
      break;
    case 'day-failed':
      progress.log(`${event.day}: FAILED ${event.message} [${event.code}]`);
      break;
  }
}

async function statusCommand(
  ctx: CliContext,
  session: ArchiveSession,
  range: DayRange,
  json: boolean,
): Promise<number> {
  const { from, to, days, problems, empty } = await session.status(range);
  // An empty or unmounted target must not look like a clean archive.
  const failing = problems.filter((p) => isFailingProblem(p.kind));
  const exit = empty || failing.length > 0 ? EXIT_FAILED : EXIT_OK;
  if (json) {
    ctx.stdout.write(JSON.stringify({ days, problems, empty }) + '\n');
    return exit;
  }
  if (empty)
    ctx.stderr.write(
      `${session.store.url} holds no archive (no root object, no manifests): if one should be there, check that it is mounted and the target is right; if nothing was archived yet, run catch-up.\n`,
    );
  for (const p of problems) ctx.stderr.write(`archive ${p.kind}${p.key ? ` ${p.key}` : ''}: ${p.detail}\n`);
  const counts = countStates(days);
  ctx.stdout.write(`${session.store.url}  ${from} to ${to}\n`);
  ctx.stdout.write(
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([state, n]) => `${state}: ${n}`)
      .join('  ') + '\n',
  );
  // Months at a glance: one character per day.
  const glyph: Record<string, string> = {
    archived: '#',
    missing: '.',
    unrecoverable: 'x',
    pending: '~',
    failed: '!',
    tampered: 'T',
    'not-required': ' ',
  };
  let month = '';
  let line = '';
  for (const d of days) {
    const m = d.day.slice(0, 7);
    if (m !== month) {
      if (line) ctx.stdout.write(line + '\n');
      month = m;
      line = `${m} ${' '.repeat(Number(d.day.slice(8)) - 1)}`;
    }
    line += glyph[d.state];
  }
  if (line) ctx.stdout.write(line + '\n');
  ctx.stdout.write(`legend: # archived  . missing  x unrecoverable  ~ pending  ! failed  T tampered\n`);
  for (const d of days.filter((s) => s.state === 'failed' || s.state === 'tampered'))
    ctx.stdout.write(`${d.day} ${d.state}: ${d.error ?? ''}\n`);
  return exit;
}

async function verifyCommand(
  ctx: CliContext,
  session: ArchiveSession,
  range: DayRange,
  opts: { full: boolean; json: boolean; expectKey?: string; expectHead?: ExpectedHead },
): Promise<number> {
  const progress = progressLine(ctx.stderr);
  const result = await session.verify({
    ...range,
    full: opts.full,
    ...(opts.expectKey ? { expectKey: opts.expectKey } : {}),
    ...(opts.expectHead ? { expectHead: opts.expectHead } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (p) => {
      if (ctx.stderr.isTTY && p.phase === 'objects')
        progress.update(`${bar(p.done / Math.max(1, p.total))} ${p.done}/${p.total} checks`);
    },
  });
  progress.done();
  if (opts.json) {
    ctx.stdout.write(
      JSON.stringify({ ok: result.ok, problems: result.problems, archive: result.archive, trust: result.trust }) + '\n',
    );
  } else {
    const span = result.from === null ? 'no days' : `${result.from} to ${result.to}`;
    // A lost key's restart is never a plain OK: it is in the verdict line itself.
    const restarts = result.problems.filter((p) => p.kind === 'key-restarted').length;
    const verdict = result.ok && restarts > 0 ? `OK, WITH ${restarts} KEY RESTART(S) AFTER A LOST KEY (below)` : 'OK';
    ctx.stdout.write(
      `${result.ok ? verdict : 'PROBLEMS FOUND'}: ${session.store.url}, ${span}, ${result.manifestsChecked} manifests and ${result.objectsChecked} objects checked${opts.full ? ' (full: every object hashed)' : ''}${trustSuffix(result.trust, result.archive?.head ?? null)}.\n`,
    );
    if (result.archive) {
      const a = result.archive;
      const rootKey =
        a.currentKeyFingerprint !== a.keyFingerprint ? ` (root key ${formatFingerprint(a.keyFingerprint)})` : '';
      ctx.stdout.write(
        `Archive ${a.archiveId} (${a.purpose}), signing key ${formatFingerprint(a.currentKeyFingerprint)}${rootKey}${a.head ? `, head ${a.head.key} (sequence ${a.head.sequence}, SHA-256 ${a.head.sha256})` : ''}.\n`,
      );
    }
    for (const line of describeTrust(result.trust, result.archive)) ctx.stdout.write(`${line}\n`);
    for (const p of result.problems)
      ctx.stdout.write(`${p.day ?? 'archive'} ${p.kind}${p.key ? ` ${p.key}` : ''}: ${p.detail}\n`);
  }
  return result.ok ? EXIT_OK : EXIT_FAILED;
}

async function bucketInit(
  ctx: CliContext,
  settings: Parameters<typeof openArchiveSession>[0],
  confirmed: boolean,
): Promise<number> {
  const target = settings.archive.target;
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(target);
  if (!m)
    throw new UsageError(
      'bucket init needs an s3:// archive target (set AUDIT_ARCHIVE_TARGET or --target s3://bucket/prefix)',
      'bucket init',
    );
  const [, bucket = '', prefix = ''] = m;
  if (settings.archive.lockMode === 'COMPLIANCE' && !confirmed) {
    throw new UsageError(
      `COMPLIANCE mode cannot be undone: no one, root included, can delete objects in s3://${bucket} for ${settings.archive.retentionDays} days. Add --yes to confirm, or set AUDIT_ARCHIVE_LOCK_MODE=GOVERNANCE for a trial`,
      'bucket init',
    );
  }
  const s3 = settings.archive.s3;
  const endpoint = s3.endpoint ?? (ctx.env.AWS_ENDPOINT_URL_S3 || ctx.env.AWS_ENDPOINT_URL || undefined);
  const summary = await initBucket({
    bucket,
    lockMode: settings.archive.lockMode,
    retentionDays: settings.archive.retentionDays,
    connection: {
      ...(s3.region ? { region: s3.region } : {}),
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: s3.forcePathStyle,
    },
  });
  ctx.stderr.write(
    `s3://${summary.bucket}: ${summary.created ? 'created' : 'already existed'} with Object Lock and versioning; default retention ${summary.defaultRetention.mode} ${summary.defaultRetention.days} days${summary.retentionChanged ? ' (set now)' : ''}.\n`,
  );
  for (const w of summary.warnings) ctx.stderr.write(`audit-archive: warning: ${w}\n`);
  ctx.stdout.write(
    `Least-privilege IAM policy for the exporter (no delete, no governance bypass):\n${JSON.stringify(exporterIamPolicy(bucket, prefix), null, 2)}\n`,
  );
  ctx.stdout.write(
    `\nOptional, on AWS: a bucket policy that refuses any write adding a version to an existing key under the archive (verify reports one anyway; this makes it impossible). Merge it into the bucket's policy:\n${JSON.stringify(overwriteGuardBucketPolicy(bucket, prefix), null, 2)}\n`,
  );
  return EXIT_OK;
}

/** Before a write: no organisation configured stops here (exit 2), before the store is touched; then the store's warnings. */
async function warnIfNotWorm(ctx: CliContext, session: ArchiveSession): Promise<void> {
  session.checkConfigured();
  const readiness = await session.ready();
  for (const w of readiness.warnings) ctx.stderr.write(`audit-archive: warning: ${w}\n`);
}

function dayRange(values: Record<string, unknown>, command: Command): { from?: Day; to?: Day } {
  const from = optionalDay(values.from, 'from', command);
  const to = optionalDay(values.to, 'to', command);
  if (from && to && to < from) throw new UsageError(`--to ${to} is before --from ${from}`, command);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

function requiredDay(value: unknown, name: string, command: Command): Day {
  const day = optionalDay(value, name, command);
  if (!day) throw new UsageError(`--${name} YYYY-MM-DD is required`, command);
  return day;
}

/** Every day flag goes through here: a malformed day is bad usage (exit 2), never an internal error. */
function optionalDay(value: unknown, name: string, command: Command): Day | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDay(value);
  if (!parsed.ok)
    throw new UsageError(`--${name} '${shortForMessage(String(value))}' ${parsed.error.message}`, command);
  return parsed.value;
}

/** A value typed by the user, as an error line may quote it: short and on one line. */
function shortForMessage(value: string): string {
  const line = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}

/** On a terminal the progress line is cleared first, so the warning stands on its own line. */
function journalWarning(ctx: CliContext, message: string): void {
  ctx.stderr.write(`${ctx.stderr.isTTY ? '\r\x1b[2K' : ''}audit-archive: warning: ${message}\n`);
}

function optionalFingerprint(value: unknown, command: Command): string | undefined {
  if (value === undefined) return undefined;
  const fp = parseFingerprint(String(value));
  if (!fp)
    throw new UsageError(
      `--expect-key must be the 64 hex digits of a key fingerprint (spaces allowed), as \`audit-archive key show\` prints it`,
      command,
    );
  return fp;
}

function optionalExpectedHead(value: unknown, command: Command): ExpectedHead | undefined {
  if (value === undefined) return undefined;
  const head = parseExpectedHead(String(value));
  if (!head)
    throw new UsageError(
      `--expect-head must be a manifest's sequence number, optionally with its SHA-256 (SEQ or SEQ:SHA256), as verify prints the head`,
      command,
    );
  return head;
}

function optionalInt(value: unknown, name: string, command: Command, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`, command);
  return n;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function describeParseError(e: unknown): string {
  const code = (e as { code?: string }).code;
  const msg = (e as Error).message ?? String(e);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return msg.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown option');
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return msg
      .replace(/^Unexpected argument/, 'unexpected argument')
      .replace(/\. This command does not take positional arguments$/, '');
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return msg.replace(/^Option/, 'option');
  return msg;
}
