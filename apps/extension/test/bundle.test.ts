// What ships: the bundles VS Code loads (dist/, made by `pnpm build`) carry none of the end-to-end tests' hooks.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '@baton/test-utils';

const root = fileURLToPath(new URL('..', import.meta.url));
// Strings of the hooks' own code (the release build keeps only a dead `if (false)` where they would load).
const hookMarks = ['BATON_HEALTHWATCH_E2E', 'e2e.counter', 'e2e.ping.'];

describe('bundles', () => {
  it('the release build has none of the test hooks\' code; the end-to-end build has it', async () => {
    const release = readFileSync(`${root}dist/window.cjs`, 'utf8');
    expect(hookMarks.filter((mark) => release.includes(mark))).toEqual([]);
    const tmp = await makeTempDir('healthwatch-bundle-');
    try {
      execFileSync(process.execPath, [`${root}scripts/bundle.mjs`, '--e2e', '--out', tmp.path], { stdio: 'pipe' });
      const e2e = readFileSync(`${tmp.path}/window.cjs`, 'utf8');
      expect(hookMarks.filter((mark) => e2e.includes(mark))).toEqual(hookMarks);
    } finally {
      await tmp.cleanup();
    }
  }, 60_000);
});
