import { describe, expect, it } from '@jest/globals';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@baton/test-utils';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const modules = { '@baton/base': fileURLToPath(new URL('../src/index.ts', import.meta.url)) };

describe('README', () => {
  it('the example runs as written: writes the state file atomically, private', async () => {
    let written = '';
    let mode = 0;
    const run = await runReadmeExample(readme, modules, async (dir) => {
      const file = join(dir, '.baton', 'my-workspace', 'probes.state.json');
      written = await readFile(file, 'utf8');
      mode = (await stat(file)).mode & 0o777;
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(written)).toEqual({ ok: true });
    if (process.platform !== 'win32') expect(mode).toBe(0o600);
  });
});
