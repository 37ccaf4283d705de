import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@baton/test-utils';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const require = createRequire(import.meta.url);
const modules = {
  '@baton/coordinator': fileURLToPath(new URL('../src/index.ts', import.meta.url)),
  '@baton/base': require.resolve('@baton/base'),
};

describe('README', () => {
  it('the example runs as written: leads alone, serves its own call, publishes, runs the leader task, closes', async () => {
    const run = await runReadmeExample(readme, modules);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual(['leader 1 ran on the leader (term 1)', "probe { endpoint: 'api', up: true }", 'results 1 1']);
  });
});
