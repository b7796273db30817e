/** `audit-archive status [--from DAY] [--to DAY] [--json]`: the archive calendar. */
import type { DayStatus } from '../../../shared/day-status';
import { isFailingProblem } from '../../../shared/verify';
import type { ArchiveSession, DayRange } from '../../engine/archive/archive-session';
import { countStates } from '../../engine/archive/status';
import type { CliParts } from '../composition';
import type { CliContext } from '../context';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { dayRange, type FlagValues } from '../usage';

export const options = {
  from: { type: 'string' },
  to: { type: 'string' },
  json: { type: 'boolean' },
} as const;

interface StatusArgs {
  readonly range: DayRange;
  readonly json: boolean;
}

export function parse(values: FlagValues): StatusArgs {
  return { range: dayRange(values, 'status'), json: values.json === true };
}

export function run(args: StatusArgs, parts: CliParts): Promise<number> {
  return parts.withSession({}, (session) => status(parts.ctx, session, args));
}

async function status(ctx: CliContext, session: ArchiveSession, { range, json }: StatusArgs): Promise<number> {
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
  ctx.stdout.write(monthLines(days));
  ctx.stdout.write(`legend: # archived  . missing  x unrecoverable  ~ pending  ! failed  T tampered\n`);
  for (const d of days.filter((s) => s.state === 'failed' || s.state === 'tampered'))
    ctx.stdout.write(`${d.day} ${d.state}: ${d.error ?? ''}\n`);
  return exit;
}

/** Months at a glance: one character per day. */
const GLYPH: Record<string, string> = {
  archived: '#',
  missing: '.',
  unrecoverable: 'x',
  pending: '~',
  failed: '!',
  tampered: 'T',
  'not-required': ' ',
};

function monthLines(days: readonly DayStatus[]): string {
  const lines: string[] = [];
  let month = '';
  let line = '';
  for (const d of days) {
    const m = d.day.slice(0, 7);
    if (m !== month) {
      if (line) lines.push(line);
      month = m;
      line = `${m} ${' '.repeat(Number(d.day.slice(8)) - 1)}`;
    }
    line += GLYPH[d.state];
  }
  if (line) lines.push(line);
  return lines.map((l) => l + '\n').join('');
}
