// Type-aware lint. workflows/ runs in Temporal's deterministic sandbox: Node built-ins,
// clocks, randomness and I/O libraries are banned there so a replay can never diverge.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';
import { layerElements, layerPolicies } from './config/layers.js';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

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
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite', 'before', 'after'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      // fastify plugins and route registrars are async by contract even when they await nothing.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The layer graph (config/layers.js), checked on resolved paths, so a file's depth cannot hide an import.
    files: ['**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': layerElements,
      'boundaries/include': ['**/*.ts'],
      'import/resolver': { typescript: { project: './tsconfig.json' } },
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies: layerPolicies }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.flatMap((m) => [
              { name: m, message: 'workflows/ must stay deterministic: no Node built-ins.' },
              { name: `node:${m}`, message: 'workflows/ must stay deterministic: no Node built-ins.' },
            ]),
            { name: '@temporalio/client', message: 'Workflows cannot use the client; use signals or activities.' },
            { name: '@temporalio/worker', message: 'Workflows cannot import the worker.' },
            { name: '@temporalio/activity', message: 'Activities run outside the sandbox.' },
          ],
          // Our own folders are governed by the layer graph above; these are the outside libraries.
          patterns: [
            {
              group: ['kysely', 'pg', 'pino', 'fastify', 'imapflow', 'nodemailer', 'openai', 'twilio', '@sendgrid/*'],
              message: 'workflows/ may depend only on @temporalio/workflow and its own pure helpers.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop.' },
        { name: 'process', message: 'No process access in workflows.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Math'][property.name='random']",
          message: 'Math.random is replaced in the sandbox but forbidden here for clarity; derive IDs from inputs.',
        },
      ],
    },
  },
  {
    // domain/ is the ground floor: pure code, parsers allowed, no network, files, database or Temporal.
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'tls', 'child_process', 'worker_threads']
            .flatMap((m) => [m, `node:${m}`])
            .map((name) => ({ name, message: 'domain/ is pure: no I/O. Put adapters in activities/ or intake/.' })),
          patterns: [
            {
              group: ['pg', 'kysely', 'imapflow', 'nodemailer', 'openai', 'twilio', '@sendgrid/*', '@temporalio/*', 'fastify', 'pino'],
              message: 'domain/ is pure: no I/O libraries, no Temporal.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
