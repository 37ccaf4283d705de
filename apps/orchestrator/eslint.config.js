import base from '@baton/eslint-config';

export default [
  ...base,
  // The CLI (and its example workers) are the one place in Baton that ends the process with an exit code.
  { files: ['src/cli.ts', 'examples/**'], rules: { 'no-restricted-syntax': 'off' } },
];
