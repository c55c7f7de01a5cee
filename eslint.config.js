// Type-aware lint. workflows/ runs in Temporal's deterministic sandbox: Node built-ins,
// clocks, randomness and I/O libraries are banned there so a replay can never diverge.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events',
  'fs', 'fs/promises', 'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline',
  'stream', 'timers', 'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.leadflow/**', '.cache/**', 'histories/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: {
      // node:test's describe/test return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite', 'before', 'after'] }] }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      // fastify plugins and route registrars are async by contract even when they await nothing.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          ...nodeBuiltins.flatMap((m) => [{ name: m, message: 'workflows/ must stay deterministic: no Node built-ins.' },
            { name: `node:${m}`, message: 'workflows/ must stay deterministic: no Node built-ins.' }]),
          { name: '@temporalio/client', message: 'Workflows cannot use the client; use signals or activities.' },
          { name: '@temporalio/worker', message: 'Workflows cannot import the worker.' },
          { name: '@temporalio/activity', message: 'Activities run outside the sandbox.' },
        ],
        patterns: [
          { group: ['../activities/*', '../activities/**'], allowTypeImports: true, message: 'Import activities with `import type` only.' },
          { group: ['../db/*', '../api/*', '../workers/*', '../temporal/*', '../config/*', 'kysely', 'pg', 'pino', 'fastify'], message: 'workflows/ may depend only on @temporalio/workflow and its own pure helpers.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop.' },
        { name: 'process', message: 'No process access in workflows.' }],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Math.random is replaced in the sandbox but forbidden here for clarity; derive IDs from inputs.' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
