import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { getEventListeners } from 'node:events';
import { expectNoLeaks, makeTempDir, snapshotResources, waitFor, type TempDir } from '@baton/test-utils';
import {
  ConflictError,
  CorruptStateError,
  InvalidStateError,
  StateTooLargeError,
  decodeEnvelope,
  encodeEnvelope,
  openLog,
  openStore,
  type ChangeEvent,
  type Store,
  type StoreErrorEvent,
} from '../src/index.js';

let tmp: TempDir;
const stores: Store<unknown>[] = [];
async function open<T>(options: Partial<Parameters<typeof openStore<T>>[0]> & { initial: T }): Promise<Store<T>> {
  const store = await openStore<T>({ dir: tmp.path, name: 'probes', watch: false, ...options });
  stores.push(store as Store<unknown>);
  return store;
}

beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await tmp.cleanup();
});

describe('openStore', () => {
  it('starts from initial at version 0 and writes nothing until asked', async () => {
    const store = await open({ initial: { ok: true } });
    expect(store.get()).toEqual({ ok: true });
    expect(store.version).toBe(0);
    expect(await readdir(tmp.path)).toEqual([]);
  });

  it('writes an envelope with version, writer, checksum and payload, file 0600', async () => {
    const store = await open({ initial: 0, id: 'window-1' });
    await expect(store.set(5)).resolves.toEqual({ value: 5, version: 1 });
    const envelope = JSON.parse(await readFile(store.file, 'utf8'));
    expect(envelope).toMatchObject({ format: 1, version: 1, writer: { id: 'window-1', pid: process.pid }, payload: 5 });
    expect(typeof envelope.checksum).toBe('string');
    expect(typeof envelope.updatedAt).toBe('string');
    if (process.platform !== 'win32') expect((await stat(store.file)).mode & 0o777).toBe(0o600);
  });

  it('applies every update exactly once and settles each after the write', async () => {
    const store = await open({ initial: 0 });
    const results = await Promise.all(Array.from({ length: 100 }, () => store.update((n) => n + 1)));
    expect(store.get()).toBe(100);
    expect(results.map((r) => r.value).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // Queued operations share writes: fewer versions than updates.
    expect(store.version).toBeLessThan(100);
    expect(JSON.parse(await readFile(store.file, 'utf8')).payload).toBe(100);
  });

  it('lets the latest of a burst of sets win', async () => {
    const store = await open({ initial: 'a' });
    const writes = ['b', 'c', 'd'].map((v) => store.set(v));
    await Promise.all(writes);
    expect(store.get()).toBe('d');
    const other = await open({ initial: 'x' });
    expect(other.get()).toBe('d');
  });

  it('sees writes of another store object through refresh, as remote changes in increasing order', async () => {
    const a = await open({ initial: 0 });
    const b = await open({ initial: 0 });
    const seen: ChangeEvent<number>[] = [];
    b.onDidChange((e) => seen.push(e));
    await a.set(1);
    await a.set(2);
    await b.refresh();
    await b.refresh();
    expect(seen.map((e) => [e.version, e.value, e.origin])).toEqual([[2, 2, 'remote']]);
    await a.update((n) => n + 1);
    await b.update((n) => n * 10);
    expect(b.get()).toBe(30);
    // b never read version 3 on its own: it goes from 2 to the version it wrote.
    expect(seen.map((e) => e.version)).toEqual([2, 4]);
  });

  it('rejects a value failing the schema or over maxBytes, writing nothing', async () => {
    const schema = z.object({ count: z.number().int().nonnegative(), note: z.string().optional() });
    const store = await open({ initial: { count: 0 }, schema, maxBytes: 100 });
    await store.set({ count: 1 });
    const before = await readFile(store.file, 'utf8');
    await expect(store.set({ count: -1 })).rejects.toBeInstanceOf(InvalidStateError);
    await expect(store.update(() => ({ count: 1, note: 'x'.repeat(200) }))).rejects.toBeInstanceOf(StateTooLargeError);
    expect(await readFile(store.file, 'utf8')).toBe(before);
    expect(store.get()).toEqual({ count: 1 });
  });

  it('rejects an updater that throws without failing the others in the same write', async () => {
    const store = await open({ initial: 0 });
    const bad = store.update(() => {
      throw new Error('updater failed');
    });
    const good = store.update((n) => n + 1);
    await expect(bad).rejects.toThrow('updater failed');
    await expect(good).resolves.toMatchObject({ value: 1 });
  });

  it('fails with ECONFLICT when the write lock stays taken past the retry budget', async () => {
    const store = await open({ initial: 0 });
    const { lockFile } = await import('@baton/base');
    const release = (await lockFile(join(tmp.path, 'probes.state.lock'), { attempts: 1 }))!;
    try {
      const err = await store.set(1, { retries: 3 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).code).toBe('ECONFLICT');
    } finally {
      release();
    }
    await expect(store.set(2)).resolves.toMatchObject({ version: 1 });
  });

  it('calls onDidChange in another store through the directory watch', async () => {
    const a = await open({ initial: 0 });
    const b = await open({ initial: 0, watch: 'auto' });
    const seen: number[] = [];
    b.onDidChange((e) => seen.push(e.version));
    await a.set(42);
    await waitFor(() => seen.includes(1), { what: 'the watch to fire' });
    expect(b.get()).toBe(42);
  });

  it('reads on notifyChanged (the IPC push hook) only when the version is newer', async () => {
    const a = await open({ initial: 0 });
    const b = await open({ initial: 0 });
    await a.set(1);
    b.notifyChanged(0);
    await b.refresh();
    expect(b.version).toBe(1);
    await a.set(2);
    b.notifyChanged(2);
    await waitFor(() => b.version === 2);
  });
});

describe('bad data on disk', () => {
  async function seed(payload: unknown, version = 3) {
    const file = join(tmp.path, 'probes.state.json');
    await writeFile(file, encodeEnvelope(JSON.stringify(payload), version, { id: 'seed', pid: 1 }));
    return file;
  }

  const cases: [string, (text: string) => string, string][] = [
    ['corrupt JSON', (t) => t.slice(0, t.length / 2), 'json'],
    ['a bad checksum', (t) => t.replace('"payload":{"ok":1}', '"payload":{"ok":2}'), 'checksum'],
    ['an unknown format', (t) => t.replace('"format":1', '"format":9'), 'format'],
    ['an empty file', () => '', 'json'],
  ];
  for (const [what, damage, reason] of cases) {
    it(`${what}: keeps the last good value, reports it, keeps .bak, and never overwrites good data`, async () => {
      const file = await seed({ ok: 1 });
      const a = await open({ initial: { ok: 0 } });
      await a.set({ ok: 1 }); // version 4, and .bak holds version 3
      const errors: StoreErrorEvent[] = [];
      a.onDidError((e) => errors.push(e));
      await writeFile(file, damage(await readFile(file, 'utf8')));
      await a.refresh();
      await a.refresh();
      expect(a.get()).toEqual({ ok: 1 });
      expect(errors).toHaveLength(1);
      expect(errors[0]!.error).toBeInstanceOf(CorruptStateError);
      expect((errors[0]!.error as CorruptStateError).reason).toBe(reason);
      expect(errors[0]!.error.message).toContain(file);
      // A fresh open recovers from .bak rather than starting over.
      const b = await open({ initial: { ok: -1 } });
      expect(b.get()).toEqual({ ok: 1 });
      expect(b.version).toBeGreaterThan(4 - 1);
      expect(JSON.parse(await readFile(file, 'utf8')).payload).toEqual({ ok: 1 });
      expect((await readdir(tmp.path)).some((n) => n.includes('.corrupt-'))).toBe(true);
    });
  }

  it('a payload failing the schema is refused on read', async () => {
    await seed({ count: 'many' });
    const errors: StoreErrorEvent[] = [];
    const store = await openStore({ dir: tmp.path, name: 'probes', initial: { count: 0 }, schema: z.object({ count: z.number() }), watch: false });
    stores.push(store as Store<unknown>);
    store.onDidError((e) => errors.push(e));
    expect(store.get()).toEqual({ count: 0 });
    await store.refresh();
    // Reported once at open (before the listener) and not again for the same file.
    expect(errors).toHaveLength(0);
    await expect(store.set({ count: 2 })).resolves.toMatchObject({ version: 4 });
  });

  it('a file over maxBytes is refused', async () => {
    await seed({ big: 'x'.repeat(5000) });
    const store = await open({ initial: { big: '' }, maxBytes: 1000 });
    expect(store.get()).toEqual({ big: '' });
    expect(() => decodeEnvelope(Buffer.alloc(5000, 32), 'f', 1000, undefined)).toThrow(/over the 1000-byte limit/);
  });
});

describe('dispose()', () => {
  for (const watch of ['auto', 'poll'] as const) {
    it(`releases what close() releases (${watch}): no timer, watcher, descriptor or listener left; later writes refused`, async () => {
      const before = snapshotResources();
      const controller = new AbortController();
      const store = await openStore<number>({ dir: tmp.path, name: `disposed-${watch}`, initial: 0, watch, signal: controller.signal });
      await store.set(1);
      store.dispose();
      await expectNoLeaks(before);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      await expect(store.set(2)).rejects.toMatchObject({ code: 'EINVALIDARG' });
    });
  }

  it('an EventLog: closes its file and watcher', async () => {
    const before = snapshotResources();
    const log = await openLog<{ n: number }>({ dir: tmp.path, name: 'disposed' });
    await log.append({ n: 1 });
    log.dispose();
    await expectNoLeaks(before);
  });
});
