export { makeTempDir, type TempDir } from './tempDir.js';
export { spawnFixture, killAllFixtures, isAlive, type Fixture, type FixtureOptions } from './fixture.js';
export { waitFor, sleep, percentile, freePort, type WaitForOptions } from './wait.js';
export { markdownTable, machineDescription, writeBenchResults, round, importBuilt, type Row } from './bench.js';
export { snapshotResources, leakedSince, expectNoLeaks, type ResourceSnapshot } from './leaks.js';
export { readmeExamples, runExample, runReadmeExample, type ExampleRun } from './readme.js';
export { measureIdle, hasStrace, type IdleCost } from './idle.js';
export { requireEtcd, startEtcdCluster, stopAllEtcdClusters, type EtcdCluster, type EtcdMember } from './etcdCluster.js';
export { addObservedLine, checkLeadership, watchObserved, type BeliefSpans } from './leadership.js';
