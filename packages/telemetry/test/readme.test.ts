import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@baton/test-utils';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const modules = { '@baton/telemetry': fileURLToPath(new URL('../src/index.ts', import.meta.url)) };

describe('README', () => {
  it('the example runs as written: the event is exported before exit', async () => {
    let exported = '';
    const run = await runReadmeExample(readme, modules, async (dir) => {
      exported = await readFile(join(dir, '.baton', 'events.ndjson'), 'utf8');
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // The event added to the batcher reached the file exporter before the process exited.
    expect(exported.trim().split('\n').map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ type: 'worker.crashed', service: 'api', code: 1 })]);
  });
});
