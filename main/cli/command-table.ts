/**
 * Every `audit-archive` command, by the words that name it, and where its module is. A command's
 * module (main/cli/commands/) exports its `options` (for parseArgs), `parse` (checks the flags
 * before anything is read or opened: bad usage changes nothing) and `run` (on the composition
 * root's parts, main/cli/composition.ts). The dispatcher (main/cli/main.ts) imports a module only
 * when its command runs, so a command loads only what it uses (an export never loads DuckDB,
 * pdfkit or React code). Adding a command: one file under commands/, one line here (a two-word
 * command, `key show`, makes its first word a family), its help text in main/cli/help.ts.
 */
import type { ParseArgsConfig } from 'node:util';
import type { CliParts } from './composition';
import type { CliContext } from './context';
import type { FlagValues } from './usage';

interface CliCommand<Args = unknown> {
  readonly options: NonNullable<ParseArgsConfig['options']>;
  parse(values: FlagValues, ctx: CliContext): Args;
  run(args: Args, parts: CliParts): Promise<number>;
}

/** What a table entry loads, before `parse` and `run` are tied to one Args type. */
interface LoadedCommand {
  readonly options: CliCommand['options'];
  parse(values: FlagValues, ctx: CliContext): unknown;
  run(args: never, parts: CliParts): Promise<number>;
}
type Load = () => Promise<LoadedCommand>;

export const COMMANDS = {
  export: () => import('./commands/export'),
  'catch-up': () => import('./commands/catch-up'),
  status: () => import('./commands/status'),
  verify: () => import('./commands/verify'),
  checkpoint: () => import('./commands/checkpoint'),
  'key show': async () => (await import('./commands/key')).show,
  'key export': async () => (await import('./commands/key')).exportKey,
  'key import': async () => (await import('./commands/key')).importKey,
  'key migrate': async () => (await import('./commands/key')).migrate,
  'key rotate': async () => (await import('./commands/key')).rotate,
  'key replace-lost': async () => (await import('./commands/key')).replaceLost,
  'hold place': async () => (await import('./commands/hold')).place,
  'hold list': async () => (await import('./commands/hold')).list,
  'hold release': async () => (await import('./commands/hold')).release,
  'bucket init': () => import('./commands/bucket-init'),
  demo: () => import('./commands/demo'),
  query: () => import('./commands/query'),
  report: () => import('./commands/report'),
} as const satisfies Record<string, Load>;

type CommandName = keyof typeof COMMANDS;

/** Commands of two words (`key show`, `bucket init`), from the table: each first word and its second words. */
export const FAMILIES: Readonly<Record<string, readonly string[]>> = Object.keys(COMMANDS).reduce<
  Record<string, string[]>
>((families, name) => {
  const [first, second] = name.split(' ');
  if (first && second) (families[first] ??= []).push(second);
  return families;
}, {});

/** The command `argv` names, with the arguments after its name; null when the first word is no command. */
export function commandOf(argv: readonly string[]): { name: CommandName; rest: string[] } | null {
  const [first = '', second = ''] = argv;
  const family = Object.hasOwn(FAMILIES, first) ? FAMILIES[first] : undefined;
  const name = family ? (family.includes(second) ? `${first} ${second}` : null) : first;
  if (name === null || !Object.hasOwn(COMMANDS, name) || (!family && name.includes(' '))) return null;
  return { name: name as CommandName, rest: argv.slice(family ? 2 : 1) };
}

/** The loaded command, typed as the dispatcher uses it: `parse` gives what `run` takes. */
export async function loadCommand(name: CommandName): Promise<CliCommand> {
  return (await COMMANDS[name]()) as unknown as CliCommand;
}
