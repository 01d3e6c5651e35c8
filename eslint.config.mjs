// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'cdk.out/**', 'dist/**', 'assets/**', 'coverage/**', '**/*.js', '**/*.d.ts', '!eslint.config.mjs'],
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { project: false },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'error',
      'no-console': ['error', { allow: ['error', 'warn', 'log'] }],
      'eqeqeq': ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
      'curly': ['error', 'multi-line'],
      'no-throw-literal': 'error',
    },
  },
  {
    // Library code reports through errors and annotations, never the console.
    files: ['lib/**/*.ts'],
    ignores: ['lib/**/handlers/**'],
    rules: {
      'no-console': 'error',
    },
  },
);
