import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@baton/test-utils';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const modules = {
  '@baton/lock': fileURLToPath(new URL('../src/index.ts', import.meta.url)),
  '@baton/base': createRequire(import.meta.url).resolve('@baton/base'),
};

describe('README', () => {
  it('the example runs as written: leads, writes through the fence, takes the lock, closes', async () => {
    let results = '';
    const run = await runReadmeExample(readme, modules, async (dir) => {
      results = await readFile(join(dir, '.baton', 'probes-demo', 'results.log'), 'utf8');
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^role leader elected 1$/m);
    expect(run.stdout).toMatch(/^task 42 is ours, token 1$/m);
    expect(run.stdout).toMatch(/^role stopped closed/m);
    expect(results).toBe('probes ran\n');
  });
});
