import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@baton/test-utils';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const modules = {
  '@baton/ipc': fileURLToPath(new URL('../src/index.ts', import.meta.url)),
  '@baton/base': createRequire(import.meta.url).resolve('@baton/base'),
};

describe('README', () => {
  it('the example runs as written: request, publish to a subscriber, close', async () => {
    const run = await runReadmeExample(readme, modules);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      'request from window-3 aborted: false',
      "probes { version: 7, api: 'up' }",
      'changed { version: 8 }',
      'connection closed',
    ]);
  });
});
