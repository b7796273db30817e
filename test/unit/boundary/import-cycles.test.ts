/**
 * No import cycle between files of main/, shared/ and renderer/ (type imports included: a cycle of
 * types is still two files that cannot be understood, tested or moved apart). Proved to fail on a
 * planted cycle.
 *
 * KNOWN_CYCLES lists the cycles that stand today, each with the part of the project that owns it
 * and is taking it apart; the test fails on any other cycle, and on a listed one that is gone (so
 * the list only shrinks, and nothing is left out silently).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCycles, importGraph, sourceFiles } from './import-graph';

const KNOWN_CYCLES: ReadonlyArray<{ readonly files: readonly string[]; readonly owner: string }> = [];

const ROOT = process.cwd();

function cyclesUnder(root: string, dirs: readonly string[]): string[][] {
  return importCycles(importGraph(sourceFiles(root, dirs))).map((c) =>
    c.map((f) => path.relative(root, f).split(path.sep).join('/')),
  );
}

describe('import cycles', () => {
  it('main/, shared/ and renderer/ have none but the known ones, and every known one still stands', () => {
    const found = cyclesUnder(ROOT, ['main', 'shared', 'renderer']);
    const key = (files: readonly string[]) => [...files].sort().join(' ');
    const known = new Set(KNOWN_CYCLES.map((k) => key(k.files)));
    expect(found.filter((c) => !known.has(key(c)))).toEqual([]);
    const stillThere = new Set(found.map(key));
    expect(KNOWN_CYCLES.filter((k) => !stillThere.has(key(k.files)))).toEqual([]);
  });

  describe('on a planted cycle', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'import-cycles-'));
      await mkdir(path.join(dir, 'main', 'engine', 'archive'), { recursive: true });
      await mkdir(path.join(dir, 'shared'), { recursive: true });
      const files: Record<string, string> = {
        'main/engine/archive/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
        'main/engine/archive/b.ts': "import type { C } from '../../../shared/c';\nexport const b: C = 1;\n",
        'shared/c.ts': "export type C = number;\nexport { a } from '../main/engine/archive/a';\n",
        'main/engine/archive/self.ts': "export const s = () => import('./self');\n",
        'main/engine/archive/alone.ts': "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n",
      };
      for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('finds it, through a type import and a re-export, and a file that imports itself', () => {
      expect(cyclesUnder(dir, ['main', 'shared', 'renderer']).sort()).toEqual([
        ['main/engine/archive/a.ts', 'main/engine/archive/b.ts', 'shared/c.ts'],
        ['main/engine/archive/self.ts'],
      ]);
    });
  });
});
