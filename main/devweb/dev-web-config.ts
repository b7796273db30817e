/**
 * What `npm run dev:web` is told from outside, read once by its composition root (serve.ts) and
 * handed to each part as its own typed options: the renderer build gets its folder and whether to
 * watch, the runtime its user-data folder and whether to run the daily job, the server its port.
 *
 * - AUDIT_ARCHIVE_USER_DATA: the user-data folder (default ~/.config/audit-archive-dev);
 * - AUDIT_ARCHIVE_DEV_PORT: the port (default, or anything but a whole number: any free one);
 * - AUDIT_ARCHIVE_RENDERER_DIR: where the renderer is built (default dist/renderer);
 * - `--watch`: rebuild the renderer on every change; `--schedule`: run the daily job too.
 */
import path from 'node:path';
import { DEFAULT_RENDERER_DIR } from './renderer-build';

export interface DevWebConfig {
  readonly userDataDir: string;
  readonly renderer: { readonly dir: string; readonly watch: boolean };
  readonly server: { readonly port: number };
  /** The daily job only with --schedule: tests and developers get no surprise exports. */
  readonly schedule: boolean;
}

export function readDevWebConfig(env: NodeJS.ProcessEnv, argv: readonly string[], homeDir: string): DevWebConfig {
  const port = Number(env.AUDIT_ARCHIVE_DEV_PORT ?? 0);
  return {
    userDataDir: env.AUDIT_ARCHIVE_USER_DATA || path.join(homeDir, '.config', 'audit-archive-dev'),
    renderer: { dir: env.AUDIT_ARCHIVE_RENDERER_DIR || DEFAULT_RENDERER_DIR, watch: argv.includes('--watch') },
    server: { port: Number.isInteger(port) ? port : 0 },
    schedule: argv.includes('--schedule'),
  };
}
