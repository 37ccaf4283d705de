import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { makeTempDir, readmeExamples, runExample, type TempDir } from '@baton/test-utils';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const require = createRequire(import.meta.url);
const modules = {
  '@baton/state': fileURLToPath(new URL('../src/index.ts', import.meta.url)),
  '@baton/base': require.resolve('@baton/base'),
  zod: require.resolve('zod'),
};

let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await tmp.cleanup();
});

describe('README', () => {
  it('the example runs as written: updates, sets, appends and reads the log, closes', async () => {
    const [example] = readmeExamples(readme);
    const run = await runExample(example!, tmp.path, modules);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual(['change 1 local 1', 'wrote version 1', 'change 2 local 0', 'event probe.failed next offset 64']);
  });
});
