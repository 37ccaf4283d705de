import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmod, chown, readFile, stat, writeFile } from 'node:fs/promises';
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

  (process.platform === 'win32' ? it.skip : it)('refuses a token file others can read or write, or that is not 64 lowercase hex characters, saying how to fix it', async () => {
    const file = join(tmp.path, 'token');
    const token = await ensureAuthToken(file);
    for (const mode of [0o644, 0o666, 0o640, 0o602]) {
      await chmod(file, mode);
      await expect(readAuthToken(file)).rejects.toThrow(`can be read or written by group or others (mode 0${mode.toString(8)}): any local user could take the token. Run: chmod 600 ${file}`);
      await expect(ensureAuthToken(file)).rejects.toBeInstanceOf(AuthError);
    }
    await chmod(file, 0o600);
    await expect(readAuthToken(file)).resolves.toBe(token);
    // Another user's file (testable as root: given to nobody), however private.
    if (process.getuid?.() === 0) {
      await chown(file, 65534, 65534);
      await expect(readAuthToken(file)).rejects.toThrow(/belongs to uid 65534, not to this user \(uid 0\): another user could have written it/);
      await chown(file, 0, 0);
    }
    // Long enough to pass the old length check, but not the documented format.
    await writeFile(file, `${'A'.repeat(64)}\n`, { mode: 0o600 });
    await expect(readAuthToken(file)).rejects.toThrow(/expected 64 lowercase hex characters, found 64 characters/);
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
