/**
 * `audit-archive --version` and the `--help` of each command, answered without loading the engine.
 *
 * index.ts asks here first and imports main.ts (the dispatcher, which then imports the one command
 * that runs: main/cli/command-table.ts) only when the answer is not one of these. Only the exact forms below are answered; any
 * other argument list goes to `main`, which answers it the same way (test/unit/cli/quick-answers.test.ts
 * compares the two for every form).
 */
import { TOOL_VERSION } from '../engine/archive/tool-version';
import { COMMAND_HELP, MAIN_HELP } from './help';

interface QuickAnswer {
  readonly stdout: string;
  readonly exitCode: number;
}

const HELP_FLAGS = new Set(['--help', '-h']);
const SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = {
  key: ['show', 'export', 'import'],
  bucket: ['init'],
};
const HELP_OF: Readonly<Record<string, string>> = { ...COMMAND_HELP, bucket: COMMAND_HELP['bucket init'] };

/** The answer to `argv` when it only asks for the version or a help text, else null. */
export async function quickAnswer(argv: readonly string[]): Promise<QuickAnswer | null> {
  const [first, second, third] = argv;
  if (argv.length === 1 && (first === '--version' || first === '-v')) {
    return { stdout: `audit-archive ${TOOL_VERSION}\n`, exitCode: 0 };
  }
  if (argv.length === 0 || (argv.length === 1 && (first === 'help' || HELP_FLAGS.has(first ?? '')))) {
    // The settings table is built from the settings schemas: loaded for this text only.
    const { describeSettingsSources } = await import('../engine/settings/cli-config');
    return { stdout: MAIN_HELP + '\n\n' + describeSettingsSources() + '\n', exitCode: first === undefined ? 2 : 0 };
  }
  if (first === undefined || !Object.hasOwn(HELP_OF, first) || first === 'bucket init') return null;
  const help = HELP_OF[first] + '\n';
  const subcommands = SUBCOMMANDS[first];
  if (subcommands && argv.length === 1) return { stdout: help, exitCode: 2 };
  if (argv.length === 2 && HELP_FLAGS.has(second ?? '')) return { stdout: help, exitCode: 0 };
  if (subcommands && argv.length === 3 && subcommands.includes(second ?? '') && HELP_FLAGS.has(third ?? '')) {
    return { stdout: help, exitCode: 0 };
  }
  return null;
}
