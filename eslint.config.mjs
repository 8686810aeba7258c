// Type-aware lint for the TypeScript sources; plain JavaScript (scripts, the sandbox provider,
// config files) gets the JavaScript recommended rules only. `npm run lint` allows no warnings.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['libs/sdk/src/generated/**', 'libs/sdk/dist/**', 'dist/**', 'node_modules/**', '.data/**', '.cache/**', 'coverage/**', 'test-artifacts/**'] },

  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.node },
  },
  {
    // The gateway's UI: browser ES modules.
    files: ['apps/gateway/ui-assets/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.browser },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ignores: ['apps/gateway/ui-assets/**'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'commonjs', globals: globals.node },
  },

  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      // NestJS needs the runtime import of every injected class and DTO for decorator metadata.
      '@typescript-eslint/consistent-type-imports': 'off',
      // Input validators reject control characters on purpose, with character classes like [\x00-\x1f].
      'no-control-regex': 'off',
    },
  },

  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      // Tests may use `any`, and jest's asymmetric matchers (`expect.any(...)`) are typed `any`.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // `expect(service.method).toHaveBeenCalled()` and friends pass methods unbound on purpose.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
