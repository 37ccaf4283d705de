import globals from 'globals';
import base from '@baton/eslint-config';

export default [
  ...base,
  // The demo page's script runs in the browser.
  { files: ['demo/**'], languageOptions: { globals: { ...globals.browser } } },
];
