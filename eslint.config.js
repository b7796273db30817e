// @ts-check
import tseslint from 'typescript-eslint';

/**
 * Lint rules that keep the layers honest:
 * - only main/app/ may import 'electron' (the engine is a library the CLI and tests run in plain Node);
 * - shared/ imports neither Node built-ins nor anything from main/ or renderer/;
 * - the renderer reaches the engine only through the typed bridge, never main/ or Node.
 */
const electronOnlyInApp = {
  paths: [{ name: 'electron', message: "Only main/app/ may import 'electron': the engine must run in plain Node." }],
};

const electronDynamicImports = [
  {
    selector: "ImportExpression[source.value='electron']",
    message: "Only main/app/ may import 'electron': the engine must run in plain Node.",
  },
  {
    selector: "CallExpression[callee.name='require'][arguments.0.value='electron']",
    message: "Only main/app/ may require 'electron': the engine must run in plain Node.",
  },
];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'out/', 'coverage/', 'test-results/', '**/*.d.ts'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', electronOnlyInApp],
      // `import('electron')` and `require('electron')` are imports too.
      'no-restricted-syntax': ['error', ...electronDynamicImports],
    },
  },
  {
    files: ['main/app/**/*.ts'],
    rules: { 'no-restricted-imports': 'off', 'no-restricted-syntax': 'off' },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronOnlyInApp,
          patterns: [
            { group: ['node:*'], message: 'shared/ is pure TypeScript: no Node built-ins.' },
            { group: ['**/main/**', '**/renderer/**'], message: 'shared/ depends on nothing else in the project.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronOnlyInApp,
          patterns: [
            { group: ['node:*'], message: 'The renderer has no Node: talk to the engine through the bridge.' },
            { group: ['**/main/**'], message: 'The renderer reaches main only through the typed bridge (shared/ipc).' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'scripts/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
