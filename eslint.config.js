// Type-checked rules for library code; tests get the same rules minus the ones that fight
// assertion-heavy code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'packages/*/dist/**', 'packages/*/test/fixtures/**', 'web/dist/**', 'data/**', 'coverage/**', 'test-results/**', 'bench/results/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/no-invalid-void-type': 'off',
      'no-restricted-imports': ['error', { patterns: [{ group: ['agentwire/src/*', 'agentwire/dist/*'], message: 'Import from the public entry points only.' }] }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'packages/*/test/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  {
    // Tests, benchmarks and scripts use the package as a user does: through its `exports`
    // (agentwire, agentwire/server, ...; ssot for packages/ssot). A relative path into src/
    // would test a module users cannot reach and hide a missing export. Repeats the base
    // patterns because a later `no-restricted-imports` replaces the earlier one.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'packages/*/test/**/*.ts', 'packages/*/bench/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['agentwire/src/*', 'agentwire/dist/*'], message: 'Import from the public entry points only.' },
        { regex: '^(\\.\\.?/)+(src|dist)(/|$)', message: 'Tests import public entry points (agentwire, agentwire/server, ..., ssot), not src/: export the missing piece on purpose.' },
      ] }],
    },
  },
  {
    // ssot's public contract is its CLI and the index (audit, fixImports, render*). These unit
    // tests check pipeline stages that stay internal on purpose: the glob compiler, the JSONC
    // reader, the diff, per-file extraction and its worker pool, the CLI argument parser.
    // Exporting them would freeze the pipeline as API. Only these modules; any other src/
    // import from a test still fails.
    files: ['packages/ssot/test/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '^(\\.\\.?/)+src/(?!(cli/args|cli/audit-command|files/glob|files/file-role|files/walk|resolve/jsonc|analysis/prefilter|fix/unified-diff|facts/file-facts|parse/extract-file|parse/extraction-pool)\\.js$)', message: 'Tests import ssot (its public index), not src/: export the missing piece on purpose.' },
        { regex: '^(\\.\\.?/)+dist(/|$)', message: 'Tests import ssot (its public index), not dist/.' },
      ] }],
    },
  },
);
