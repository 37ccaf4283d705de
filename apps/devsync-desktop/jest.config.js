export { default } from '@baton/jest-preset';
