/**
 * The young generation of the engine's long commands, capped.
 *
 * V8 sizes its young generation from the machine's memory. On Node 24 with 24 GiB it grows to
 * 128 MB (two 64 MB semi-spaces; Node 20 and 22 grew it to 32 MB under the same allocations), and
 * the exporter, which makes a great deal of short-lived garbage, peaked at 291 MB exporting a
 * 1,000,000-event day instead of about 190 MB (`npm run bench -- archive`). With
 * `--max-semi-space-size=16` it peaked at 197-206 MB for 7-17% more CPU (README, The CLI).
 *
 * The flag only counts on the command line (or NODE_OPTIONS): set from inside a running process it
 * changes nothing (measured). So bin/audit-archive.mjs restarts the commands that read or write whole
 * days with it, in the same process (`process.execve`: Node 22.15+ and 24, on POSIX; elsewhere they
 * run without it). The new process image keeps stdin, stdout and stderr, not other inherited file
 * descriptors. The benchmarks run the engine with it as shipped. A query, status, `--help` and
 * `--version` start without it: they are short, and a second start would cost a query most of its
 * time.
 *
 * Plain Node, no dependency: bin/audit-archive.mjs imports it on every run of the CLI.
 */

/** The flags, for a process that runs the engine's long work. */
export const ENGINE_HEAP_FLAGS = ['--max-semi-space-size=16'];

/** Commands that read or write whole days (their memory is the exporter's or verify's). */
const LONG_COMMANDS = new Set(['export', 'catch-up', 'verify', 'demo', 'report', 'checkpoint']);

/**
 * The flags to start the CLI with for `args` (its arguments after the script), or none: not a long
 * command, only asking for help, or the young generation already set by whoever started Node.
 */
export function engineHeapFlagsFor(args, execArgv = process.execArgv, env = process.env) {
  if (!args.some((a) => LONG_COMMANDS.has(a))) return [];
  if (args.includes('--help') || args.includes('-h')) return [];
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((a) => a.startsWith('--max-semi-space-size') || a.startsWith('--semi-space'))) return [];
  return ENGINE_HEAP_FLAGS;
}
