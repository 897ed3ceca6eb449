// Lint rules: typescript-eslint's recommended set plus a few that keep the codebase honest: no import
// cycles, type-only ones included (STYLE 13), and no promise left floating or passed where a
// callback's result is ignored (type-aware: these rules read the types of the TypeScript project).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import typeImportCycles from './eslint/type-import-cycles.mjs';

export default tseslint.config(
  // test/frontend/client.ts compiles only beside the types its test generates (codegen.test.ts checks it).
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'test/frontend/client.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['error'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX, concord: typeImportCycles },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: {
      // import-x skips type-only imports; concord/no-type-import-cycle reports the cycles those close.
      'import-x/no-cycle': ['error', { maxDepth: '∞' }],
      'concord/no-type-import-cycle': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  { files: ['src/cli/**', 'test/**', 'bench/**', 'docs/examples/**'], rules: { 'no-console': 'off' } },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: globals.node } },
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
