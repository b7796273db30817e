/**
 * `audit-archive hold place | list | release`: legal holds by matter (engine/archive/holds/).
 * Self-contained: its options, parsing, help and run live here; main.ts hands it the arguments
 * after `hold` with one line.
 *
 * place and release need the archive's signing key (each writes a signed record) and credentials
 * allowed to change legal holds (the README's legal-hold IAM statement); the exporter's policy
 * leaves that out, and the refusal says so.
 */
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { parseDay, type Day } from '../../shared/day';
import { openArchiveSession, TOOL_VERSION, type ArchiveSession } from '../engine/archive/archive-session';
import { cliCacheSealKeyFile, fileCacheSealKey } from '../engine/archive/cache-seal';
import { readHoldLedger, type HoldLedger } from '../engine/archive/holds/hold-ledger';
import { placeHold, releaseHold, type HoldResult } from '../engine/archive/holds/place-hold';
import { CliSigningKeys } from '../engine/archive/key-custody';
import { defaultStateDir } from '../engine/archive/run-journal';
import { CLI_SETTING_SOURCES, resolveCliConfig, type CliSettingsFlags } from '../engine/settings/cli-config';
import type { CliStream } from './progress';

export interface HoldCommandContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly now?: () => number;
  readonly signal?: AbortSignal;
}

export const HOLD_HELP = `Usage: audit-archive hold place --from DAY --to DAY --matter NAME [--reference REF] [--reason TEXT]
       audit-archive hold list [--json]
       audit-archive hold release --matter NAME

Legal holds by matter, on S3 Object Lock storage (a local folder cannot enforce one and refuses).
place turns the legal hold ON for every version the manifests vouch for on those days (data parts,
manifests, the root) and writes a signed hold record, locked like a manifest. Every day of the
period up to the last settled day must be archived; later days are held as they land. A day under
two matters stays held until both are released. release turns OFF what no other matter holds and
writes its own signed record. verify names each vouched version of a held day whose hold is not ON
(hold-missing).

place and release need the archive's signing key and credentials allowed s3:PutObjectLegalHold
(the README's legal-hold IAM statement): the exporter's policy does not allow it.

Options:
  --from DAY, --to DAY   the period to hold (UTC days, YYYY-MM-DD)
  --matter NAME          the matter, investigation or litigation (what release names)
  --reference REF        the firm's reference for it (docket, case number)
  --reason TEXT          why, in the officer's words
  --json                 (list) the matters as JSON
Plus --config, --target, --state-dir and every setting flag (\`audit-archive --help\`).
Exit status: 0 done, 1 a store or archive failure, 2 bad usage (nothing was changed).`;

const SUBCOMMANDS = ['place', 'list', 'release'] as const;
type Sub = (typeof SUBCOMMANDS)[number];

const SETTINGS_FLAGS = new Map<string, keyof CliSettingsFlags>(
  CLI_SETTING_SOURCES.filter((s) => s.flag && s.flagKey).map((s) => [
    (s.flag as string).replace(/^--/, ''),
    s.flagKey as keyof CliSettingsFlags,
  ]),
);

const OPTIONS = {
  config: { type: 'string' },
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  from: { type: 'string' },
  to: { type: 'string' },
  matter: { type: 'string' },
  reference: { type: 'string' },
  reason: { type: 'string' },
  json: { type: 'boolean' },
  ...Object.fromEntries([...SETTINGS_FLAGS.keys()].map((name) => [name, { type: 'string' as const }])),
} as const;

type Values = Record<string, string | boolean | undefined>;

/** `audit-archive hold …`: `argv` is what follows `hold`. Returns the exit status. */
export async function holdCommand(argv: readonly string[], ctx: HoldCommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    ctx.stdout.write(HOLD_HELP + '\n');
    return sub === undefined ? 2 : 0;
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(sub))
    return usage(ctx, `unknown hold command '${sub}' (hold place, hold list, hold release)`);
  let values: Values;
  try {
    values = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false }).values as Values;
  } catch (e) {
    return usage(ctx, ((e as Error).message ?? String(e)).replace(/\. To specify a positional argument.*$/s, ''));
  }
  if (values.help) {
    ctx.stdout.write(HOLD_HELP + '\n');
    return 0;
  }
  const problem = checkArgs(sub as Sub, values);
  if (problem) return usage(ctx, problem);
  const session = await openSession(ctx, values);
  try {
    if (sub === 'list') return await holdList(ctx, session, values.json === true);
    const request = {
      matter: values.matter as string,
      reference: str(values.reference) ?? '',
      reason: str(values.reason) ?? '',
      by: officer(ctx.env),
      toolVersion: TOOL_VERSION,
      settlementMinutes: session.settings.archive.settlementMinutes,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    const result =
      sub === 'place'
        ? await placeHold(session.archive, { ...request, from: values.from as Day, to: values.to as Day })
        : await releaseHold(session.archive, request);
    reportResult(ctx, session, sub as 'place' | 'release', result);
    return 0;
  } finally {
    await session.close();
  }
}

/** What is wrong with the arguments (null: nothing); checked before settings are read. */
function checkArgs(sub: Sub, values: Values): string | null {
  if (sub === 'list') {
    const extra = ['from', 'to', 'matter', 'reference', 'reason'].find((k) => values[k] !== undefined);
    return extra ? `hold list takes no --${extra}` : null;
  }
  if (typeof values.matter !== 'string') return `--matter NAME is required`;
  if (sub === 'release') {
    const extra = ['from', 'to', 'reference', 'reason', 'json'].find((k) => values[k] !== undefined);
    return extra ? `hold release takes only --matter (a release ends the whole matter)` : null;
  }
  for (const name of ['from', 'to'] as const) {
    if (values[name] === undefined) return `--${name} YYYY-MM-DD is required`;
    const day = parseDay(values[name]);
    if (!day.ok) return `--${name} '${String(values[name]).slice(0, 40)}' ${day.error.message}`;
    values[name] = day.value;
  }
  if ((values.to as string) < (values.from as string)) return `--to ${values.to} is before --from ${values.from}`;
  return null;
}

async function openSession(ctx: HoldCommandContext, values: Values): Promise<ArchiveSession> {
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
  const stateDir = str(values['state-dir']) ?? defaultStateDir(ctx.env);
  const sealKeyFile = cliCacheSealKeyFile(ctx.env);
  return openArchiveSession(config.settings, config.secrets, {
    env: ctx.env,
    stateDir,
    keys: new CliSigningKeys({ env: ctx.env, stateDir, keyFile: config.settings.archive.signingKeyFile }),
    now: ctx.now ?? Date.now,
    program: 'the audit-archive CLI (hold)',
    cacheSealKey: sealKeyFile ? fileCacheSealKey(sealKeyFile) : null,
    onWarning: (w) => ctx.stderr.write(`audit-archive: warning: ${w}\n`),
  });
}

/** The matters holding days now, from the archive's signed records. */
export async function holdList(ctx: HoldCommandContext, session: ArchiveSession, json: boolean): Promise<number> {
  if (session.store.kind === 'local') {
    if (json) ctx.stdout.write(JSON.stringify({ archive: session.store.url, matters: [], problems: [] }) + '\n');
    else
      ctx.stdout.write(
        `${session.store.url} is a local folder: it cannot hold anything (holds need S3 Object Lock).\n`,
      );
    return 0;
  }
  const snapshot = await session.archive.read({ scope: 'layout' });
  const ledger = await readHoldLedger(session.store, snapshot.assessment, ctx.signal);
  if (json) {
    ctx.stdout.write(
      JSON.stringify({ archive: session.store.url, matters: [...ledger.matters.values()], problems: ledger.problems }) +
        '\n',
    );
    return ledger.problems.length > 0 ? 1 : 0;
  }
  ctx.stdout.write(describeLedger(session.store.url, ledger).join('\n') + '\n');
  return ledger.problems.length > 0 ? 1 : 0;
}

function describeLedger(url: string, ledger: HoldLedger): string[] {
  const lines = [ledger.matters.size === 0 ? `No matter holds anything in ${url}.` : `Matters holding days in ${url}:`];
  for (const m of [...ledger.matters.values()].sort((a, b) => a.matter.localeCompare(b.matter)))
    for (const p of m.periods)
      lines.push(
        `  ${m.matter}: ${p.from} to ${p.to}${p.reference ? `, reference ${p.reference}` : ''}, placed ${p.placedAt} by ${p.by}${p.reason ? ` (${p.reason})` : ''}`,
      );
  for (const p of ledger.problems) lines.push(`archive ${p.kind}${p.key ? ` ${p.key}` : ''}: ${p.detail}`);
  return lines;
}

function reportResult(ctx: HoldCommandContext, session: ArchiveSession, sub: 'place' | 'release', r: HoldResult): void {
  const lines =
    sub === 'place'
      ? [
          `Held ${r.days.length} archived day(s) of ${session.store.url} for '${r.matter}': ${r.versions} object version(s) now have their legal hold ON; record ${r.recordKey} (signed, locked like a manifest).`,
          ...(r.later.length
            ? [
                `${r.later.length} later day(s) of the period (${r.later[0]} to ${r.later.at(-1)}) will be held as they are archived.`,
              ]
            : []),
        ]
      : [
          `Released '${r.matter}' in ${session.store.url}: ${r.versions} object version(s) had their legal hold turned OFF; record ${r.recordKey} (signed, locked like a manifest).`,
          ...(r.stillHeld.length
            ? [`${r.stillHeld.length} day(s) stay held for other matters (${r.stillHeld[0]} to ${r.stillHeld.at(-1)}).`]
            : []),
          'Released versions stay locked until their retention ends.',
        ];
  ctx.stdout.write(lines.join('\n') + '\n');
}

/** Who placed or released it: AUDIT_ARCHIVE_OFFICER, else the account and machine that ran the command. */
function officer(env: NodeJS.ProcessEnv): string {
  const named = env.AUDIT_ARCHIVE_OFFICER?.trim();
  if (named) return named.slice(0, 200);
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no account name on this system
  }
  return `${user}@${hostname()}`.slice(0, 200);
}

function usage(ctx: HoldCommandContext, message: string): number {
  ctx.stderr.write(`audit-archive: ${message}. See \`audit-archive hold --help\`.\n`);
  return 2;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
