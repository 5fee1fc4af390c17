// @ts-check
// ESLint 9 flat config.
//
// Besides the usual TypeScript checks, this is where the Temporal workflow sandbox rules
// live: code under workflows/ is replayed from history, so it must be deterministic and
// may not touch I/O. Lint catches a forbidden import at review time instead of as a
// nondeterminism error (or a bundling failure) when the worker starts.
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Every Node built-in, bare (`fs`, `fs/promises`) or `node:`-prefixed. Any `node:` import
// is a built-in, which also covers prefix-only ones (`node:test`, `node:sqlite`).
const nodeBuiltinRegex = `^(?:node:.*|(?:${builtinModules
  .filter((m) => !m.startsWith('node:'))
  .map(escapeRegExp)
  .join('|')}))$`;

// Type-only imports are erased at compile time, so they may come from anywhere
// (`import type * as activities from '...'` is the Temporal idiom).
const workflowImportRules = {
  paths: [],
  patterns: [
    {
      regex: nodeBuiltinRegex,
      allowTypeImports: true,
      message:
        'Workflow code runs in a deterministic sandbox without Node built-ins. Do I/O in an activity; for time use sleep()/condition() from @temporalio/workflow.',
    },
    {
      regex: '^@temporalio/(?:client|worker|activity|testing)(?:/|$)',
      allowTypeImports: true,
      message:
        'Workflows may import only @temporalio/workflow (and @temporalio/common). Call activities through proxyActivities(); import their types with `import type`.',
    },
    {
      regex: '^(?:typeorm|pg)(?:/|$)|^@nestjs/',
      allowTypeImports: true,
      message:
        'No database or Nest code in workflows: it is non-deterministic and not sandbox-safe. Put it in an activity (apps/worker) and call it via proxyActivities().',
    },
    {
      regex:
        '^@steward/(?:persistence|config|devstack|directory|temporal)(?:/|$)|(?:^|/)libs/(?:persistence|config|devstack|directory)(?:/|$)',
      allowTypeImports: true,
      message:
        'This library does I/O or reads the environment. Workflows may use pure code (@steward/domain) and reach the rest through activities.',
    },
    {
      regex: '^uuid(?:/|$)',
      allowTypeImports: true,
      message: 'Use uuid4() from @temporalio/workflow: it is seeded from history, so replay yields the same id.',
    },
  ],
};

const timerMessage = 'Not deterministic on replay. Use sleep() or condition(fn, timeout) from @temporalio/workflow.';

export default defineConfig(
  {
    ignores: ['**/node_modules/**', 'dist/**', 'coverage/**', '.data/**', 'docker/**', 'bench/results/**'],
  },

  tseslint.configs.recommended,

  // Type-aware rules, only for the TypeScript that tsconfig.json covers (the project
  // service needs each linted file to belong to a program). Just the two promise rules:
  // they catch real bugs (an un-awaited worker.run(), an async Express handler) for the
  // cost of one type-check.
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'workflows/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },

  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Logs go through pino (structured, with case and workflow ids).
      'no-console': 'error',
    },
  },

  // Command-line tools print for a person to read.
  {
    files: ['bench/**', 'apps/launcher/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },

  // Plain CommonJS files (tool configs) may use require().
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // The workflow sandbox. Tests of workflows run in Node and drive a worker, so they are exempt.
  {
    files: ['workflows/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', workflowImportRules],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: timerMessage },
        { name: 'setInterval', message: timerMessage },
        { name: 'setImmediate', message: timerMessage },
        {
          name: 'process',
          message: 'No process in the workflow sandbox. Pass configuration in the workflow input or read it in an activity.',
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Use uuid4() from @temporalio/workflow for ids; randomness must come from the workflow context to replay.',
        },
        { object: 'globalThis', property: 'setTimeout', message: timerMessage },
        { object: 'globalThis', property: 'setInterval', message: timerMessage },
        {
          object: 'crypto',
          property: 'randomUUID',
          message: 'Use uuid4() from @temporalio/workflow: it is seeded from history, so replay yields the same id.',
        },
      ],
    },
  },
);
