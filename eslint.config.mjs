// One lint config for the whole repo, with the package boundary rules of docs/architecture.md.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'crypto',
  'child_process',
  'http',
  'https',
  'net',
  'stream',
  'process',
  'url',
  'util',
  'worker_threads',
]
const frameworksAndDrivers = [
  'express',
  'fastify',
  'react',
  'react-dom',
  'pg',
  'mysql2',
  'ioredis',
  'better-sqlite3',
  'mongodb',
  'amqplib',
  'kafkajs',
  'openai',
  '@anthropic-ai/sdk',
  '@google/genai',
  'pino',
]

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'docs/api/**', 'coverage/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-empty-object-type': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name='only']",
          message: 'Focused tests must not land.',
        },
      ],
    },
  },
  {
    files: ['**/*.test-d.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    files: ['**/*.mjs', 'scripts/**', 'bench/**', 'examples/**'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        fetch: 'readonly',
      },
    },
  },
  {
    // Boundary 1: core's main entry is host-neutral. Node-only code lives in src/node/.
    files: ['packages/core/src/**/*.ts'],
    ignores: [
      'packages/core/src/node/**',
      'packages/core/src/http/**',
      'packages/core/src/cli/**',
      'packages/core/src/**/*.test.ts',
      'packages/core/src/**/*.test-d.ts',
      'packages/core/src/testing/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: nodeBuiltins,
              message: 'Core has no Node imports outside src/node/ (use an injected port).',
            },
            {
              group: frameworksAndDrivers,
              message: 'Core never imports a framework, a driver or a vendor SDK.',
            },
            {
              group: ['hono', 'hono/*', 'jose', '**/http', '**/http/*', '**/http/**'],
              message:
                'Only the @tessera/core/http subpath (src/http/) imports hono, jose or the HTTP surface.',
            },
          ],
        },
      ],
    },
  },
  {
    // The HTTP subpath: Web APIs only, like the main entry; hono and jose are its dependencies.
    files: ['packages/core/src/http/**/*.ts'],
    ignores: ['packages/core/src/http/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: nodeBuiltins,
              message: '@tessera/core/http uses Web APIs only (fetch, crypto.subtle, TextEncoder).',
            },
            {
              group: frameworksAndDrivers,
              message: 'Core never imports a framework, a driver or a vendor SDK.',
            },
          ],
        },
      ],
    },
  },
  {
    // Boundary 2: the designer uses only core's browser-safe subpath.
    files: ['packages/react-designer/src/**/*.{ts,tsx}'],
    ignores: ['packages/react-designer/src/**/*.test.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@tessera/core',
              message: 'Import from @tessera/core/definition (browser-safe) only.',
            },
          ],
          patterns: [
            {
              group: ['@tessera/core/node', '@tessera/core/testing', ...nodeBuiltins],
              message: 'The designer is browser code.',
            },
          ],
        },
      ],
    },
  },
  {
    // Boundary 3: other packages use core's public entry points, as a third party would.
    files: [
      'packages/{agents,connectors,adapters-express,adapters-fastify,react-designer}/src/**/*.{ts,tsx}',
      'examples/**/*.{ts,tsx,mjs}',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/core/src/**',
                '../../core/**',
                '@tessera/core/src/**',
                '@tessera/core/dist/**',
              ],
              message: 'Use the public entry points of @tessera/core.',
            },
          ],
        },
      ],
    },
  },
)
