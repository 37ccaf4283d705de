import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { noopLogger } from '@baton/base';
import { makeTempDir, type TempDir } from '@baton/test-utils';
import { LeaseFiles, closeQuietly, type TermRecord } from '../src/leaseFiles.js';

let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await tmp.cleanup();
});

const record = (id: string, token: number): TermRecord => ({ token, id, pid: process.pid, hostname: 'h', since: '' });

/** Two participants' views of one name, as two processes would have. */
async function twoViews(): Promise<[LeaseFiles, LeaseFiles]> {
  const dir = join(tmp.path, 'leader.lock');
  const a = new LeaseFiles(dir, noopLogger, false);
  const b = new LeaseFiles(dir, noopLogger, false);
  await a.ensure();
  return [a, b];
}

async function slotsAt(dir: string, index: number): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith(String(index).padStart(15, '0')));
}

describe('LeaseFiles: one file name per slot index, whatever its kind', () => {
  it('a renewal after a takeover of the same index fails, and the takeover is the term', async () => {
    const [holder, waiter] = await twoViews();
    const term = (await holder.claim(1, record('holder', 1)))!;
    expect(term).toBeDefined();
    // The holder read its clock and was paused; meanwhile the waiter took slot 2 over.
    const taken = await waiter.claim(2, record('waiter', 2));
    expect(taken).toBeDefined();
    expect(holder.renew(2, 1)).toBe('taken');
    expect(await slotsAt(holder.dir, 2)).toHaveLength(1);
    expect(holder.scan()).toMatchObject({ latest: 2, term: 2 });
    expect(holder.readTerm(2)).toMatchObject({ id: 'waiter' });
    closeQuietly(term);
    closeQuietly(taken!);
  });

  it('a takeover after a renewal of the same index fails, and the renewal keeps the term', async () => {
    const [holder, waiter] = await twoViews();
    const term = (await holder.claim(1, record('holder', 1)))!;
    expect(holder.renew(2, 1)).toBe('renewed');
    expect(await waiter.claim(2, record('waiter', 2))).toBeUndefined();
    expect(await slotsAt(holder.dir, 2)).toHaveLength(1);
    expect(JSON.parse(await readFile(join(holder.dir, '000000000000002.slot'), 'utf8'))).toEqual({ kind: 'renew', term: 1 });
    // Every view agrees: slot 2 renews term 1, whose holder still has it locked.
    expect(waiter.scan()).toMatchObject({ latest: 2, term: 1 });
    expect(waiter.isReleased(1)).toBe(false);
    closeQuietly(term);
    expect(waiter.isReleased(1)).toBe(true);
    waiter.close();
  });

  it('two takeovers or two renewals of one index: exactly one succeeds', async () => {
    const [a, b] = await twoViews();
    const first = await a.claim(1, record('a', 1));
    expect(await b.claim(1, record('b', 1))).toBeUndefined();
    expect(a.renew(2, 1)).toBe('renewed');
    expect(b.renew(2, 1)).toBe('taken');
    expect((await readdir(a.dir)).filter((n) => n.endsWith('.slot'))).toEqual(['000000000000001.slot', '000000000000002.slot']);
    closeQuietly(first!);
  });

  it('a slot recreated below the latest (a long-paused process) is removed and means nothing', async () => {
    const [a, b] = await twoViews();
    const first = (await a.claim(1, record('a', 1)))!;
    for (let i = 2; i <= 6; i++) expect(a.renew(i, 1)).toBe('renewed');
    a.prune(1, a.scan());
    expect(await slotsAt(a.dir, 3)).toEqual([]);
    expect(await b.claim(3, record('b', 3))).toBeUndefined();
    expect(b.renew(3, 1)).toBe('taken');
    expect(await slotsAt(a.dir, 3)).toEqual([]);
    expect(a.scan()).toMatchObject({ latest: 6, term: 1 });
    closeQuietly(first);
  });

  it("a holder that prunes late, after another term began, leaves that term's slots alone", async () => {
    const [a, b] = await twoViews();
    const first = (await a.claim(1, record('a', 1)))!;
    expect(a.renew(2, 1)).toBe('renewed');
    // a is paused before it prunes; b takes over at 3 and renews.
    const taken = (await b.claim(3, record('b', 3)))!;
    for (let i = 4; i <= 8; i++) expect(b.renew(i, 3)).toBe('renewed');
    a.prune(1, a.scan());
    expect(await slotsAt(a.dir, 3)).toHaveLength(1);
    expect(b.scan()).toMatchObject({ latest: 8, term: 3 });
    closeQuietly(first);
    closeQuietly(taken);
  });

  it('slots in the earlier `<n>.term` / `<n>.renew` naming count toward the latest index', async () => {
    const [a] = await twoViews();
    await writeFile(join(a.dir, '000000000000007.term'), JSON.stringify({ id: 'old', pid: 1 }));
    await writeFile(join(a.dir, '000000000000008.renew'), '');
    // An empty legacy renewal reads as an unlocked term: the next poll may take over above it.
    expect(a.scan()).toMatchObject({ latest: 8, term: 8 });
    expect(a.isReleased(8)).toBe(true);
    const fd = await a.claim(9, record('a', 9));
    expect(fd).toBeDefined();
    expect(a.scan()).toMatchObject({ latest: 9, term: 9 });
    closeQuietly(fd!);
    a.close();
  });
});

// Windows (Node 20) keeps the name of a file deleted while open until it is closed: `rm -r` of a
// directory whose files these tests hold open fails there (garbage.test.ts has the Windows case).
const removable = process.platform !== 'win32';

describe('LeaseFiles: a directory removed and made again', () => {
  /** rm -r, and make it again as the next process to look would (ensure() is remembered per directory). */
  async function remake(files: LeaseFiles): Promise<void> {
    await rm(files.dir, { recursive: true });
    files.invalidate();
    await files.ensure();
  }

  (removable ? it : it.skip)('a slot index used again is read afresh, not taken from what was read of the old one', async () => {
    const [a, b] = await twoViews();
    const first = (await a.claim(5, record('a', 5)))!;
    expect(a.renew(6, 5)).toBe('renewed');
    expect(b.scan()).toMatchObject({ latest: 6, term: 5 });
    closeQuietly(first);
    await remake(a);
    // Index 6 is a term now, in the new directory (claimed after a look at it).
    a.scan();
    const again = (await a.claim(6, record('a', 6)))!;
    expect(b.scan()).toMatchObject({ latest: 6, term: 6 });
    expect(b.isReleased(6)).toBe(false);
    closeQuietly(again);
  });

  (removable ? it : it.skip)('a term file watched before the removal says nothing of the term at that index after it', async () => {
    const [a, b] = await twoViews();
    const old = (await a.claim(3, record('a', 3)))!;
    expect(b.scan()).toMatchObject({ latest: 3, term: 3 });
    expect(b.isReleased(3)).toBe(false);
    const c = new LeaseFiles(a.dir, noopLogger, false);
    await remake(c);
    const fresh = (await c.claim(3, record('c', 3)))!;
    // The old holder lets go of its (unlinked) file: its lock is free, the new term's is not.
    closeQuietly(old);
    expect(b.generation).toBe(0);
    expect(b.scan()).toMatchObject({ latest: 3, term: 3 });
    expect(b.generation).toBe(1);
    expect(b.isReleased(3)).toBe(false);
    closeQuietly(fresh);
    expect(b.isReleased(3)).toBe(true);
    b.close();
  });

  (removable ? it : it.skip)("a claim decided on the directory before its removal is 'gone' when linked into the one made again, and removed", async () => {
    const [a, c] = await twoViews();
    expect(a.scan()).toMatchObject({ latest: 0 });
    await remake(c);
    expect(await a.claim(1, record('a', 1))).toBeUndefined();
    expect(a.generation).toBe(1);
    expect(await readdir(a.dir)).toEqual([]);
    // Decided afresh, on the new directory: taken.
    expect(a.scan()).toMatchObject({ latest: 0 });
    const fd = (await a.claim(1, record('a', 1)))!;
    expect(fd).toBeDefined();
    closeQuietly(fd);
    a.close();
  });

  (removable ? it : it.skip)("a renewal finds its term's slot gone: 'gone', and its own slot is removed again", async () => {
    const [a] = await twoViews();
    const term = (await a.claim(1, record('a', 1)))!;
    expect(a.renew(2, 1)).toBe('renewed');
    await rm(a.dir, { recursive: true });
    expect(a.renew(3, 1)).toBe('gone');
    a.invalidate();
    await a.ensure();
    expect(a.renew(3, 1)).toBe('gone');
    expect(await readdir(a.dir)).toEqual([]);
    closeQuietly(term);
  });

  it('a reset slot reads as a term that is not released, and above it claims go on', async () => {
    const [a, b] = await twoViews();
    expect(a.reset(8)).toBe(true);
    expect(b.reset(8)).toBe(false);
    expect(b.scan()).toMatchObject({ latest: 8, term: 8, reset: true });
    const fd = (await b.claim(9, record('b', 9)))!;
    expect(a.scan()).toMatchObject({ latest: 9, term: 9, reset: false });
    closeQuietly(fd);
  });
});
