// @ts-check
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

/**
 * Lint rules that keep the layers honest, as the README states them:
 * - only main/app/ may import 'electron' (the engine is a library the CLI and tests run in plain Node);
 * - shared/ imports no Node built-in (`fs` as much as `node:fs`) and nothing from main/ or renderer/;
 * - the renderer reaches the engine only through the typed bridge: no Node built-in, nothing from main/;
 * - nothing in main/ imports the renderer;
 * - raw `ipcMain`/`ipcRenderer` only in the preload and the one IPC registration file (main/app/ipc.ts),
 *   so every channel goes through the contract and `dispatch`.
 * - no function over 80 lines outside the tests (`max-lines-per-function`).
 * - inside main/engine/, folders depend in one direction (ENGINE_LAYERS, lowest first): a file imports
 *   its own folder, folders below it and shared/, never a folder above it nor main/app, main/cli or
 *   main/devweb (the entry points sit on the engine, not in it).
 * test/unit/boundary/ proves each rule fails on a violation.
 */
const ELECTRON_ONLY_IN_APP = "Only main/app/ may import 'electron': the engine must run in plain Node.";
const RAW_IPC =
  'Raw ipcMain/ipcRenderer only in main/app/preload.ts and main/app/ipc.ts: add a channel to shared/ipc/contract.ts instead.';

const electron = { name: 'electron', message: ELECTRON_ONLY_IN_APP };
const rawIpc = { name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message: RAW_IPC };

/** Every Node built-in, bare (`fs`, `fs/promises`) and prefixed (`node:fs`), by exact name. */
const nodeBuiltins = (message) => ({
  paths: builtinModules.filter((m) => !m.startsWith('_')).map((name) => ({ name, message })),
  patterns: [{ group: ['node:*'], message }],
});

const notTheRenderer = {
  group: ['**/renderer/**', '**/renderer'],
  message: 'main/ never imports the renderer: the renderer talks to main through the contract, not the other way.',
};

const electronDynamicImports = [
  {
    selector: "ImportExpression[source.value='electron']",
    message: ELECTRON_ONLY_IN_APP,
  },
  {
    selector: "CallExpression[callee.name='require'][arguments.0.value='electron']",
    message: "Only main/app/ may require 'electron': the engine must run in plain Node.",
  },
];

const rawIpcMembers = {
  selector: 'MemberExpression[property.name=/^ipc(Main|Renderer)$/]',
  message: RAW_IPC,
};

/**
 * The engine's folders, lowest first: each may import its own folder and those before it. Worked
 * out from the imports (docs/ARCHITECTURE.md, Layers): files and secrets need nothing; settings
 * needs files; the archive needs genesys, secrets and files; discovery the archive; reports
 * discovery and the archive; the daily schedule the archive and settings; the service everything.
 */
export const ENGINE_LAYERS = [
  'files',
  'secrets',
  'settings',
  'genesys',
  'archive',
  'discovery',
  'reports',
  'schedule',
  'service',
];
const REPO = path.dirname(fileURLToPath(import.meta.url));
const ENGINE = path.join(REPO, 'main', 'engine');
const SHARED = path.join(REPO, 'shared');

/** The engine folder a path lies in ('' for a file directly in main/engine), or null outside the engine. */
function engineFolderOf(file) {
  const rel = path.relative(ENGINE, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const parts = rel.split(path.sep);
  return parts.length > 1 ? parts[0] : '';
}

/** Why an import from `file` to `source` breaks the engine's direction, or null. */
export function engineLayerViolation(file, source) {
  if (typeof source !== 'string' || !source.startsWith('.')) return null;
  const from = engineFolderOf(path.resolve(REPO, file));
  if (from === null) return null;
  const target = path.resolve(path.dirname(path.resolve(REPO, file)), source);
  const to = engineFolderOf(target);
  if (to === null) {
    const rel = path.relative(SHARED, target);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return null;
    return `main/engine/ imports only itself and shared/: ${source} lies outside (the app, the CLI and the dev server sit on the engine, not in it).`;
  }
  if (to === from) return null;
  const [fromRank, toRank] = [ENGINE_LAYERS.indexOf(from), ENGINE_LAYERS.indexOf(to)];
  if (fromRank < 0 || toRank < 0)
    return `main/engine/${from || '.'} and main/engine/${to || '.'}: every engine folder must have a place in ENGINE_LAYERS (eslint.config.js).`;
  if (toRank > fromRank)
    return `main/engine/${from}/ must not import main/engine/${to}/, a layer above it (${ENGINE_LAYERS.join(' < ')}): move what both need down to the layer that owns it.`;
  return null;
}

const engineLayers = {
  rules: {
    direction: {
      meta: { type: 'problem', schema: [], docs: { description: 'Engine folders depend in one direction.' } },
      create(context) {
        const check = (node) => {
          const source = node.source;
          if (!source || source.type !== 'Literal') return;
          const message = engineLayerViolation(path.relative(REPO, context.filename), source.value);
          if (message) context.report({ node: source, message });
        };
        return {
          ImportDeclaration: check,
          ExportNamedDeclaration: check,
          ExportAllDeclaration: check,
          ImportExpression: check,
        };
      },
    },
  },
};

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'out/', 'coverage/', 'test-results/', '**/*.d.ts'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { paths: [electron] }],
      // `import('electron')` and `require('electron')` are imports too.
      'no-restricted-syntax': ['error', ...electronDynamicImports],
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [electron], patterns: [notTheRenderer] }] },
  },
  {
    files: ['main/engine/**/*.ts'],
    plugins: { 'engine-layers': engineLayers },
    rules: { 'engine-layers/direction': 'error' },
  },
  {
    files: ['main/app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [rawIpc], patterns: [notTheRenderer] }],
      'no-restricted-syntax': ['error', rawIpcMembers],
    },
  },
  {
    files: ['main/app/preload.ts', 'main/app/ipc.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [notTheRenderer] }],
      'no-restricted-syntax': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        (() => {
          const builtins = nodeBuiltins('shared/ is pure TypeScript: no Node built-ins.');
          return {
            paths: [electron, ...builtins.paths],
            patterns: [
              ...builtins.patterns,
              { group: ['**/main/**', '**/renderer/**'], message: 'shared/ depends on nothing else in the project.' },
            ],
          };
        })(),
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        (() => {
          const builtins = nodeBuiltins('The renderer has no Node: talk to the engine through the bridge.');
          return {
            paths: [electron, ...builtins.paths],
            patterns: [
              ...builtins.patterns,
              {
                group: ['**/main/**'],
                message: 'The renderer reaches main only through the typed bridge (shared/ipc).',
              },
            ],
          };
        })(),
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'scripts/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // Small functions with explicit dependencies (README, The house): a closure that outgrows 80 lines
    // becomes a module of small ones. Tests are left out (a describe block is one long function).
    files: ['main/**', 'shared/**', 'renderer/**', 'scripts/**', 'bin/**', 'bench/**', 'test/servers/**'],
    rules: { 'max-lines-per-function': ['error', { max: 80, IIFEs: true }] },
  },
);
