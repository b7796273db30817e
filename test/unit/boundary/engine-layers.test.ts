/**
 * The engine's folders depend in one direction (eslint.config.js, ENGINE_LAYERS; docs/ARCHITECTURE.md,
 * Layers), proved to fail on a violation with the project's real ESLint config, and every engine
 * folder has its place in the order.
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** Lints a snippet as if it lived at `filePath`, with the project's real ESLint config. */
async function lintAs(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.message);
}

const importing = (source: string) => `import { x } from '${source}';\nexport const y = x;\n`;

describe('the engine layers', () => {
  it.each([
    ['main/engine/schedule/probe.ts', '../service/app-runtime', 'schedule', 'service'],
    ['main/engine/archive/probe.ts', '../discovery/vouched-objects', 'archive', 'discovery'],
    ['main/engine/archive/stores/probe.ts', '../../reports/archive-copy', 'archive', 'reports'],
    ['main/engine/files/probe.ts', '../archive/archive', 'files', 'archive'],
    ['main/engine/genesys/simulator/probe.ts', '../../archive/export-day', 'genesys', 'archive'],
    ['main/engine/discovery/probe.ts', '../reports/build-report', 'discovery', 'reports'],
  ])('%s importing %s (a layer above) fails the lint', async (file, source, from, to) => {
    const errors = (await lintAs(file, importing(source))).join('\n');
    expect(errors).toContain(`main/engine/${from}/ must not import main/engine/${to}/, a layer above it`);
  });

  it('catches a re-export, a type import and a dynamic import as much as an import', async () => {
    for (const code of [
      "export { x } from '../service/app-runtime';\n",
      "export * from '../service/app-runtime';\n",
      "import type { X } from '../service/app-runtime';\nexport type Y = X;\n",
      "export const m = await import('../service/app-runtime');\n",
    ]) {
      expect((await lintAs('main/engine/archive/probe.ts', code)).join('\n')).toMatch(/a layer above it/);
    }
  });

  it('keeps the entry points out of the engine', async () => {
    for (const source of ['../../cli/main', '../../app/ipc', '../../devweb/serve']) {
      expect((await lintAs('main/engine/service/probe.ts', importing(source))).join('\n')).toMatch(
        /main\/engine\/ imports only itself and shared\//,
      );
    }
  });

  it('lets a layer import its own folder, the layers below it and shared/ (shared/reports is not reports/)', async () => {
    expect(await lintAs('main/engine/service/probe.ts', importing('../archive/archive'))).toEqual([]);
    expect(await lintAs('main/engine/reports/probe.ts', importing('../discovery/vouched-objects'))).toEqual([]);
    expect(await lintAs('main/engine/archive/probe.ts', importing('./assessment'))).toEqual([]);
    expect(await lintAs('main/engine/archive/stores/probe.ts', importing('../../files/write-file-atomically'))).toEqual(
      [],
    );
    expect(await lintAs('main/engine/archive/probe.ts', importing('../../../shared/reports/report-record'))).toEqual(
      [],
    );
    expect(await lintAs('main/engine/archive/probe.ts', importing('node:fs'))).toEqual([]);
  });

  it('names every folder of main/engine in its order, so a new folder must be given a place', async () => {
    const config = path.join(process.cwd(), 'eslint.config.js');
    const { ENGINE_LAYERS } = (await import(pathToFileURL(config).href)) as { ENGINE_LAYERS: string[] };
    const root = path.join(process.cwd(), 'main', 'engine');
    const folders = readdirSync(root).filter((f) => statSync(path.join(root, f)).isDirectory());
    expect([...folders].sort()).toEqual([...ENGINE_LAYERS].sort());
    expect(readdirSync(root).filter((f) => !statSync(path.join(root, f)).isDirectory())).toEqual([]);
  });
});
