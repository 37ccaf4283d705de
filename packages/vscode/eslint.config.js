import base from '@baton/eslint-config';

export default [
  ...base,
  // Build, benchmark and end-to-end scripts are command-line programs: they end with an exit code.
  { files: ['scripts/**', 'e2e/**', 'bench/**'], rules: { 'no-restricted-syntax': 'off' } },
  // The fake extension host loads extension bundles as VS Code does: CommonJS, with require.
  { files: ['test/fixtures/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
];
