import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** Lints a snippet as if it lived at `filePath`, with the project's real ESLint config. */
async function lintAs(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.message);
}

describe('the engine boundary', () => {
  it.each([
    { how: 'a static import', code: "import { app } from 'electron';\nexport const a = app;\n" },
    { how: 'a dynamic import', code: "export const e = await import('electron');\n" },
    {
      how: 'a require',
      code: "// eslint-disable-next-line @typescript-eslint/no-require-imports\nexport const e = require('electron');\n",
    },
  ])('fails the lint when engine code reaches for Electron through $how', async ({ code }) => {
    const errors = await lintAs('main/engine/archive/probe.ts', code);
    expect(errors.join('\n')).toMatch(/Only main\/app\/ may (import|require) 'electron'/);
  });

  it('lets the Electron shell import Electron', async () => {
    const errors = await lintAs('main/app/probe.ts', "import { app } from 'electron';\nexport const a = app;\n");
    expect(errors).toEqual([]);
  });

  it('keeps shared/ free of Node built-ins and the renderer away from main/', async () => {
    expect(await lintAs('shared/probe.ts', "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n")).not.toEqual([]);
    expect(
      await lintAs('renderer/probe.ts', "import { exportDay } from '../main/engine/archive/export-day';\nexport const e = exportDay;\n"),
    ).not.toEqual([]);
  });
});
