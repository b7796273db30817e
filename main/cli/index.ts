/**
 * Entry point of `audit-archive` (bundled into dist/cli by scripts/build.mjs; bin/audit-archive.mjs
 * loads the bundle): answers `--version` and `--help` without loading the engine (quick-answers.ts),
 * else runs `main` with the process's arguments and streams, and turns Ctrl-C / SIGTERM into a clean
 * cancellation (a second Ctrl-C exits at once; a killed run is safe either way: rerunning finishes
 * the job).
 */
import { quickAnswer } from './quick-answers';

const controller = new AbortController();
let interrupted = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write(`\naudit-archive: ${signal}: finishing the current step; press Ctrl-C again to stop at once.\n`);
  controller.abort();
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
  const { main } = await import('./main');
  process.exitCode = await main(argv, {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
  });
}
