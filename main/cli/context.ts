/**
 * What every CLI command is given by the entry point (main/cli/index.ts) or a test: the environment,
 * the two output streams, a clock and a cancellation signal. Nothing here loads the engine.
 */
import type { CliStream } from './progress';

export interface CliContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  /** Clock (tests). */
  readonly now?: () => number;
  /** Cancels a running command (the entry point wires SIGINT/SIGTERM to it). */
  readonly signal?: AbortSignal;
}

/** A warning line on stderr; it never changes the exit status. */
export function warn(ctx: CliContext, message: string): void {
  ctx.stderr.write(`audit-archive: warning: ${message}\n`);
}
