/**
 * Entry point of `audit-archive` (bundled into dist/cli by scripts/build.mjs; bin/audit-archive.mjs
 * loads the bundle): answers `--version` and `--help` without loading the engine (quick-answers.ts),
 * else runs `main` with the process's arguments and streams, and turns Ctrl-C / SIGTERM into a clean
 * cancellation. A second Ctrl-C exits at once, and a run that has not stopped STOP_GRACE_MS after the
 * first signal (a read stuck on an unresponsive store or share) exits anyway: `timeout`, systemd and
 * cron send SIGTERM once and expect the process gone. A killed run is safe either way: rerunning
 * finishes the job.
 */
import { quickAnswer } from './quick-answers';

/** How long a run has, after SIGINT or SIGTERM, to stop at a safe point before it exits regardless. */
const STOP_GRACE_MS = 10_000;
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

const controller = new AbortController();
let interrupted = false;
const onSignal = (signal: NodeJS.Signals) => {
  const exitCode = SIGNAL_EXIT[signal] ?? 1;
  if (interrupted) process.exit(exitCode);
  interrupted = true;
  process.stderr.write(
    `\naudit-archive: ${signal}: finishing the current step (at most ${STOP_GRACE_MS / 1000} s); press Ctrl-C again to stop at once.\n`,
  );
  controller.abort();
  setTimeout(() => {
    process.stderr.write(
      `audit-archive: ${signal}: the current step did not finish within ${STOP_GRACE_MS / 1000} s; stopping now (nothing is left half-written: run it again to finish the job).\n`,
    );
    process.exit(exitCode);
  }, STOP_GRACE_MS).unref();
};
// `audit-archive status | head`: the reader left; stop quietly as other Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const argv = process.argv.slice(2);
const quick = await quickAnswer(argv);
if (quick) {
  process.stdout.write(quick.stdout);
  process.exitCode = quick.exitCode;
} else {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await import('./zod-jitless');
  const { main } = await import('./main');
  process.exitCode = await main(argv, {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
  });
}
