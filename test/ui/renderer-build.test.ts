/**
 * The renderer every UI test drives is the production build that ships (main/devweb/renderer-build.ts):
 * built under Vitest, whose NODE_ENV is 'test', Vite would otherwise build React's development
 * bundle, which behaves and performs differently from what an officer runs.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { useRendererAndBrowser } from './chromium';

const ui = useRendererAndBrowser();

it("is React's production build, as the app ships: no development JSX runtime in any script", async () => {
  const assets = path.join(ui.rendererDir, 'assets');
  const scripts = (await readdir(assets)).filter((f) => f.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(0);
  const development: string[] = [];
  for (const file of scripts) {
    const text = await readFile(path.join(assets, file), 'utf8');
    // React's development JSX runtime names itself in every bundle that includes it.
    if (text.includes('jsxDEV') || text.includes('react-jsx-dev-runtime')) development.push(file);
  }
  expect(development).toEqual([]);
});
