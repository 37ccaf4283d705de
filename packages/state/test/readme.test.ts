import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@baton/test-utils';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const require = createRequire(import.meta.url);
const modules = {
  '@baton/state': fileURLToPath(new URL('../src/index.ts', import.meta.url)),
  '@baton/base': require.resolve('@baton/base'),
  zod: require.resolve('zod'),
};

describe('README', () => {
  it('the example runs as written: updates, sets, appends and reads the log, closes', async () => {
    const run = await runReadmeExample(readme, modules);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual(['change 1 local 1', 'wrote version 1', 'change 2 local 0', 'event probe.failed next offset 64']);
  });
});
