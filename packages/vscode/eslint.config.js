export { default } from '@baton/eslint-config';
