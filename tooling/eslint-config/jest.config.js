import preset from '@baton/jest-preset';

export default { ...preset, testMatch: ['<rootDir>/test/**/*.test.js'], transform: {} };
