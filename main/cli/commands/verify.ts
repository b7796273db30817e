/**
 * `audit-archive verify [--from DAY] [--to DAY] [--full] [--expect-key FP] [--expect-head SEQ[:SHA256]] [--json]`:
 * prove the archive complete and unaltered; with `--copy`, that the second locked copy matches it.
 */
import { formatFingerprint, parseFingerprint } from '../../../shared/archive-root';
import type { ArchiveSession, DayRange } from '../../engine/archive/archive-session';
import { verifySecondCopy } from '../../engine/archive/copy/copy-runs';
import type { VerifyResult } from '../../engine/archive/verify';
import { describeTrust, parseExpectedHead, trustSuffix, type ExpectedHead } from '../../engine/archive/verify-trust';
import type { CliParts } from '../composition';
import type { CliContext } from '../context';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { bar, progressLine } from '../progress';
import { dayRange, UsageError, type FlagValues } from '../usage';

export const options = {
  from: { type: 'string' },
  to: { type: 'string' },
  full: { type: 'boolean' },
  json: { type: 'boolean' },
  copy: { type: 'boolean' },
  'expect-key': { type: 'string' },
  'expect-head': { type: 'string' },
} as const;

interface VerifyArgs {
  readonly range: DayRange;
  readonly full: boolean;
  readonly json: boolean;
  /** `--copy`: check the second locked copy instead. */
  readonly copy: boolean;
  readonly expectKey?: string;
  readonly expectHead?: ExpectedHead;
}

export function parse(values: FlagValues): VerifyArgs {
  const range = dayRange(values, 'verify');
  const expectKey = optionalFingerprint(values['expect-key']);
  const expectHead = optionalExpectedHead(values['expect-head']);
  return {
    range,
    full: values.full === true,
    json: values.json === true,
    copy: values.copy === true,
    ...(expectKey ? { expectKey } : {}),
    ...(expectHead ? { expectHead } : {}),
  };
}

function optionalFingerprint(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const fp = parseFingerprint(String(value));
  if (!fp)
    throw new UsageError(
      `--expect-key must be the 64 hex digits of a key fingerprint (spaces allowed), as \`audit-archive key show\` prints it`,
      'verify',
    );
  return fp;
}

function optionalExpectedHead(value: unknown): ExpectedHead | undefined {
  if (value === undefined) return undefined;
  const head = parseExpectedHead(String(value));
  if (!head)
    throw new UsageError(
      `--expect-head must be a manifest's sequence number, optionally with its SHA-256 (SEQ or SEQ:SHA256), as verify prints the head`,
      'verify',
    );
  return head;
}

export function run(args: VerifyArgs, parts: CliParts): Promise<number> {
  return parts.withSession({}, (session) =>
    args.copy ? verifyCopy(parts.ctx, session, args) : verify(parts.ctx, session, args),
  );
}

async function verify(ctx: CliContext, session: ArchiveSession, args: VerifyArgs): Promise<number> {
  const progress = progressLine(ctx.stderr);
  const result = await session.verify({
    ...args.range,
    full: args.full,
    ...(args.expectKey ? { expectKey: args.expectKey } : {}),
    ...(args.expectHead ? { expectHead: args.expectHead } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (p) => {
      if (ctx.stderr.isTTY && p.phase === 'objects')
        progress.update(`${bar(p.done / Math.max(1, p.total))} ${p.done}/${p.total} checks`);
    },
  });
  progress.done();
  if (args.json) {
    ctx.stdout.write(
      JSON.stringify({ ok: result.ok, problems: result.problems, archive: result.archive, trust: result.trust }) + '\n',
    );
  } else {
    ctx.stdout.write(describeResult(session.store.url, result, args.full));
  }
  return result.ok ? EXIT_OK : EXIT_FAILED;
}

/** `verify --copy`: exit 0 when the copy matches, 1 naming each day and key that does not. */
async function verifyCopy(ctx: CliContext, session: ArchiveSession, args: VerifyArgs): Promise<number> {
  const r = await verifySecondCopy({
    settings: session.settings,
    archive: session.archive,
    env: ctx.env,
    ...args.range,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (args.json) ctx.stdout.write(JSON.stringify(r) + '\n');
  else {
    const span = r.from === null ? 'no days' : `${r.from} to ${r.to}`;
    ctx.stdout.write(
      `${r.ok ? 'COPY MATCHES' : 'COPY PROBLEMS FOUND'}: ${r.copy} (${r.mode} mode) against ${session.store.url}, ${span}, ${r.objectsChecked} objects checked (bytes hashed, locks read).\n`,
    );
    for (const p of r.problems) ctx.stdout.write(`${p.day ?? 'archive'} ${p.kind} ${p.key ?? ''}: ${p.detail}\n`);
  }
  return r.ok ? EXIT_OK : EXIT_FAILED;
}

/** The verdict line, the archive and its key, what trust rests on, then every problem. */
function describeResult(url: string, result: VerifyResult, full: boolean): string {
  const span = result.from === null ? 'no days' : `${result.from} to ${result.to}`;
  // A lost key's restart is never a plain OK: it is in the verdict line itself.
  const restarts = result.problems.filter((p) => p.kind === 'key-restarted').length;
  const verdict = result.ok && restarts > 0 ? `OK, WITH ${restarts} KEY RESTART(S) AFTER A LOST KEY (below)` : 'OK';
  const lines = [
    `${result.ok ? verdict : 'PROBLEMS FOUND'}: ${url}, ${span}, ${result.manifestsChecked} manifests and ${result.objectsChecked} objects checked${full ? ' (full: every object hashed, every event read)' : ''}${trustSuffix(result.trust, result.archive?.head ?? null)}.`,
  ];
  if (result.archive) {
    const a = result.archive;
    const rootKey =
      a.currentKeyFingerprint !== a.keyFingerprint ? ` (root key ${formatFingerprint(a.keyFingerprint)})` : '';
    lines.push(
      `Archive ${a.archiveId} (${a.purpose}), signing key ${formatFingerprint(a.currentKeyFingerprint)}${rootKey}${a.head ? `, head ${a.head.key} (sequence ${a.head.sequence}, SHA-256 ${a.head.sha256})` : ''}.`,
    );
  }
  lines.push(...describeTrust(result.trust, result.archive));
  for (const p of result.problems)
    lines.push(`${p.day ?? 'archive'} ${p.kind}${p.key ? ` ${p.key}` : ''}: ${p.detail}`);
  return lines.map((l) => l + '\n').join('');
}
