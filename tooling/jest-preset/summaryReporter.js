// Writes this package's test counts to .test-results/summary.json so the root `pnpm test`
// can print one closing line across all packages (tooling/scripts/run-tests.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export default class SummaryReporter {
  constructor(globalConfig) {
    this._rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const summary = {
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      skipped: results.numPendingTests + results.numTodoTests,
      // A test file that cannot load runs no test but is still a failure.
      failedSuites: results.numRuntimeErrorTestSuites,
      success: results.success,
    };
    const dir = join(this._rootDir, '.test-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary) + '\n');
  }
}
