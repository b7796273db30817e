/**
 * `audit-archive report`: an audit response report from the command line, on the same builder as
 * the app's Reports page.
 *
 *   audit-archive report (--saved NAME [--param name=value]... | --sql SQL | --results FILE)
 *                        [--engine athena|local] --from DAY --to DAY --request-ref REF
 *                        [--requester TEXT] [--question TEXT] --out DIR [--archive-copy]
 *                        [--generated-at INSTANT] [--cited-objects include|omit]
 *
 * Prints the paths of the PDF and the bundle on stdout (one per line), progress and a summary
 * (events, pages, the verdict and every finding, the days not archived, whether the bundle is
 * signed, its SHA-256, the archive copy) on stderr. Exit 0; 1 when verification of the period
 * failed (the report is still written, and says so on its cover) or the archive copy asked for
 * could not be written; 2 for bad usage (nothing is written, no folder is made).
 */
import { access, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DaySchema, type Day } from '../../../shared/day';
import { listQueries } from '../../../shared/discovery/query-library';
import { ResultMetadataSchema, type ResultMetadata } from '../../../shared/discovery/result-metadata';
import { AuditArchiveError } from '../../../shared/errors';
import type { ReportReceipt } from '../../../shared/reports/report-receipt';
import { ReportRequestSchema, TimeZoneSchema } from '../../../shared/reports/report-request';
import type { Settings } from '../../../shared/settings';
import { TOOL_VERSION, type ArchiveSession } from '../../engine/archive/archive-session';
import { describeHolder } from '../../engine/archive/writer-lease';
import type { CacheSealKey } from '../../engine/archive/cache-seal';
import { openCopyTarget } from '../../engine/archive/copy/copy-target';
import { openQueryEngine } from '../../engine/discovery/open-query-engine';
import { generateReport, verificationPolicyOf, type GenerateReportOptions } from '../../engine/reports/build-report';
import type { CitedSource } from '../../engine/reports/cited-results';
import { fixedGenerationTime } from '../../engine/reports/generation-time';
import { checkReportOutDir } from '../../engine/reports/report-out-dir';
import { citedRowsFromFile, type CitedRows } from '../../engine/reports/rerun-comparison';
import type { CliParts } from '../composition';
import type { CliContext } from '../context';
import { bar, progressLine } from '../progress';
import { parseQueryArgs, resolveQuery } from './query';
import { formatCount } from '../../../shared/format-count';

const REPORT_OPTIONS = {
  saved: { type: 'string' },
  param: { type: 'string', multiple: true },
  sql: { type: 'string' },
  results: { type: 'string', multiple: true },
  engine: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'request-ref': { type: 'string' },
  requester: { type: 'string' },
  question: { type: 'string' },
  regulator: { type: 'string' },
  due: { type: 'string' },
  'prepared-by': { type: 'string' },
  'time-zone': { type: 'string' },
  out: { type: 'string' },
  'archive-copy': { type: 'boolean' },
  'cache-dir': { type: 'string' },
  wait: { type: 'string' },
  'generated-at': { type: 'string' },
  'cited-objects': { type: 'string' },
  'expect-key': { type: 'string' },
} as const;

type Values = Record<string, string | boolean | string[] | undefined>;

interface ReportArgs {
  readonly query: ReturnType<typeof parseQueryArgs> | null;
  readonly results: readonly string[];
  readonly engine?: 'local' | 'athena';
  readonly period: { from: Day; to: Day };
  readonly request: ReturnType<typeof ReportRequestSchema.parse>;
  readonly out: string;
  readonly archiveCopy: boolean;
  readonly cacheDir?: string;
  readonly waitSeconds?: number;
  /** A fixed generation time (--generated-at, else SOURCE_DATE_EPOCH): a reproducible report. */
  readonly generatedAt?: string;
  /** --cited-objects include|omit; unset: included when they weigh at most the default limit. */
  readonly includeObjects?: boolean;
  /** --expect-key: the key fingerprint the officer recorded; the report's trust then rests on it. */
  readonly expectKey?: string;
}

/** The flag of each request field, for messages. */
const REQUEST_FLAGS: Record<string, string> = {
  reference: '--request-ref',
  requester: '--requester',
  recipient: '--regulator',
  dueDate: '--due',
  question: '--question',
  preparedBy: '--prepared-by',
  timeZone: '--time-zone',
};

function usage(message: string): AuditArchiveError {
  return new AuditArchiveError('INVALID_ARGUMENT', `${message}. See \`audit-archive report --help\``);
}

type Str = (name: string) => string | undefined;

/** A `--name YYYY-MM-DD` flag: a day, or undefined when absent and not required. */
function dayFlag(str: Str, name: string, required: boolean): Day | undefined {
  const v = str(name);
  if (v === undefined) {
    if (required) throw usage(`--${name} YYYY-MM-DD is required (the report's period, UTC days)`);
    return undefined;
  }
  const parsed = DaySchema.safeParse(v);
  if (!parsed.success)
    throw usage(`--${name} '${v.slice(0, 40)}' ${parsed.error.issues[0]?.message ?? 'is not a day'}`);
  return parsed.data;
}

/** The request as the cover states it, from its flags (each named when it is refused). */
function parseRequest(str: Str, env: NodeJS.ProcessEnv): ReportArgs['request'] {
  const reference = str('request-ref');
  if (!reference?.trim()) throw usage("--request-ref REF is required (the examiner's request reference)");
  const timeZone = str('time-zone') ?? env.TZ ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  if (!TimeZoneSchema.safeParse(timeZone).success)
    throw usage(
      `--time-zone '${timeZone.slice(0, 60)}' is not an IANA time zone (Europe/London, America/New_York, UTC)`,
    );
  const request = ReportRequestSchema.safeParse({
    reference,
    requester: str('requester') ?? '',
    recipient: str('regulator') ?? '',
    dueDate: dayFlag(str, 'due', false) ?? null,
    question: str('question') ?? '',
    preparedBy: str('prepared-by') ?? userName(),
    timeZone,
  });
  if (!request.success) {
    const issue = request.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    throw usage(`${REQUEST_FLAGS[field] ?? (field || 'the request')}: ${issue?.message ?? 'invalid'}`);
  }
  return request.data;
}

/** How the bundle is made: its fixed time, the cited objects, the archive copy's wait. */
function parseBundleFlags(
  str: Str,
  env: NodeJS.ProcessEnv,
  now: number,
): Pick<ReportArgs, 'generatedAt' | 'includeObjects' | 'waitSeconds'> {
  const citedObjects = str('cited-objects');
  if (citedObjects !== undefined && citedObjects !== 'include' && citedObjects !== 'omit')
    throw usage(`--cited-objects must be include or omit, not '${citedObjects.slice(0, 40)}'`);
  let generatedAt: string | null;
  try {
    generatedAt = fixedGenerationTime(str('generated-at'), env, now);
  } catch (e) {
    throw usage((e as Error).message.replace(/\.$/, ''));
  }
  const waitText = str('wait');
  const waitSeconds = waitText === undefined ? undefined : Number(waitText);
  if (waitSeconds !== undefined && (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 86_400))
    throw usage('--wait must be a whole number of seconds from 0 to 86400');
  return {
    ...(generatedAt ? { generatedAt } : {}),
    ...(citedObjects ? { includeObjects: citedObjects === 'include' } : {}),
    ...(waitSeconds !== undefined ? { waitSeconds } : {}),
  };
}

/** --expect-key FP: 64 hex digits (spaces and colons allowed, as `key show` groups them). */
function expectKeyFlag(str: Str): Pick<ReportArgs, 'expectKey'> {
  const given = str('expect-key');
  if (given === undefined) return {};
  const fingerprint = given.replace(/[\s:]/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(fingerprint))
    throw usage('--expect-key must be the 64 hex digits of a key fingerprint, as `audit-archive key show` prints it');
  return { expectKey: fingerprint };
}

/** Checks the flags before anything is read or opened: bad usage changes nothing. */
function parseReportArgs(values: Values, env: NodeJS.ProcessEnv, now: number = Date.now()): ReportArgs {
  const str: Str = (name) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const results = (values.results as string[] | undefined) ?? [];
  const given = [str('saved') !== undefined, str('sql') !== undefined, results.length > 0].filter(Boolean).length;
  if (given !== 1) throw usage('give exactly one of --saved NAME, --sql SQL or --results FILE');
  if (results.length > 0 && ((values.param as string[] | undefined) ?? []).length > 0)
    throw usage('--param goes with --saved or --sql; a result file carries its own parameters');
  const from = dayFlag(str, 'from', true) as Day;
  const to = dayFlag(str, 'to', true) as Day;
  if (to < from) throw usage(`--to ${to} is before --from ${from}`);
  const request = parseRequest(str, env);
  const out = str('out');
  if (!out) throw usage('--out DIR is required (where the report folder and its bundle go)');
  const engine = str('engine');
  if (engine !== undefined && engine !== 'local' && engine !== 'athena')
    throw usage(`--engine must be local or athena, not '${engine}'`);
  const bundle = { ...parseBundleFlags(str, env, now), ...expectKeyFlag(str) };
  const query =
    results.length > 0
      ? null
      : parseQueryArgs({
          sql: str('sql'),
          saved: str('saved'),
          param: values.param as string[] | undefined,
          from,
          to,
          ...(engine ? { engine } : {}),
        });
  const cacheDir = str('cache-dir');
  return {
    query,
    results,
    ...(engine ? { engine: engine as 'local' | 'athena' } : {}),
    period: { from, to },
    request,
    out: path.resolve(out),
    archiveCopy: values['archive-copy'] === true,
    ...(cacheDir ? { cacheDir: path.resolve(cacheDir) } : {}),
    ...bundle,
  };
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}

/**
 * A result file: `FILE.query.json` as `query --out` and the app's export write it, or the rows file
 * beside one (its `.query.json` is read). The rows file, when it is there, is what the result is
 * cited with: the report compares today's rows with it by content. Anything else is named as what
 * it is not.
 */
async function readResultFile(file: string): Promise<{ metadata: ResultMetadata; rows?: CitedRows }> {
  const beside = file.endsWith('.query.json') ? null : `${file}.query.json`;
  const read = async (candidate: string): Promise<string | null> => {
    try {
      return await readFile(candidate, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'ENOENT') return null;
      throw new AuditArchiveError('INVALID_ARGUMENT', `Cannot read ${candidate} (${code}).`);
    }
  };
  const besideText = beside ? await read(beside) : null;
  const [candidate, text] = besideText !== null ? [beside as string, besideText] : [file, await read(file)];
  if (text === null)
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `Cannot read ${beside ?? file} (ENOENT): give the .query.json file that \`audit-archive query --out FILE\` or the app's export wrote.`,
    );
  const metadata = parseResultMetadata(candidate, text);
  const rowsFile = candidate.slice(0, -'.query.json'.length);
  const hasRows = await access(rowsFile).then(
    () => true,
    () => false,
  );
  return hasRows ? { metadata, rows: await citedRowsFromFile(rowsFile, metadata) } : { metadata };
}

function parseResultMetadata(file: string, text: string): ResultMetadata {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = ResultMetadataSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const why =
      json === undefined ? 'it is not JSON' : `${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'invalid'}`;
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `${file} is not a discovery result's metadata (${why}): give the .query.json file that \`audit-archive query --out FILE\` or the app's export wrote.`,
    );
  }
  return parsed.data;
}

/** What the report says on stderr besides progress: the verdict, each finding, the days not archived, the signature. */
function describeReceipt(receipt: ReportReceipt): string {
  const lines = [
    `Report ${receipt.reportId} for request ${receipt.reference}: ${formatCount(receipt.events)} events, ${formatCount(receipt.pages)} pages.`,
    receipt.headline,
    ...receipt.findings.map((f) => `  - ${f}`),
  ];
  if (receipt.gaps.length > 0) {
    lines.push(`Days of the period not archived (${receipt.gaps.length}):`);
    lines.push(...receipt.gaps.map((g) => `  ${g.day} ${g.state}: ${g.detail}`));
  }
  lines.push(
    receipt.signed
      ? "SHA256SUMS is signed with the archive's key (SHA256SUMS.sig); README.txt in the bundle gives the commands that check it."
      : "audit-archive: warning: the bundle is UNSIGNED (the archive's private key is not on this machine; the report's cover says why).",
    `Bundle SHA-256: ${receipt.bundleSha256} (${formatCount(receipt.bundleSize)} bytes); in the report folder, \`sha256sum -c SHA256SUMS\` checks every file.`,
  );
  return lines.join('\n') + '\n';
}

/** What the builder needs from the settings, the session and the flags. */
async function buildOptionsOf(
  ctx: CliContext,
  settings: Settings,
  session: ArchiveSession,
  args: ReportArgs,
  stateDir: string,
  cacheSealKey: CacheSealKey | null,
): Promise<Omit<GenerateReportOptions, 'inputs' | 'onWait' | 'onProgress'>> {
  const engineSettings = args.cacheDir
    ? { ...settings, discovery: { ...settings.discovery, cacheDir: args.cacheDir } }
    : settings;
  return {
    archive: session.archive,
    openEngine: (kind) =>
      openQueryEngine({
        kind,
        settings: engineSettings,
        store: session.store,
        defaultCacheFolder: path.join(stateDir, 'discovery-cache'),
        env: ctx.env,
        cacheSealKey,
        stateDir,
        ...(ctx.now ? { now: ctx.now } : {}),
        oneArchiveRead: true,
      }),
    defaultEngine: settings.discovery.engine,
    verification: { ...verificationPolicyOf(settings), ...(args.expectKey ? { expectKey: args.expectKey } : {}) },
    toolVersion: TOOL_VERSION,
    library: listQueries(settings),
    journal: session.journal,
    ...(ctx.now ? { now: ctx.now } : {}),
    ...(args.generatedAt ? { generatedAt: args.generatedAt } : {}),
    ...(args.includeObjects !== undefined ? { includeObjects: args.includeObjects } : {}),
    outDir: args.out,
    archiveCopy: args.archiveCopy,
    secondCopy: await openCopyTarget(settings, session.store, ctx.env),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

export const options = REPORT_OPTIONS;

export function parse(values: Values, ctx: CliContext): ReportArgs {
  return parseReportArgs(values, ctx.env, (ctx.now ?? Date.now)());
}

export async function run(args: ReportArgs, parts: CliParts): Promise<number> {
  const { ctx } = parts;
  const settings = parts.settings();
  // Where the report goes is checked first: a bad --out is refused before anything is read or made.
  await checkReportOutDir(args.out);
  const sources: CitedSource[] = [];
  if (args.query) {
    const { query, savedQuery } = resolveQuery(settings, args.query);
    sources.push({ kind: 'query', query, savedQuery });
  }
  for (const file of args.results) sources.push({ kind: 'result', ...(await readResultFile(file)) });

  const [stateDir, cacheSealKey] = [await parts.stateDir(), await parts.cacheSealKey()];
  // The session's signing keys sign the archive copy.
  const session = await parts.openSession({ program: 'the audit-archive CLI (report)', waitSeconds: args.waitSeconds });
  const progress = progressLine(ctx.stderr);
  try {
    let waited = false;
    const receipt = await generateReport({
      ...(await buildOptionsOf(ctx, settings, session, args, stateDir, cacheSealKey)),
      inputs: { request: args.request, period: args.period, sources, ...(args.engine ? { engine: args.engine } : {}) },
      onWait: (holder) => {
        if (waited) return;
        waited = true;
        progress.log(
          `${describeHolder(holder)} is writing this archive; the report's copy waits for it (one writer at a time).`,
        );
      },
      onProgress: (p) => {
        const share = p.total ? `${bar((p.done ?? 0) / Math.max(1, p.total))} ` : '';
        if (ctx.stderr.isTTY) progress.update(`${share}${p.message}`);
        else if (p.phase !== 'pdf' && p.phase !== 'events' && p.phase !== 'verifying') progress.log(p.message);
      },
    });
    progress.done();
    ctx.stdout.write(`${receipt.pdf}\n${receipt.bundle}\n`);
    ctx.stderr.write(describeReceipt(receipt));
    if (receipt.archiveCopy)
      ctx.stderr.write(
        `Kept in the archive: ${receipt.archiveCopy.bundleKey}${receipt.archiveCopy.bundleVersionId ? ` (version ${receipt.archiveCopy.bundleVersionId})` : ''} and its signed record ${receipt.archiveCopy.recordKey}.\n`,
      );
    if (receipt.archiveCopyError)
      ctx.stderr.write(`audit-archive: the archive copy was not written: ${receipt.archiveCopyError}\n`);
    return receipt.verified && !receipt.archiveCopyError ? 0 : 1;
  } catch (e) {
    progress.done();
    throw e;
  } finally {
    await session.close();
  }
}
