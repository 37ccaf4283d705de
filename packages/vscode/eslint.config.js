import base from '@baton/eslint-config';

export default [
  ...base,
  // Build and end-to-end scripts are command-line programs: they end with an exit code.
  { files: ['scripts/**', 'e2e/**'], rules: { 'no-restricted-syntax': 'off' } },
];
