export { makeTempDir, type TempDir } from './tempDir.js';
export { spawnFixture, killAllFixtures, isAlive, type Fixture, type FixtureOptions } from './fixture.js';
export { waitFor, sleep, percentile, type WaitForOptions } from './wait.js';
export { markdownTable, machineDescription, writeBenchResults, round, importBuilt, type Row } from './bench.js';
