// Shared jest configuration. Packages use it as `export { default } from '@baton/jest-preset'`
// in their jest.config.js, so rootDir is the package directory.
// Jest runs in ESM mode (node --experimental-vm-modules); ts-jest transpiles each file in
// isolation (tsconfig has isolatedModules) and type checking is `pnpm typecheck`'s job.
import { fileURLToPath } from 'node:url';

const summaryReporter = fileURLToPath(new URL('./summaryReporter.js', import.meta.url));

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  // Sources import with `.js` suffixes (NodeNext); map them back to the .ts files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  reporters: ['default', summaryReporter],
  // Multi-process tests spawn real children; per-test budgets are set where they need more.
  testTimeout: 30_000,
  // Real processes and sockets: keep to the two cores we have.
  maxWorkers: process.env.CI ? 2 : '50%',
};
