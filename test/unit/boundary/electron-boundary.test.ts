/**
 * The layer rules the README states, proved to fail on a violation with the project's real ESLint
 * config: Electron only in main/app/, no Node built-in in shared/ or the renderer (bare `fs` as much
 * as `node:fs`), nothing in main/ importing the renderer, raw ipcMain/ipcRenderer only in the
 * preload and the IPC registration file.
 */
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

  it('keeps the engine and the shell away from the renderer', async () => {
    const code = "import { App } from '../../../renderer/app/App';\nexport const a = App;\n";
    expect((await lintAs('main/engine/service/probe.ts', code)).join('\n')).toMatch(
      /main\/ never imports the renderer/,
    );
    expect(
      (
        await lintAs('main/app/probe.ts', "import { App } from '../../renderer/app/App';\nexport const a = App;\n")
      ).join('\n'),
    ).toMatch(/main\/ never imports the renderer/);
  });
});

describe('no Node in shared/ or the renderer', () => {
  it.each([
    ['shared/probe.ts', "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n"],
    ['shared/probe.ts', "import { readFileSync } from 'fs';\nexport const r = readFileSync;\n"],
    ['shared/probe.ts', "import path from 'path';\nexport const p = path;\n"],
    ['renderer/probe.ts', "import { readFile } from 'fs/promises';\nexport const r = readFile;\n"],
    ['renderer/probe.tsx', "import { EventEmitter } from 'events';\nexport const e = EventEmitter;\n"],
  ])('%s importing a built-in (%j) fails the lint', async (file, code) => {
    expect((await lintAs(file, code)).join('\n')).toMatch(/no Node/);
  });

  it('a local module that shares a built-in name is not mistaken for it', async () => {
    expect(await lintAs('renderer/probe.ts', "import { x } from './events';\nexport const y = x;\n")).toEqual([]);
  });

  it('the renderer and shared/ stay away from main/', async () => {
    expect(
      await lintAs(
        'renderer/probe.ts',
        "import { exportDay } from '../main/engine/archive/export-day';\nexport const e = exportDay;\n",
      ),
    ).not.toEqual([]);
    expect(await lintAs('shared/probe.ts', "import { x } from '../main/engine/x';\nexport const y = x;\n")).not.toEqual(
      [],
    );
  });
});

describe('raw IPC only where the contract is wired', () => {
  it.each([
    ['main/app/main.ts', "import { ipcMain } from 'electron';\nipcMain.handle('x', () => 1);\n"],
    ['main/app/tray.ts', "import { ipcRenderer } from 'electron';\nexport const r = ipcRenderer;\n"],
    ['main/app/main.ts', "import * as electron from 'electron';\nelectron.ipcMain.handle('x', () => 1);\n"],
  ])('%s using raw IPC (%j) fails the lint', async (file, code) => {
    expect((await lintAs(file, code)).join('\n')).toMatch(/Raw ipcMain\/ipcRenderer only in/);
  });

  it('the preload and the IPC registration file may use it', async () => {
    expect(
      await lintAs('main/app/preload.ts', "import { ipcRenderer } from 'electron';\nexport const r = ipcRenderer;\n"),
    ).toEqual([]);
    expect(await lintAs('main/app/ipc.ts', "import { ipcMain } from 'electron';\nexport const m = ipcMain;\n")).toEqual(
      [],
    );
  });
});
