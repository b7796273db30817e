/**
 * `audit-archive key …`: the archive's signing key as an officer handles it. Show its fingerprint,
 * copy it to a second writer machine (export, import), move it out of the state folder where
 * earlier versions kept it (migrate), rotate it, and replace a lost one (replace-lost).
 *
 * Where the private key lives is the CLI's key custody (engine/archive/key-custody.ts): the OS
 * keychain, or the signing key file outside the state folder, or the environment.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { formatFingerprint, parseFingerprint, type ArchivePurpose } from '../../../shared/archive-root';
import { AuditArchiveError } from '../../../shared/errors';
import type { ArchiveSession } from '../../engine/archive/archive-session';
import { TOOL_VERSION } from '../../engine/archive/archive-session';
import { replaceLostSigningKey, rotateSigningKey, type KeyChangeResult } from '../../engine/archive/key-change';
import { migrateStateFolderKeys, stateFolderKeyDir, type CliSigningKeys } from '../../engine/archive/key-custody';
import { currentPublicKey, type KeyEpoch } from '../../engine/archive/key-succession';
import { signingKeyFromPem, signingKeyToPem } from '../../engine/archive/signing';
import type { CliParts } from '../composition';
import type { CliContext } from '../context';
import { str, type FlagValues } from '../usage';

/** What the key commands use of the CLI's context. */
type KeyCommandContext = Pick<CliContext, 'stdout' | 'stderr' | 'signal'>;

/** What an officer records and an examiner checks: the archive's keys, oldest first, and where this installation keeps its own. */
interface ArchiveKeyReport {
  readonly archive: string;
  readonly archiveId: string | null;
  readonly purpose: ArchivePurpose | null;
  /** The key in effect now (what `verify --expect-key` takes), with its public key as SPKI PEM. */
  readonly fingerprint: string | null;
  readonly publicKeyPem: string | null;
  /** The key the root names (the archive's first). */
  readonly rootFingerprint: string | null;
  readonly history: ReadonlyArray<{
    fingerprint: string;
    via: KeyEpoch['via'];
    record: string | null;
    afterSequence: number;
  }>;
  /** Whether this installation holds the current private key (null: its custody could not be asked). */
  readonly held: boolean | null;
  readonly custody: string;
  readonly custodyProblem: string | null;
  /** Private key files an earlier version left in the state folder (never used for a real archive). */
  readonly stateFolderKeys: readonly string[];
}

/**
 * The archive's public signing key (SPKI PEM) and fingerprint, as `key show` prints them, plus the
 * history of keys and whether this installation holds the current one.
 */
async function archiveKeyReport(session: ArchiveSession, keys: CliSigningKeys): Promise<ArchiveKeyReport> {
  const snapshot = await session.archive.read({ scope: 'layout' });
  const { root, keys: history } = snapshot.assessment;
  if (root.status === 'invalid') throw new AuditArchiveError('ARCHIVE_INTEGRITY', `${root.detail} Run verify.`);
  const current = currentPublicKey(history);
  const purpose = root.status === 'ok' ? root.root.purpose : null;
  let held: boolean | null = null;
  let custodyProblem: string | null = null;
  if (current) {
    try {
      held = (await keys.get(current.fingerprint, purpose ?? undefined)) !== null;
    } catch (e) {
      custodyProblem = (e as Error).message;
    }
  }
  return {
    archive: session.store.url,
    archiveId: root.status === 'ok' ? root.root.archiveId : null,
    purpose,
    fingerprint: current?.fingerprint ?? null,
    publicKeyPem: current?.spkiPem ?? null,
    rootFingerprint: root.status === 'ok' ? root.root.signingKey.fingerprint : null,
    history: history.epochs.map((e) => ({
      fingerprint: e.fingerprint,
      via: e.via,
      record: e.record?.key ?? null,
      afterSequence: e.afterSequence,
    })),
    held,
    custody: keys.description,
    custodyProblem,
    stateFolderKeys: await keys.stateFolderKeyFiles(),
  };
}

/** The archive's signing key: its fingerprint (to record) and whether this installation holds it. */
async function keyShow(
  ctx: KeyCommandContext,
  session: ArchiveSession,
  keys: CliSigningKeys,
  json: boolean,
): Promise<number> {
  const report = await archiveKeyReport(session, keys);
  if (json) {
    ctx.stdout.write(JSON.stringify(report) + '\n');
    return report.fingerprint ? 0 : 1;
  }
  if (!report.fingerprint) {
    ctx.stdout.write(`${session.store.url} holds no archive yet: its signing key is created by the first export.\n`);
    return 1;
  }
  const lines = [
    `Archive ${report.archiveId} at ${session.store.url}`,
    `Signing key fingerprint: ${formatFingerprint(report.fingerprint)}`,
  ];
  if (report.history.length > 1) {
    lines.push('Key history (oldest first):');
    for (const e of report.history)
      lines.push(
        `  ${formatFingerprint(e.fingerprint)}  ${e.via === 'root' ? 'named by the root' : `${e.via === 'restart' ? 'RESTART after a lost key' : 'rotation'}, from sequence ${e.afterSequence + 1} (${e.record})`}`,
      );
  }
  lines.push(
    report.held === null
      ? `Whether this installation holds its private key cannot be told: ${report.custodyProblem}`
      : `This installation ${report.held ? 'holds' : 'does NOT hold'} its private key (${report.custody})${report.held ? '' : '; import it with `audit-archive key import --file KEY.pem` to write here'}.`,
    'Record the fingerprint where an examiner can find it; `audit-archive verify --expect-key <fingerprint>` checks it.',
  );
  if (report.purpose === 'production' && report.stateFolderKeys.length > 0)
    lines.push(
      `WARNING: the state folder still holds ${report.stateFolderKeys.length} private key file(s) (${report.stateFolderKeys.join(', ')}), where anyone who holds that folder can read them; a real archive's key is never used from there. Run \`audit-archive key migrate\`.`,
    );
  ctx.stdout.write(lines.join('\n') + '\n');
  return 0;
}

/** The private key as PEM, for a second machine that writes the same archive. */
async function keyExport(
  ctx: KeyCommandContext,
  session: ArchiveSession,
  keys: CliSigningKeys,
  out: string | undefined,
): Promise<number> {
  const report = await archiveKeyReport(session, keys);
  if (!report.fingerprint)
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `${session.store.url} holds no archive yet, so it has no key to export.`,
    );
  const key = await keys.get(report.fingerprint, report.purpose ?? undefined);
  if (!key)
    throw new AuditArchiveError(
      'ARCHIVE_KEY_MISSING',
      `This installation does not hold the key ${formatFingerprint(report.fingerprint)} of ${session.store.url} (looked in ${keys.description}); export it on the machine that holds it.`,
    );
  const pem = signingKeyToPem(key);
  if (out) {
    await writeFile(out, pem, { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
      throw new AuditArchiveError(
        'INVALID_ARGUMENT',
        `Cannot write ${out} (${e.code ?? 'error'}); it must not exist yet. Nothing was written.`,
      );
    });
    ctx.stderr.write(
      `Wrote the private signing key of ${session.store.url} to ${out} (mode 0600). Move it to the other machine and delete it here; anyone holding it can sign manifests for this archive.\n`,
    );
  } else {
    ctx.stdout.write(pem);
    ctx.stderr.write(
      'That is the private signing key: anyone holding it can sign manifests for this archive. Keep it like a password.\n',
    );
  }
  return 0;
}

/** Keeps a key exported elsewhere in this installation's custody, after checking it is the archive's current key. */
async function keyImport(
  ctx: KeyCommandContext,
  session: ArchiveSession,
  keys: CliSigningKeys,
  file: string | undefined,
): Promise<number> {
  if (!file)
    throw new AuditArchiveError('INVALID_ARGUMENT', '--file KEY.pem is required (see `audit-archive key --help`).');
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (e) {
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `Cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`,
    );
  }
  const key = signingKeyFromPem(pem, file);
  const report = await archiveKeyReport(session, keys);
  if (report.fingerprint && report.fingerprint !== key.fingerprint) {
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `${file} holds key ${formatFingerprint(key.fingerprint)}, but ${session.store.url} is signed with ${formatFingerprint(report.fingerprint)} now. Nothing was imported.`,
    );
  }
  await keys.save(key, report.purpose ?? undefined);
  ctx.stderr.write(
    `Imported signing key ${formatFingerprint(key.fingerprint)} into ${keys.custodyDescription}${report.fingerprint ? ` for ${session.store.url}` : ''}. Delete ${file} now.\n`,
  );
  return 0;
}

/** Moves keys earlier versions kept in `<state>/keys/` into custody, and deletes them there. */
async function keyMigrate(ctx: KeyCommandContext, stateDir: string, keys: CliSigningKeys): Promise<number> {
  const moved = await migrateStateFolderKeys(stateDir, keys);
  if (moved.length === 0) {
    ctx.stderr.write(`No private keys in ${stateFolderKeyDir(stateDir)}: nothing to move.\n`);
    return 0;
  }
  for (const m of moved)
    ctx.stderr.write(
      `Moved ${formatFingerprint(m.fingerprint)} from ${m.file} into ${keys.custodyDescription}; deleted ${m.file}.\n`,
    );
  ctx.stderr.write(
    `The state folder held ${moved.length === 1 ? 'this private key' : 'these private keys'} until now. If that folder was ever copied (a backup, a snapshot) or readable by someone who should not sign for the archive, treat the key as exposed: run \`audit-archive key rotate\`.\n`,
  );
  return 0;
}

/** Rotates the archive's key: the current key signs its successor, then is retired from custody. */
async function keyRotate(ctx: KeyCommandContext, session: ArchiveSession, reason: string | undefined): Promise<number> {
  const result = await rotateSigningKey(session.archive, {
    reason: reason ?? '',
    toolVersion: TOOL_VERSION,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  reportChange(ctx, session, result);
  return 0;
}

/** Replaces a lost key: loud, confirmed by the lost key's fingerprint, always reported by verify. */
async function keyReplaceLost(
  ctx: KeyCommandContext,
  session: ArchiveSession,
  opts: { confirmLost: string | undefined; reason: string | undefined },
): Promise<number> {
  const lostKey = opts.confirmLost === undefined ? undefined : parseFingerprint(opts.confirmLost);
  if (!lostKey) {
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      "key replace-lost restarts the archive's chain of keys under a new key that the lost one cannot vouch for: verify will name that restart on every run, for good, and keys recorded before it (--expect-key) no longer vouch for the archive. Use it only when the key in effect is truly lost; if it is merely on another machine, copy it (key export, key import); if it was stolen but you still have it, rotate (key rotate). To go ahead, confirm the lost key by its fingerprint: --confirm-lost <fingerprint from `audit-archive key show`>. Nothing was written.",
    );
  }
  const result = await replaceLostSigningKey(session.archive, {
    lostKey,
    reason: opts.reason ?? '',
    toolVersion: TOOL_VERSION,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  reportChange(ctx, session, result);
  return 0;
}

function reportChange(ctx: KeyCommandContext, session: ArchiveSession, r: KeyChangeResult): void {
  const at = r.afterSequence === null ? 'before its first manifest' : `after sequence ${r.afterSequence}`;
  const lines =
    r.kind === 'rotation'
      ? [
          `Rotated the signing key of ${session.store.url} ${at}: ${formatFingerprint(r.previousKey)} signed its successor in ${r.recordKey} (locked like a manifest).`,
          `New signing key fingerprint: ${formatFingerprint(r.newKey)}`,
          r.retired
            ? 'The old private key was removed from this installation: it signs nothing any more. Remove any other copy of it (another writer machine, AUDIT_ARCHIVE_SIGNING_KEY).'
            : 'Remove every copy of the old private key (another writer machine, AUDIT_ARCHIVE_SIGNING_KEY): it signs nothing any more.',
        ]
      : [
          `RESTARTED the chain of keys of ${session.store.url} ${at}: ${r.recordKey} declares ${formatFingerprint(r.previousKey)} lost and names the new key, signed by the new key itself.`,
          `New signing key fingerprint: ${formatFingerprint(r.newKey)}`,
          'verify names this restart on every run. Manifests up to it stay signed by the lost key and can no longer be extended under it; should the lost key turn up in the wrong hands, nothing it signs later counts.',
        ];
  lines.push(
    `Record the new fingerprint (verify --expect-key ${r.newKey}), and give any second writer machine the new key (key export, key import).`,
    ...r.warnings.map((w) => `warning: ${w}`),
  );
  ctx.stdout.write(lines.join('\n') + '\n');
}

/**
 * The subcommands, each with its options, parse and run (main/cli/command-table.ts names them). Every
 * one but `migrate` runs on an archive session.
 */
export const show = {
  options: { json: { type: 'boolean' } },
  parse: (values: FlagValues) => ({ json: values.json === true }),
  run: async (args: { json: boolean }, parts: CliParts) => {
    const keys = await parts.keys();
    return parts.withSession({}, (session) => keyShow(parts.ctx, session, keys, args.json));
  },
} as const;

export const exportKey = {
  options: { out: { type: 'string' } },
  parse: (values: FlagValues) => ({ out: str(values.out) }),
  run: async (args: { out: string | undefined }, parts: CliParts) => {
    const keys = await parts.keys();
    return parts.withSession({}, (session) => keyExport(parts.ctx, session, keys, args.out));
  },
} as const;

export const importKey = {
  options: { file: { type: 'string' } },
  parse: (values: FlagValues) => ({ file: str(values.file) }),
  run: async (args: { file: string | undefined }, parts: CliParts) => {
    const keys = await parts.keys();
    return parts.withSession({}, (session) => keyImport(parts.ctx, session, keys, args.file));
  },
} as const;

export const migrate = {
  options: {},
  parse: () => ({}),
  run: async (_args: object, parts: CliParts) => keyMigrate(parts.ctx, await parts.stateDir(), await parts.keys()),
} as const;

export const rotate = {
  options: { reason: { type: 'string' } },
  parse: (values: FlagValues) => ({ reason: str(values.reason) }),
  run: (args: { reason: string | undefined }, parts: CliParts) =>
    parts.withSession({}, (session) => keyRotate(parts.ctx, session, args.reason)),
} as const;

export const replaceLost = {
  options: { 'confirm-lost': { type: 'string' }, reason: { type: 'string' } },
  parse: (values: FlagValues) => ({ confirmLost: str(values['confirm-lost']), reason: str(values.reason) }),
  run: (args: { confirmLost: string | undefined; reason: string | undefined }, parts: CliParts) =>
    parts.withSession({}, (session) => keyReplaceLost(parts.ctx, session, args)),
} as const;
