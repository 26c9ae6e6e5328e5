// ESLint flat config: typescript-eslint's type-aware recommended rules over the sources, tests, benchmarks and
// examples; formatting is Prettier's job (eslint-config-prettier turns the stylistic rules off). Import cycles and
// the layer rules are checked by dependency-cruiser (.dependency-cruiser.cjs), which sees type-only imports too.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'docs/api/', 'coverage/', 'node_modules/', '.ci/pack-check/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Typed errors only: `throw` a LaserTrimMLError subclass (or rethrow what was caught).
      '@typescript-eslint/only-throw-error': 'error',
      // `typeof import('pg-cursor')` stays allowed: the optional drivers are typed without loading them.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // `fail ? tp++ : fn++` counts; a bare expression that does nothing is still an error.
      '@typescript-eslint/no-unused-expressions': ['error', { allowTernary: true, allowShortCircuit: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Off: an `async` method that implements a Promise-returning seam (MLRepository, the in-memory and JSON
      // repositories) keeps `async` without an `await`, so that a validation throw becomes a rejection, as callers expect.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Published coefficients (Cody, Acklam, Lanczos) are written with the digits their sources print, and the storage
    // tests round-trip doubles written with more digits than a double holds, on purpose.
    files: ['src/core/stats/**/*.ts', 'test/storage/**/*.ts'],
    rules: { 'no-loss-of-precision': 'off' },
  },
  {
    // Tests and benchmarks read JSON and stored rows back and poke at them; `any` from JSON.parse is their daily bread.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', performance: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
  prettier,
);
