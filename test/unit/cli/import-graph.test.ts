/**
 * The CLI's files import each other without a cycle (issue 16: the commands once imported their
 * context back from main/cli/main.ts). Every relative import counts, static, dynamic and type-only,
 * read from the sources under main/cli/.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI_DIR = path.resolve('main/cli');

/** The relative imports of `source`: `from '…'`, `import('…')` and `import '…'`. */
function relativeImports(source: string): string[] {
  const found = [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)];
  return found.map((m) => m[1] as string);
}

function resolveImport(from: string, specifier: string): string | null {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return candidate;
  }
  return null;
}

async function cliGraph(): Promise<Map<string, string[]>> {
  const entries = await readdir(CLI_DIR, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = relativeImports(await readFile(file, 'utf8'))
      .map((s) => resolveImport(file, s))
      .filter((t): t is string => t !== null && t.startsWith(CLI_DIR + path.sep));
    graph.set(file, targets);
  }
  return graph;
}

/** Every cycle found by a depth-first walk, as the files around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found.map((c) => c.map((f) => path.relative(CLI_DIR, f)));
}

describe('main/cli imports', () => {
  it('form no cycle', async () => {
    const graph = await cliGraph();
    expect(graph.size).toBeGreaterThan(10);
    expect(cycles(graph)).toEqual([]);
  });

  it('the check finds a cycle when there is one', () => {
    const a = path.join(CLI_DIR, 'a.ts');
    const b = path.join(CLI_DIR, 'b.ts');
    expect(
      cycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts', 'a.ts']]);
  });

  it('reads static, dynamic and type-only imports', () => {
    expect(
      relativeImports(
        "import { x } from './x';\nimport type { Y } from '../y';\nconst z = () => import('./commands/z');\nimport './side';",
      ),
    ).toEqual(['./x', '../y', './commands/z', './side']);
  });
});
