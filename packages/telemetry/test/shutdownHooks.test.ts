import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllFixtures, makeTempDir, spawnFixture, type TempDir } from '@baton/test-utils';

const fixture = fileURLToPath(new URL('./fixtures/shutdownOnSignal.ts', import.meta.url));
let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await killAllFixtures();
  await tmp.cleanup();
});

describe('installShutdownHooks', () => {
  it('flushes every queued event on SIGTERM, then ends the process by that signal', async () => {
    const path = join(tmp.path, 'events.ndjson');
    const child = spawnFixture(fixture, [path, '5000']);
    await child.waitForLine('ready');
    child.kill('SIGTERM');
    const { signal } = await child.exited;
    expect(signal).toBe('SIGTERM');
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(5000);
    expect(JSON.parse(lines[4999]!)).toEqual({ i: 4999 });
  });
});
