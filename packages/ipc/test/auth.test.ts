import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllFixtures, makeTempDir, spawnFixture, waitFor, type TempDir } from '@baton/test-utils';
import { AuthError, ensureAuthToken, readAuthToken } from '../src/index.js';

const tokenFixture = fileURLToPath(new URL('./fixtures/token.ts', import.meta.url));

let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await killAllFixtures();
  await tmp.cleanup();
});

describe('ensureAuthToken', () => {
  it('creates 64 hex characters and a newline, 0600, and returns the same token after', async () => {
    const file = join(tmp.path, 'token');
    const token = await ensureAuthToken(file);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(await readFile(file, 'utf8')).toBe(`${token}\n`);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    await expect(ensureAuthToken(file)).resolves.toBe(token);
    await expect(readAuthToken(file)).resolves.toBe(token);
  });

  it('refuses a damaged token file rather than replace it (clients may hold its token)', async () => {
    const file = join(tmp.path, 'token');
    await writeFile(file, 'short\n');
    await expect(ensureAuthToken(file)).rejects.toBeInstanceOf(AuthError);
    expect(await readFile(file, 'utf8')).toBe('short\n');
  });

  it('processes starting together all get the one token on disk, round after round', async () => {
    const racers = Array.from({ length: 4 }, () => spawnFixture(tokenFixture));
    await Promise.all(racers.map((r) => r.waitForLine('ready')));
    const rounds = 40;
    for (let round = 0; round < rounds; round++) {
      const file = join(tmp.path, `token-${round}`);
      for (const r of racers) r.send(`go ${file}`);
    }
    await waitFor(() => racers.every((r) => r.lines.length === rounds + 1), { timeoutMs: 20_000, what: 'every racer to answer every round' });
    for (let round = 0; round < rounds; round++) {
      const file = join(tmp.path, `token-${round}`);
      const onDisk = (await readFile(file, 'utf8')).trim();
      for (const r of racers) expect(r.lines).toContain(`token ${file} ${onDisk}`);
    }
  }, 60_000);
});
