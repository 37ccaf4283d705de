import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@baton/test-utils';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const modules = { '@baton/supervisor': fileURLToPath(new URL('../src/index.ts', import.meta.url)) };

describe('README', () => {
  it('the example runs as written: starts in order, applies, stops', async () => {
    const run = await runReadmeExample(readme, modules);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    // store is ready before api starts; apply removes api and keeps store; stop ends store.
    expect(lines.indexOf('store starting -> ready')).toBeLessThan(lines.indexOf('api pending -> starting'));
    expect(lines).toContain('api starting -> ready');
    expect(lines).toContain("removed [ 'api' ] unchanged [ 'store' ]");
    expect(lines.at(-1)).toBe('store stopping -> stopped');
  });
});
