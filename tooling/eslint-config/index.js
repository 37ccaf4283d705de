// Shared flat config. A package's eslint.config.js is `export { default } from '@baton/eslint-config';`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { layerRule } from './layerRule.js';

export const batonPlugin = { rules: { layers: layerRule } };

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.test-results/**', '**/bench/results/**', '**/coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { baton: batonPlugin },
    rules: {
      'baton/layers': 'error',
      // Packages log through an injected pino logger; the CLI writes to process.stdout.
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']",
          message: 'Only apps/orchestrator calls process.exit; throw a BatonError instead.' },
      ],
    },
  },
  {
    files: ['**/test/**', '**/bench/**', '**/*.test.ts'],
    rules: { 'no-restricted-syntax': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
