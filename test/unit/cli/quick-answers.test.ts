/**
 * `--version` and `--help` answered before the engine loads (main/cli/quick-answers.ts) say exactly
 * what `main` says to the same arguments, exit status included, so the fast path can never drift
 * from the real one; and everything else is left to `main`.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_HELP } from '../../../main/cli/help';
import { main } from '../../../main/cli/main';
import { quickAnswer } from '../../../main/cli/quick-answers';

async function viaMain(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const exitCode = await main(argv, {
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { stdout, stderr, exitCode };
}

/** Every command as typed: `key show`, `bucket init`, `export`, ... */
const COMMANDS = [
  ...Object.keys(COMMAND_HELP).filter((c) => c !== 'key'),
  'key show',
  'key export',
  'key import',
  'bucket',
  'key',
];

const ANSWERED: string[][] = [
  [],
  ['--help'],
  ['-h'],
  ['help'],
  ['--version'],
  ['-v'],
  ['key'],
  ['bucket'],
  ...COMMANDS.flatMap((c) => [
    [...c.split(' '), '--help'],
    [...c.split(' '), '-h'],
  ]),
];

describe('audit-archive --version and --help without the engine', () => {
  it.each(ANSWERED.map((argv) => [argv.join(' ') || '(no arguments)', argv]))(
    "`%s` gets main's answer",
    async (_, argv) => {
      const quick = await quickAnswer(argv);
      const real = await viaMain(argv);
      expect(real.stderr).toBe('');
      expect(quick).toEqual({ stdout: real.stdout, exitCode: real.exitCode });
    },
  );

  it('covers every command the main help lists', async () => {
    const help = (await quickAnswer(['--help']))?.stdout ?? '';
    const listed = [...help.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1] as string);
    expect(listed).toEqual(expect.arrayContaining(['export', 'key', 'bucket', 'query', 'report']));
    for (const command of listed) expect(await quickAnswer([command, '--help']), command).not.toBeNull();
  });

  it.each([
    [['export', '--day', '2026-01-01']],
    [['status', '--json', '--help']],
    [['--version', 'status']],
    [['archive-everything', '--help']],
    [['key', 'rotate', '--help']],
    [['bucket', 'init', '--yes']],
  ])('leaves %j to main', async (argv) => {
    expect(await quickAnswer(argv)).toBeNull();
  });
});
