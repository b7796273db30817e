/**
 * `audit-archive hold place | list | release`: legal holds by matter (engine/archive/holds/).
 *
 * place and release need the archive's signing key (each writes a signed record) and credentials
 * allowed to change legal holds (the README's legal-hold IAM statement); the exporter's policy
 * leaves that out, and the refusal says so.
 */
import type { Day } from '../../../shared/day';
import type { DaySpan } from '../../../shared/holds/hold-contract';
import { TOOL_VERSION, type ArchiveSession } from '../../engine/archive/archive-session';
import { listHolds, type HoldList, type ListedMatter } from '../../engine/archive/holds/hold-list';
import { holdOfficer } from '../../engine/archive/holds/hold-officer';
import { placeHold, releaseHold, type HoldResult } from '../../engine/archive/holds/place-hold';
import type { CliParts } from '../composition';
import type { CliContext } from '../context';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { requiredDay, str, UsageError, type FlagValues } from '../usage';

const PROGRAM = { program: 'the audit-archive CLI (hold)' };

interface HoldRequestArgs {
  readonly matter: string;
  readonly reference: string;
  readonly reason: string;
}

interface PlaceArgs extends HoldRequestArgs {
  readonly from: Day;
  readonly to: Day;
}

function requiredMatter(values: FlagValues, command: string): string {
  const matter = str(values.matter);
  if (matter === undefined || matter.trim() === '') throw new UsageError('--matter NAME is required', command);
  return matter;
}

/** `hold place --from DAY --to DAY --matter NAME [--reference REF] [--reason TEXT]`. */
export const place = {
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    matter: { type: 'string' },
    reference: { type: 'string' },
    reason: { type: 'string' },
  },
  parse: (values: FlagValues): PlaceArgs => {
    const matter = requiredMatter(values, 'hold place');
    const from = requiredDay(values.from, 'from', 'hold place');
    const to = requiredDay(values.to, 'to', 'hold place');
    if (to < from) throw new UsageError(`--to ${to} is before --from ${from}`, 'hold place');
    return { matter, from, to, reference: str(values.reference) ?? '', reason: str(values.reason) ?? '' };
  },
  run: (args: PlaceArgs, parts: CliParts) =>
    parts.withSession(PROGRAM, async (session) => {
      const result = await placeHold(session.archive, {
        ...request(parts.ctx, session, args),
        from: args.from,
        to: args.to,
      });
      parts.ctx.stdout.write(describePlaced(session.store.url, result).join('\n') + '\n');
      return EXIT_OK;
    }),
} as const;

/** `hold release --matter NAME`: a release ends the whole matter. */
export const release = {
  options: { matter: { type: 'string' } },
  parse: (values: FlagValues): HoldRequestArgs => ({
    matter: requiredMatter(values, 'hold release'),
    reference: '',
    reason: '',
  }),
  run: (args: HoldRequestArgs, parts: CliParts) =>
    parts.withSession(PROGRAM, async (session) => {
      const result = await releaseHold(session.archive, request(parts.ctx, session, args));
      parts.ctx.stdout.write(describeReleased(session.store.url, result).join('\n') + '\n');
      return EXIT_OK;
    }),
} as const;

/** `hold list [--json]`: the matters holding days now, from the archive's signed records. */
export const list = {
  options: { json: { type: 'boolean' } },
  parse: (values: FlagValues) => ({ json: values.json === true }),
  run: (args: { json: boolean }, parts: CliParts) =>
    parts.withSession(PROGRAM, (session) => holdList(parts.ctx, session, args.json)),
} as const;

function request(ctx: CliContext, session: ArchiveSession, args: HoldRequestArgs) {
  return {
    matter: args.matter,
    reference: args.reference,
    reason: args.reason,
    by: holdOfficer(ctx.env),
    toolVersion: TOOL_VERSION,
    settlementMinutes: session.settings.archive.settlementMinutes,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

async function holdList(ctx: CliContext, session: ArchiveSession, json: boolean): Promise<number> {
  const list = await listHolds(session.archive, {
    settlementMinutes: session.settings.archive.settlementMinutes,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (json)
    ctx.stdout.write(JSON.stringify({ archive: list.archive, matters: list.matters, problems: list.problems }) + '\n');
  else ctx.stdout.write(describeList(list).join('\n') + '\n');
  return list.problems.length > 0 ? EXIT_FAILED : EXIT_OK;
}

function describeList(list: HoldList): string[] {
  if (list.refusal !== null)
    return [`${list.archive} is a local folder: it cannot hold anything (holds need S3 Object Lock).`];
  const lines = [
    list.matters.length === 0
      ? `No matter holds anything in ${list.archive}.`
      : `Matters holding days in ${list.archive}:`,
  ];
  for (const m of [...list.matters].sort((a, b) => a.matter.localeCompare(b.matter))) {
    for (const p of m.periods)
      lines.push(
        `  ${m.matter}: ${p.from} to ${p.to}${p.reference ? `, reference ${p.reference}` : ''}, placed ${p.placedAt} by ${p.by}${p.reason ? ` (${p.reason})` : ''}`,
      );
    lines.push(`    ${describeDays(m).join('; ')}`);
  }
  for (const p of list.problems) lines.push(`archive ${p.kind}${p.key ? ` ${p.key}` : ''}: ${p.detail}`);
  return lines;
}

/** What a matter's periods cover, counted against the archive: `holds 2 archived day(s) (… to …); …`. */
function describeDays(m: ListedMatter): string[] {
  const span = (s: DaySpan) => (s.first === s.last ? `${s.first}` : `${s.first} to ${s.last}`);
  return [
    `holds ${m.archived.count} archived day(s)${m.archived.count > 0 ? ` (${span(m.archived)})` : ''}`,
    ...(m.later.count > 0 ? [`${m.later.count} later day(s) (${span(m.later)}) held as they are archived`] : []),
    ...(m.notArchived.count > 0
      ? [`${m.notArchived.count} day(s) not archived (${span(m.notArchived)}): nothing of them to hold`]
      : []),
    ...(m.shared.count > 0 ? [`${m.shared.count} day(s) also held by another matter`] : []),
  ];
}

function describePlaced(url: string, r: HoldResult): string[] {
  return [
    `Held ${r.days.length} archived day(s) of ${url} for '${r.matter}': ${r.versions} object version(s) now have their legal hold ON; record ${r.recordKey} (signed, locked like a manifest).`,
    ...(r.later.length
      ? [
          `${r.later.length} later day(s) of the period (${r.later[0]} to ${r.later.at(-1)}) will be held as they are archived.`,
        ]
      : []),
  ];
}

function describeReleased(url: string, r: HoldResult): string[] {
  return [
    `Released '${r.matter}' in ${url}: ${r.versions} object version(s) had their legal hold turned OFF; record ${r.recordKey} (signed, locked like a manifest).`,
    ...(r.stillHeld.length
      ? [`${r.stillHeld.length} day(s) stay held for other matters (${r.stillHeld[0]} to ${r.stillHeld.at(-1)}).`]
      : []),
    'Released versions stay locked until their retention ends.',
  ];
}
