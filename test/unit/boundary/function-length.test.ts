/**
 * No function over 80 lines outside the tests (eslint.config.js, `max-lines-per-function`), proved to
 * fail on a violation with the project's real ESLint config, and not to reach the tests themselves.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

async function lintAs(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.message);
}

/** A function of `lines` lines in all, its signature and closing brace included. */
function functionOf(lines: number): string {
  const body = Array.from({ length: lines - 4 }, (_, i) => `  total += ${i};`);
  return ['export function long(): number {', '  let total = 0;', ...body, '  return total;', '}', ''].join('\n');
}

describe('the length of a function', () => {
  it.each(['main/engine/archive/probe.ts', 'shared/probe.ts', 'renderer/probe.tsx', 'test/servers/probe.ts'])(
    'past 80 lines fails the lint in %s',
    async (file) => {
      expect((await lintAs(file, functionOf(81))).join('\n')).toMatch(
        /has too many lines \(81\)\. Maximum allowed is 80/,
      );
      expect(await lintAs(file, functionOf(80))).toEqual([]);
    },
  );

  it('is not limited in a test file, where a describe block is one long function', async () => {
    expect(await lintAs('test/unit/archive/probe.test.ts', functionOf(200))).toEqual([]);
  });
});
