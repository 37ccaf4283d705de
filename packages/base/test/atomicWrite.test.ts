import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { closeSync, constants, openSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllFixtures, makeTempDir, sleep, spawnFixture, type TempDir } from '@baton/test-utils';
import { BatonError, NotDurableError, atomicWriteFaultPoints, isAtomicWriteTempFile, isFileUnchanged, readFileIfExists, writeFileAtomic } from '../src/index.js';
import { windowsRenameRetryMs } from '../src/atomicWrite.js';

const writerFixture = fileURLToPath(new URL('./fixtures/atomicWriter.ts', import.meta.url));
const isRoot = process.getuid?.() === 0;
// Mode bits make a directory unwritable on POSIX only (Windows ignores them; root passes them).
const canMakeUnwritable = !isRoot && process.platform !== 'win32';

let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await killAllFixtures();
  await tmp.cleanup();
});
afterAll(killAllFixtures);

describe('writeFileAtomic', () => {
  it('exclusive: of writers racing to create a file, exactly one wins, the file is whole, no temp file is left', async () => {
    const file = join(tmp.path, 'token');
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((v) => writeFileAtomic(file, v.repeat(64), { exclusive: true })));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? ['abcd'[i]!] : []));
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as BatonError).cause).toMatchObject({ code: 'EEXIST' });
    expect(await readFile(file, 'utf8')).toBe(won[0]!.repeat(64));
    expect(await readdir(tmp.path)).toEqual(['token']);
    await expect(writeFileAtomic(file, 'again', { exclusive: true })).rejects.toBeInstanceOf(BatonError);
    expect(await readFile(file, 'utf8')).toBe(won[0]!.repeat(64));
  });

  it('creates and replaces a file, with mode 0600 by default and no temp file left', async () => {
    const file = join(tmp.path, 'state.json');
    await writeFileAtomic(file, '{"v":1}');
    await writeFileAtomic(file, Buffer.from('{"v":2}'));
    expect(await readFile(file, 'utf8')).toBe('{"v":2}');
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(tmp.path)).toEqual(['state.json']);
  });

  it('writes every byte on both paths: small data in one call, large data off the event loop', async () => {
    const file = join(tmp.path, 'data.bin');
    // Multi-byte characters on both sides of the 64 KiB boundary between the two paths.
    for (const text of ['é'.repeat(32 * 1024 - 1), 'é'.repeat(32 * 1024 + 1), '€'.repeat(700_001)]) {
      await writeFileAtomic(file, text);
      expect(await readFile(file, 'utf8')).toBe(text);
    }
    const bytes = Buffer.alloc(5 * 1024 * 1024 + 3, 7);
    await writeFileAtomic(file, bytes);
    expect((await readFile(file)).equals(bytes)).toBe(true);
    expect(await readdir(tmp.path)).toEqual(['data.bin']);
  });

  it('applies the requested mode exactly, whatever the umask', async () => {
    const file = join(tmp.path, 'shared.txt');
    const previous = process.umask(0o077);
    try {
      await writeFileAtomic(file, 'x', { mode: 0o644 });
    } finally {
      process.umask(previous);
    }
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it('ifUnchanged: replaces the file it read, and leaves one another writer replaced, wrote to or removed since', async () => {
    const file = join(tmp.path, 'field.js');
    await writeFile(file, 'read');
    const read = await stat(file, { bigint: true });
    // Unchanged: replaced.
    await writeFileAtomic(file, 'mine', { ifUnchanged: read, fsync: false });
    expect(await readFile(file, 'utf8')).toBe('mine');
    const mine = await stat(file, { bigint: true });
    const changes: Array<[string, () => Promise<unknown>]> = [
      ['replaced', () => writeFileAtomic(file, 'mine', { fsync: false })],
      ['written to', () => writeFile(file, 'theirs, longer')],
      ['removed', () => rm(file)],
    ];
    let seen = mine;
    for (const [what, change] of changes) {
      expect(isFileUnchanged(file, seen)).toBe(true);
      await change();
      expect(isFileUnchanged(file, seen)).toBe(false);
      const err = await writeFileAtomic(file, 'stale', { ifUnchanged: seen, fsync: false }).catch((e: unknown) => e);
      expect([what, (err as BatonError).code, (err as Error).message]).toEqual([what, 'ECHANGED', `${file} changed since it was read; it was not replaced`]);
      expect(await readdir(tmp.path)).toEqual(what === 'removed' ? [] : ['field.js']);
      if (what !== 'removed') expect(await readFile(file, 'utf8')).not.toBe('stale');
      if (what !== 'removed') seen = await stat(file, { bigint: true });
    }
    await expect(writeFileAtomic(file, 'x', { ifUnchanged: mine, exclusive: true })).rejects.toMatchObject({ code: 'EINVALIDARG' });
  });

  it('fails with a clear error, keeps the old content and removes its temp file', async () => {
    const file = join(tmp.path, 'target');
    await mkdir(file); // renaming a file over a directory fails
    const err = await writeFileAtomic(file, 'new').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatonError);
    expect((err as BatonError).code).toBe('EWRITEFAILED');
    expect((err as Error).message).toContain(file);
    expect(await readdir(tmp.path)).toEqual(['target']);
  });

  it('a failure after the rename (the directory fsync) is ENOTDURABLE, not a failed write: the new content is in place', async () => {
    const file = join(tmp.path, 'target');
    await writeFile(file, 'old');
    atomicWriteFaultPoints.afterRename = () => {
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    };
    try {
      const err = await writeFileAtomic(file, 'new').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotDurableError);
      expect(err).toMatchObject({ code: 'ENOTDURABLE', data: { path: file } });
      expect((err as Error).message).toContain(file);
      expect(await readFile(file, 'utf8')).toBe('new');
      expect(await readdir(tmp.path)).toEqual(['target']);
    } finally {
      delete atomicWriteFaultPoints.afterRename;
    }
  });

  // UV_FS_O_EXLOCK opens with no sharing at all, as a scanner or another runtime's reader may.
  (process.platform === 'win32' ? it : it.skip)('on Windows, a rename over a file held open without delete sharing is retried until the handle is let go', async () => {
    const file = join(tmp.path, 'held.json');
    await writeFile(file, 'old');
    // Defined on Windows only, and not in @types/node.
    const exclusiveLock = (constants as unknown as { UV_FS_O_EXLOCK: number }).UV_FS_O_EXLOCK;
    const fd = openSync(file, constants.O_RDONLY | exclusiveLock);
    const holdMs = 300;
    const released = sleep(holdMs).then(() => closeSync(fd));
    const started = performance.now();
    try {
      await writeFileAtomic(file, 'new');
    } finally {
      await released;
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(holdMs - 50);
    expect(holdMs).toBeLessThan(windowsRenameRetryMs);
    expect(await readFile(file, 'utf8')).toBe('new');
  });

  (process.platform === 'win32' ? it : it.skip)('on Windows, a rename refused for longer than the retry fails with EWRITEFAILED, keeping the old content and no temp file', async () => {
    const file = join(tmp.path, 'held.json');
    await writeFile(file, 'old');
    const exclusiveLock = (constants as unknown as { UV_FS_O_EXLOCK: number }).UV_FS_O_EXLOCK;
    const fd = openSync(file, constants.O_RDONLY | exclusiveLock);
    const started = performance.now();
    try {
      await expect(writeFileAtomic(file, 'new')).rejects.toMatchObject({ code: 'EWRITEFAILED' });
      expect(performance.now() - started).toBeGreaterThanOrEqual(windowsRenameRetryMs - 50);
    } finally {
      closeSync(fd);
    }
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(tmp.path)).toEqual(['held.json']);
  });

  (canMakeUnwritable ? it : it.skip)('reports an unwritable directory without touching the file', async () => {
    const file = join(tmp.path, 'keep.txt');
    await writeFile(file, 'old');
    await chmod(tmp.path, 0o500);
    try {
      await expect(writeFileAtomic(file, 'new')).rejects.toMatchObject({ code: 'EWRITEFAILED' });
    } finally {
      await chmod(tmp.path, 0o700);
    }
    expect(await readFile(file, 'utf8')).toBe('old');
  });

  it('does nothing when the signal is already aborted', async () => {
    const file = join(tmp.path, 'a');
    const c = new AbortController();
    c.abort();
    await expect(writeFileAtomic(file, 'x', { signal: c.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(await readFileIfExists(file)).toBeUndefined();
  });

  it('never leaves a torn file when the writer is SIGKILLed mid-write', async () => {
    const kills = Number(process.env.BATON_ATOMIC_KILLS ?? 40);
    const file = join(tmp.path, 'big.txt');
    const expected = new Set<string>();
    let checked = 0;
    for (let i = 0; i < kills; i++) {
      const writer = spawnFixture(writerFixture, [file, String(256 * 1024)]);
      await writer.waitForLine('writing');
      // Land the kill at a different point of the write cycle each time.
      await sleep(5 + Math.random() * 40);
      writer.kill('SIGKILL');
      await writer.exited;
      const data = await readFileIfExists(file);
      if (!data) continue; // killed before the first rename: no file is a valid outcome
      const text = data.toString('utf8');
      const newline = text.indexOf('\n');
      const digest = text.slice(0, newline);
      const body = text.slice(newline + 1);
      expect(body.length).toBe(256 * 1024);
      expect(createHash('sha256').update(body).digest('hex')).toBe(digest);
      expected.add(body[0]!);
      checked++;
    }
    expect(checked).toBeGreaterThan(kills / 2);
    // Killed writers leave their temp files behind; they are recognisable for cleanup.
    const leftovers = (await readdir(tmp.path)).filter((name) => name !== 'big.txt');
    expect(leftovers.every(isAtomicWriteTempFile)).toBe(true);
  }, 120_000);
});
