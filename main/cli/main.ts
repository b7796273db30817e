/**
 * `audit-archive`: the headless command for cron, systemd and CI servers, on the same engine as the app.
 *
 * The dispatcher: names the command (main/cli/command-table.ts), answers `--help` and `--version`,
 * parses the flags with the command's own options, and runs it on the composition root's parts
 * (main/cli/composition.ts). A command's module is imported only when that command runs.
 *
 * Exit codes (main/cli/exit-codes.ts): 0 success; 1 a day failed or verification found problems; 2 bad
 * usage or settings (nothing was attempted). Progress goes to stderr, results (`--json`) to stdout.
 */
import { parseArgs } from 'node:util';
import { isAuditArchiveError } from '../../shared/errors';
import { TOOL_VERSION } from '../engine/archive/tool-version';
import { describeSettingsSources } from '../engine/settings/cli-config';
import { commandOf, FAMILIES, loadCommand } from './command-table';
import { cliParts } from './composition';
import type { CliContext } from './context';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitCodeOf } from './exit-codes';
import { GLOBAL_OPTIONS, globalFlagsOf } from './global-options';
import { COMMAND_HELP, MAIN_HELP } from './help';
import { describeParseError, UsageError, type FlagValues } from './usage';

export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    return await run(argv, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.stderr.write(
        `audit-archive: ${e.message}. See \`audit-archive ${e.command ? e.command + ' ' : ''}--help\`.\n`,
      );
      return EXIT_USAGE;
    }
    if (isAuditArchiveError(e)) {
      ctx.stderr.write(`audit-archive: ${e.message} [${e.code}]\n`);
      return exitCodeOf(e.code);
    }
    // Unexpected: say so without a stack (it may carry paths or request details); the message is enough to report.
    ctx.stderr.write(`audit-archive: unexpected error: ${(e as Error)?.message ?? String(e)} [INTERNAL]\n`);
    return EXIT_FAILED;
  }
}

async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const help = helpAnswer(argv);
  if (help) {
    ctx.stdout.write(help.text);
    return help.exitCode;
  }
  const named = commandOf(argv);
  if (!named) throw unknownCommand(argv);
  const command = await loadCommand(named.name);
  let values: FlagValues;
  try {
    const options = { ...GLOBAL_OPTIONS, ...command.options };
    values = parseArgs({ args: named.rest, options, strict: true, allowPositionals: false }).values as FlagValues;
  } catch (e) {
    throw new UsageError(describeParseError(e), named.name);
  }
  if (values.help) {
    ctx.stdout.write(helpOf(named.name) + '\n');
    return EXIT_OK;
  }
  // Arguments are checked before settings are read or anything is opened: bad usage changes nothing.
  const args = command.parse(values, ctx);
  return command.run(args, cliParts(ctx, globalFlagsOf(values)));
}

/** A command's help; a family's (`key`) for each of its commands, or its one command's (`bucket init`). */
function helpOf(name: string): string {
  const help: Readonly<Record<string, string>> = COMMAND_HELP;
  const family = name.split(' ')[0] ?? name;
  return help[name] ?? help[family] ?? help[`${family} ${FAMILIES[family]?.[0] ?? ''}`] ?? MAIN_HELP;
}

/** `--version`, the main help, and a family's help (`key`, `bucket`, alone or with --help); else null. */
function helpAnswer(argv: readonly string[]): { text: string; exitCode: number } | null {
  const [first, second] = argv;
  const helpFlag = (word: string | undefined) => word === '--help' || word === '-h';
  if (first === undefined || helpFlag(first) || first === 'help')
    return {
      text: MAIN_HELP + '\n\n' + describeSettingsSources() + '\n',
      exitCode: first === undefined ? EXIT_USAGE : EXIT_OK,
    };
  if (first === '--version' || first === '-v') return { text: `audit-archive ${TOOL_VERSION}\n`, exitCode: EXIT_OK };
  if (Object.hasOwn(FAMILIES, first) && (second === undefined || helpFlag(second)))
    return { text: helpOf(first) + '\n', exitCode: second === undefined ? EXIT_USAGE : EXIT_OK };
  return null;
}

function unknownCommand(argv: readonly string[]): UsageError {
  const [first = '', second = ''] = argv;
  const family = Object.hasOwn(FAMILIES, first) ? FAMILIES[first] : undefined;
  if (!family) return new UsageError(`unknown command '${first}'`, null);
  const known =
    family.length === 1 ? `only \`${first} ${family[0]}\` exists` : family.map((c) => `${first} ${c}`).join(', ');
  return new UsageError(`unknown ${first} command '${second}' (${known})`, first);
}
