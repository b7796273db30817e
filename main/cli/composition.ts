/**
 * The CLI's composition root: what a command runs on, built from the global flags once per run and
 * only as far as the command asks. The settings are read once (`--config` < environment < flags,
 * main/engine/settings/cli-config.ts), their warnings printed then; the state folder, the signing
 * key custody, the cache seal and the archive session are made on first use, each from only the
 * fields it needs. Engine modules are imported here on demand, so a command loads only what it uses.
 */
import type { Settings } from '../../shared/settings';
import type { ArchiveSession } from '../engine/archive/archive-session';
import type { CacheSealKey } from '../engine/archive/cache-seal';
import type { CliSigningKeys } from '../engine/archive/key-custody';
import { resolveCliConfig, type CliConfig } from '../engine/settings/cli-config';
import { warn, type CliContext } from './context';
import type { GlobalFlags } from './global-options';

interface SessionOptions {
  /** `--wait SECONDS`: how long to wait for another writer's lease. */
  readonly waitSeconds?: number | undefined;
  /** Who holds the lease, as another writer is told. */
  readonly program?: string;
}

export interface CliParts {
  readonly ctx: CliContext;
  readonly now: () => number;
  /** The settings, read once. */
  settings(): Settings;
  /** The Genesys client secret (environment only). */
  secrets(): CliConfig['secrets'];
  /** `--state-dir`, else $AUDIT_ARCHIVE_STATE_DIR, else the XDG state folder. */
  stateDir(): Promise<string>;
  /** Where the archive's signing key is kept (keychain, key file or environment). */
  keys(): Promise<CliSigningKeys>;
  /** The secret that seals derived data (manifest and discovery caches); null without a home. */
  cacheSealKey(): Promise<CacheSealKey | null>;
  openSession(options?: SessionOptions): Promise<ArchiveSession>;
  /** Runs `use` on an archive session, with the run journal's warnings on stderr, and closes it. */
  withSession(options: SessionOptions, use: (session: ArchiveSession) => Promise<number>): Promise<number>;
}

function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => (made ??= { value: make() }).value;
}

export function cliParts(ctx: CliContext, flags: GlobalFlags): CliParts {
  const now = ctx.now ?? Date.now;
  const config = once(() => {
    const c = resolveCliConfig({
      ...(flags.configPath !== undefined ? { configPath: flags.configPath } : {}),
      env: ctx.env,
      flags: flags.settings,
    });
    for (const w of c.warnings) warn(ctx, w);
    return c;
  });
  const stateDir = once(async () => {
    if (flags.stateDir !== undefined) return flags.stateDir;
    const { defaultStateDir } = await import('../engine/archive/run-journal');
    return defaultStateDir(ctx.env);
  });
  const keys = once(async () => {
    const { CliSigningKeys } = await import('../engine/archive/key-custody');
    const keyFile = config().settings.archive.signingKeyFile;
    return new CliSigningKeys({ env: ctx.env, stateDir: await stateDir(), keyFile });
  });
  // The cache seal's secret lives outside the state folder (cache-seal.ts); without a home, none is kept.
  const cacheSealKey = once(async () => {
    const { cliCacheSealKeyFile, fileCacheSealKey } = await import('../engine/archive/cache-seal');
    const file = cliCacheSealKeyFile(ctx.env);
    return file ? fileCacheSealKey(file) : null;
  });
  const openSession = async (options: SessionOptions = {}): Promise<ArchiveSession> => {
    const { settings, secrets } = config();
    const { openArchiveSession } = await import('../engine/archive/archive-session');
    return openArchiveSession(settings, secrets, {
      env: ctx.env,
      stateDir: await stateDir(),
      keys: await keys(),
      now,
      program: options.program ?? 'the audit-archive CLI',
      cacheSealKey: await cacheSealKey(),
      ...(options.waitSeconds !== undefined ? { leaseWaitMs: options.waitSeconds * 1000 } : {}),
      onWarning: (w) => warn(ctx, w),
    });
  };
  return {
    ctx,
    now,
    settings: () => config().settings,
    secrets: () => config().secrets,
    stateDir,
    keys,
    cacheSealKey,
    openSession,
    withSession: async (options, use) => {
      const session = await openSession(options);
      try {
        // The journal is bookkeeping: its trouble is a warning, and the exit status stays the work's.
        for (const w of session.journal.warnings) journalWarning(ctx, w);
        session.journal.onWarning((w) => journalWarning(ctx, w));
        return await use(session);
      } finally {
        await session.close();
      }
    },
  };
}

/** On a terminal the progress line is cleared first, so the warning stands on its own line. */
function journalWarning(ctx: CliContext, message: string): void {
  ctx.stderr.write(`${ctx.stderr.isTTY ? '\r\x1b[2K' : ''}audit-archive: warning: ${message}\n`);
}
