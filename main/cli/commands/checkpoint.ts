/**
 * `audit-archive checkpoint [--wait SECONDS] [--json]`: writes a signed monthly checkpoint for each
 * complete month whose newest checkpoint does not carry the chain's manifests exactly (an archive
 * made before checkpoints existed, or a month changed since). Needs the archive's key, not Genesys.
 */
import type { ArchiveSession } from '../../engine/archive/archive-session';
import type { CheckpointResult } from '../../engine/archive/checkpoint-writer';
import type { CliParts } from '../composition';
import { warn, type CliContext } from '../context';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { optionalInt, type FlagValues } from '../usage';
import { waitNotice } from './write-notices';

export const options = {
  wait: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export interface CheckpointArgs {
  readonly waitSeconds: number | undefined;
  readonly json: boolean;
}

export function parse(values: FlagValues): CheckpointArgs {
  return { waitSeconds: optionalInt(values.wait, 'wait', 'checkpoint', 0, 86_400), json: values.json === true };
}

export function run(args: CheckpointArgs, parts: CliParts): Promise<number> {
  return parts.withSession({ waitSeconds: args.waitSeconds }, (session) => checkpoint(parts.ctx, session, args));
}

async function checkpoint(ctx: CliContext, session: ArchiveSession, args: CheckpointArgs): Promise<number> {
  const readiness = await session.ready();
  for (const w of readiness.warnings) warn(ctx, w);
  const result = await session.checkpoint({
    onWait: waitNotice(ctx),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const exit = result.skipped.length > 0 ? EXIT_FAILED : EXIT_OK;
  if (args.json) {
    ctx.stdout.write(JSON.stringify(result) + '\n');
    return exit;
  }
  ctx.stdout.write(summary(session.store.url, result));
  for (const s of result.skipped) ctx.stderr.write(`checkpoint ${s.month} not written: ${s.reason}\n`);
  return exit;
}

function summary(url: string, r: CheckpointResult): string {
  const lines = r.written.map((w) => `${w.month}  ${w.manifests} manifests  ${w.key}\n`);
  const current = r.current > 0 ? ` ${r.current} complete month(s) already had a current checkpoint.` : '';
  return `${lines.join('')}${url}: ${r.written.length} checkpoint(s) written.${current}\n`;
}
