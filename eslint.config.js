import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The TypeScript files linted with type information. */
const TYPED = ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'web/src/**/*.ts', 'web/src/**/*.tsx'];

const QUERY_OUTSIDE_REPOSITORY = "Queries live in repositories: move this one into the area's *.repo.ts (or src/db/) and call it.";
const KYSELY_OUTSIDE_REPOSITORY = { name: 'kysely', message: "Only repositories (*.repo.ts) and src/db/ import kysely: take Db and the row types from src/db/, put the query in the area's repository." };
const NO_DIALECT = { group: ['**/dialects/*', '**/dialects/**'], message: 'The core and the grading engine know no dialect.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'web/dist/**', 'examples/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly', AbortController: 'readonly', URLSearchParams: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Type-aware rules: a promise is awaited, returned or voided on purpose, and never handed to a
  // place that ignores it. Each folder's files are checked with their own tsconfig.json (project
  // service); another folder (web/) joins by adding its globs to TYPED.
  {
    files: TYPED,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  // The layers (README "Architecture"): a dialect reaches data only through core services; the
  // core and the grading engine know no wire format; every query lives in a repository
  // (*.repo.ts) or src/db/. Outside those, no import of kysely (not even a type: Db, RowOf and
  // the other database types come from src/db/) and no query-builder call on a database handle.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/db/**', 'src/**/*.repo.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: 'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|executeQuery)$/]',
        message: QUERY_OUTSIDE_REPOSITORY,
      }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/db/**', 'src/**/*.repo.ts', 'src/dialects/**', 'src/core/**', 'src/grading/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [KYSELY_OUTSIDE_REPOSITORY] }] },
  },
  {
    files: ['src/dialects/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'kysely', message: 'A dialect never touches the database: call a core service.' }],
        patterns: [
          { group: ['**/db/*', '**/db/**'], message: 'A dialect never touches the database: call a core service.' },
          { group: ['**/*.repo.ts', '**/*.repo.js'], message: 'A dialect never imports a repository: call a core service.' },
        ],
      }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/grading/**/*.ts'],
    ignores: ['src/**/*.repo.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [KYSELY_OUTSIDE_REPOSITORY], patterns: [NO_DIALECT] }],
    },
  },
  {
    files: ['src/core/**/*.repo.ts', 'src/grading/**/*.repo.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [NO_DIALECT] }],
    },
  },
);
