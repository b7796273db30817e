// @ts-check
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/**
 * Lint rules that keep the layers honest, as the README states them:
 * - only main/app/ may import 'electron' (the engine is a library the CLI and tests run in plain Node);
 * - shared/ imports no Node built-in (`fs` as much as `node:fs`) and nothing from main/ or renderer/;
 * - the renderer reaches the engine only through the typed bridge: no Node built-in, nothing from main/;
 * - nothing in main/ imports the renderer;
 * - raw `ipcMain`/`ipcRenderer` only in the preload and the one IPC registration file (main/app/ipc.ts),
 *   so every channel goes through the contract and `dispatch`.
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
);
