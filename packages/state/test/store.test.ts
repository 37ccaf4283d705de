import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { getEventListeners } from 'node:events';
import { atomicWriteFaultPoints, type Logger } from '@baton/base';
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
  type Recovery,
  type Store,
  type StoreErrorEvent,
} from '../src/index.js';
import { storeFaultPoints } from '../src/store.js';

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
  delete atomicWriteFaultPoints.beforeRename;
  delete atomicWriteFaultPoints.afterRename;
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

  it('applies every update exactly once and resolves each with exactly what was written at its version', async () => {
    const store = await open({ initial: 0 });
    const written = new Map<number, number>();
    store.onDidChange(({ version, value }) => written.set(version, value));
    const results = await Promise.all(Array.from({ length: 100 }, () => store.update((n) => n + 1)));
    expect(store.get()).toBe(100);
    // Queued operations share writes: fewer versions than updates.
    expect(written.size).toBeLessThan(100);
    expect(written.size).toBeGreaterThan(1);
    for (const { version, value } of results) expect(value).toBe(written.get(version));
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

/** A logger that keeps what is logged at error level. */
function errorLog(into: { obj: Record<string, unknown>; msg?: string }[]): Logger {
  const noop = () => {};
  const logger: Logger = { trace: noop, debug: noop, info: noop, warn: noop, error: (obj, msg) => into.push({ obj: obj as Record<string, unknown>, msg }), child: () => logger };
  return logger;
}

describe('bad data on disk', () => {
  const mainFile = () => join(tmp.path, 'probes.state.json');
  const bakFile = () => join(tmp.path, 'probes.state.json.bak');
  async function seed(payload: unknown, version = 3, file = mainFile()) {
    await writeFile(file, encodeEnvelope(JSON.stringify(payload), version, { id: 'seed', pid: 1 }));
    return file;
  }
  /** The next atomic write of `file` fails with EIO at fault point `point`, once. */
  const failOnce = (point: 'beforeRename' | 'afterRename', file: string, syscall: string) => {
    atomicWriteFaultPoints[point] = (path) => {
      if (path !== file) return;
      delete atomicWriteFaultPoints[point];
      throw Object.assign(new Error(`EIO: i/o error, ${syscall}`), { code: 'EIO' });
    };
  };
  const aside = async () => (await readdir(tmp.path)).filter((n) => n.includes('.corrupt-'));
  const damages: [string, (text: string) => string, string][] = [
    ['corrupt JSON', (t) => t.slice(0, t.length / 2), 'json'],
    ['a bad checksum', (t) => t.replace('"payload":{"ok":4}', '"payload":{"ok":5}'), 'checksum'],
    ['an empty file', () => '', 'json'],
  ];

  for (const [what, damage, reason] of damages) {
    it(`${what}: reported; the last acknowledged write is recovered from .bak under a new version, in every store`, async () => {
      await seed({ ok: 1 });
      const a = await open({ initial: { ok: 0 } });
      await a.set({ ok: 4 }); // version 4, the last acknowledged write
      const errors: StoreErrorEvent[] = [];
      const recoveries: Recovery[] = [];
      a.onDidError((e) => errors.push(e));
      a.onDidRecover((r) => recoveries.push(r));
      await writeFile(mainFile(), damage(await readFile(mainFile(), 'utf8')));

      // A fresh open recovers version 4's value (not 3's) as version 5, and says so.
      const logged: { obj: Record<string, unknown>; msg?: string }[] = [];
      const b = await open({ initial: { ok: -1 }, logger: errorLog(logged) });
      expect(b.get()).toEqual({ ok: 4 });
      expect(b.version).toBe(5);
      expect(b.recovery).toMatchObject({ reason: 'corrupt', source: 'backup', fromVersion: 4, highestVersion: 4, version: 5 });
      expect(b.recovery!.movedAside).toContain('.corrupt-');
      expect(await aside()).toHaveLength(1);
      expect(decodeEnvelope(await readFile(mainFile()), 'f', 1 << 20, undefined)).toMatchObject({ version: 5, payload: { ok: 4 } });

      // The running store learns of it from the file, as an event it cannot miss.
      await a.refresh();
      expect(a.version).toBe(5);
      expect(recoveries).toEqual([expect.objectContaining({ reason: 'corrupt', version: 5 })]);
      // b logged the damaged file and the recovery at error level; a never saw the damaged file
      // (b had moved it aside), only the recovery.
      expect(logged.map((l) => l.msg)).toEqual(['bad state file; keeping the last good value', expect.stringContaining('state recovered (corrupt)')]);
      expect((logged[0]!.obj.err as CorruptStateError).reason).toBe(reason);
      expect(errors).toEqual([]);
    });
  }

  it('a running store repairs a damaged file itself on its next read, and reports it once', async () => {
    const a = await open({ initial: { ok: 0 } });
    await a.set({ ok: 4 });
    const errors: StoreErrorEvent[] = [];
    const recoveries: Recovery[] = [];
    a.onDidError((e) => errors.push(e));
    a.onDidRecover((r) => recoveries.push(r));
    await writeFile(mainFile(), 'garbage');
    await a.refresh();
    await a.refresh();
    expect(errors).toHaveLength(1);
    expect((errors[0]!.error as CorruptStateError).reason).toBe('json');
    expect(errors[0]!.error.message).toContain(mainFile());
    expect(recoveries).toEqual([expect.objectContaining({ reason: 'corrupt', source: 'backup', fromVersion: 1, version: 2 })]);
    expect(decodeEnvelope(await readFile(mainFile()), 'f', 1 << 20, undefined).payload).toEqual({ ok: 4 });
  });

  it('main file and .bak both damaged: openStore fails with ECORRUPT and overwrites nothing', async () => {
    await seed({ ok: 1 }, 7);
    await writeFile(mainFile(), '{"format":1,"version":7,"payl');
    await seed({ ok: 1 }, 6, bakFile());
    await writeFile(bakFile(), 'not json');
    const files = async () => (await readdir(tmp.path)).filter((n) => !n.endsWith('.lock')).sort();
    const before = await files();
    const error = await open({ initial: { ok: 0 } }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CorruptStateError);
    expect((error as CorruptStateError).code).toBe('ECORRUPT');
    expect((error as Error).message).toContain(mainFile());
    expect((error as Error).message).toContain("ifUnreadable: 'reset'");
    expect(await files()).toEqual(before);
    expect(await readFile(mainFile(), 'utf8')).toBe('{"format":1,"version":7,"payl');
  });

  it("with ifUnreadable: 'reset', an unreadable store starts again from initial above every version seen, files kept aside", async () => {
    await writeFile(mainFile(), '{"format":1,"version":7,"payl');
    await writeFile(bakFile(), 'not json');
    const store = await open({ initial: { ok: 0 }, ifUnreadable: 'reset' });
    expect(store.get()).toEqual({ ok: 0 });
    expect(store.version).toBe(8);
    expect(store.recovery).toMatchObject({ reason: 'reset', source: 'initial', fromVersion: 0, highestVersion: 7, version: 8 });
    expect(await aside()).toHaveLength(2);
  });

  it('main file deleted with a good .bak: recovered, not silently initial', async () => {
    const a = await open({ initial: { ok: 0 } });
    await a.set({ ok: 1 });
    await a.set({ ok: 2 });
    await a.close();
    await rm(mainFile());
    const b = await open({ initial: { ok: -1 } });
    expect(b.get()).toEqual({ ok: 2 });
    expect(b.version).toBe(3);
    expect(b.recovery).toMatchObject({ reason: 'missing', source: 'backup', fromVersion: 2, version: 3 });
  });

  it('main file and .bak deleted while a process runs: it writes back what it holds; without one, ECORRUPT missing', async () => {
    const a = await open({ initial: { ok: 0 } });
    await a.set({ ok: 1 });
    await rm(mainFile());
    await rm(bakFile());
    await a.refresh();
    expect(a.recovery).toMatchObject({ reason: 'missing', source: 'memory', fromVersion: 1, version: 2 });
    expect(decodeEnvelope(await readFile(mainFile()), 'f', 1 << 20, undefined)).toMatchObject({ version: 2, payload: { ok: 1 } });

    await rm(mainFile());
    await writeFile(bakFile(), 'x');
    await expect(open({ initial: { ok: 0 } })).rejects.toMatchObject({ code: 'ECORRUPT', reason: 'missing' });
  });

  it('an older file restored over a newer one (v5 over v12): reported everywhere, and no version is reused', async () => {
    const a = await open({ initial: { n: 0 } });
    let old = '';
    for (let n = 1; n <= 12; n++) {
      await a.set({ n });
      if (n === 5) old = await readFile(mainFile(), 'utf8');
    }
    const recoveries: Recovery[] = [];
    a.onDidRecover((r) => recoveries.push(r));
    await writeFile(mainFile(), old);
    await a.refresh();
    // The restored value is kept, under a version above every one seen.
    expect(a.get()).toEqual({ n: 5 });
    expect(a.version).toBe(13);
    expect(recoveries).toEqual([expect.objectContaining({ reason: 'restored', source: 'file', fromVersion: 5, highestVersion: 12, version: 13 })]);
    await expect(a.set({ n: 14 })).resolves.toEqual({ value: { n: 14 }, version: 14 });

    // A fresh process that finds a restored file (only .bak remembers version 14) does the same.
    await writeFile(mainFile(), old);
    const b = await open({ initial: { n: -1 } });
    expect(b.get()).toEqual({ n: 5 });
    expect(b.version).toBe(15);
    expect(b.recovery).toMatchObject({ reason: 'restored', fromVersion: 5, highestVersion: 14 });
  });

  it('a read that began before this process wrote a newer version is not the file going back', async () => {
    // The interleaving a busy store meets: the watch starts a read of version 1, this process's
    // own write of version 2 completes, then the read returns version 1.
    const errors: string[] = [];
    const logger = { trace() {}, debug() {}, info() {}, warn: (_o: object, m?: string) => void errors.push(`warn ${m}`), error: (_o: object, m?: string) => void errors.push(`error ${m}`), child: () => logger };
    const a = await open({ initial: { n: 0 }, logger });
    const b = await open({ initial: { n: 0 } });
    await b.set({ n: 1 });
    let release!: () => void;
    let paused!: () => void;
    const reached = new Promise<void>((resolve) => (paused = resolve));
    storeFaultPoints.afterRemoteRead = () => {
      storeFaultPoints.afterRemoteRead = undefined;
      paused();
      return new Promise<void>((resolve) => (release = resolve));
    };
    try {
      const refresh = a.refresh();
      await reached; // a holds the bytes of version 1
      await a.set({ n: 2 }); // a's own write: version 2
      const recoveries: Recovery[] = [];
      a.onDidRecover((r) => recoveries.push(r));
      release();
      await refresh;
      expect(errors).toEqual([]);
      expect(recoveries).toEqual([]);
      expect(a.version).toBe(2);
      expect(a.get()).toEqual({ n: 2 });
      await b.refresh();
      expect(b.version).toBe(2);
    } finally {
      storeFaultPoints.afterRemoteRead = undefined;
    }
  });

  it('two stores that notice the same restored file at once recover it once: one new version, not two', async () => {
    const a = await open({ initial: { n: 0 } });
    const b = await open({ initial: { n: 0 } });
    let old = '';
    for (let n = 1; n <= 12; n++) {
      await a.set({ n });
      if (n === 5) old = await readFile(mainFile(), 'utf8');
    }
    await b.refresh();
    const recoveries: Recovery[] = [];
    a.onDidRecover((r) => recoveries.push(r));
    b.onDidRecover((r) => recoveries.push(r));
    await writeFile(mainFile(), old);
    // Both read v5 before either repairs; the repairs meet under the write lock.
    await Promise.all([a.refresh(), b.refresh()]);
    expect([a.version, b.version]).toEqual([13, 13]);
    expect(decodeEnvelope(await readFile(mainFile()), 'f', 1 << 20, undefined)).toMatchObject({ version: 13, payload: { n: 5 } });
    expect(recoveries.map((r) => r.version)).toEqual([13, 13]);
  });

  it('a version reused with other content (all files replaced) is caught by the processes that saw it', async () => {
    const a = await open({ initial: { n: 0 } });
    await a.set({ n: 1 });
    await a.set({ n: 2 });
    await seed({ n: 99 }, 2);
    await rm(bakFile());
    await a.refresh();
    expect(a.get()).toEqual({ n: 99 });
    expect(a.version).toBe(3);
    expect(a.recovery).toMatchObject({ reason: 'restored', fromVersion: 2, version: 3 });
  });

  it('a writer that died between the .bak copy and the main file: no recovery, and the next version goes past both', async () => {
    await seed({ n: 4 }, 4);
    await seed({ n: 5 }, 5, bakFile());
    const store = await open({ initial: { n: 0 } });
    expect(store.recovery).toBeUndefined();
    expect(store.get()).toEqual({ n: 4 });
    await expect(store.update((s) => ({ n: s.n + 10 }))).resolves.toEqual({ value: { n: 14 }, version: 6 });
  });

  it('a main-file write that fails leaves nothing behind: the update is rejected, and .bak never holds it', async () => {
    const store = await open({ initial: { n: 0 } });
    await store.set({ n: 1 });
    const main = mainFile();
    failOnce('beforeRename', main, 'rename');
    await expect(store.update((s) => ({ n: s.n + 1 }))).rejects.toMatchObject({ code: 'EWRITEFAILED' });
    // The copy comes after the main file: it never holds the version whose caller was told it failed.
    expect(JSON.parse(await readFile(bakFile(), 'utf8'))).toMatchObject({ version: 1, payload: { n: 1 } });
    expect(JSON.parse(await readFile(main, 'utf8'))).toMatchObject({ version: 1, payload: { n: 1 } });
    // The caller applies it again: once in all.
    await expect(store.update((s) => ({ n: s.n + 1 }))).resolves.toEqual({ value: { n: 2 }, version: 2 });
  });

  it('a write whose directory fsync fails after the rename is reported as written (logged), not as failed for the caller to apply again', async () => {
    const warnings: string[] = [];
    const noop = () => {};
    const logger: Logger = { trace: noop, debug: noop, info: noop, warn: (_obj, msg) => void warnings.push(msg ?? ''), error: noop, child: () => logger };
    const store = await open({ initial: { n: 0 }, logger });
    await store.set({ n: 1 });
    const main = mainFile();
    failOnce('afterRename', main, 'fsync');
    await expect(store.update((s) => ({ n: s.n + 1 }))).resolves.toEqual({ value: { n: 2 }, version: 2 });
    expect(warnings).toContain('wrote the state file, but could not make it durable (directory fsync failed)');
    expect(JSON.parse(await readFile(main, 'utf8'))).toMatchObject({ version: 2, payload: { n: 2 } });
    expect(JSON.parse(await readFile(bakFile(), 'utf8'))).toMatchObject({ version: 2, payload: { n: 2 } });
  });

  it('sweeps the temp files of writers killed mid-write, and only this store\'s', async () => {
    const ours = [`.probes.state.json.99999.1.deadbeef.tmp`, `.probes.state.json.bak.99999.2.0badf00d.tmp`, 'probes.state.json.bak.99999.tmp'];
    const theirs = `.other.state.json.99999.1.deadbeef.tmp`;
    for (const name of [...ours, theirs]) await writeFile(join(tmp.path, name), 'half a write');
    await open({ initial: 0 });
    const left = await readdir(tmp.path);
    for (const name of ours) expect(left).not.toContain(name);
    expect(left).toContain(theirs);
  });

  const foreign: [string, (t: string) => string, string, Partial<Parameters<typeof openStore<unknown>>[0]>][] = [
    ['an unknown format (a newer Baton)', (t) => t.replace('"format":1', '"format":9'), 'format', {}],
    ['a payload failing the schema', (t) => t, 'schema', { schema: z.object({ count: z.number() }) }],
    ['a file over maxBytes', (t) => t, 'size', { maxBytes: 10 }],
  ];
  for (const [what, change, reason, options] of foreign) {
    it(`${what}: intact data this process cannot accept is never overwritten (ECORRUPT ${reason})`, async () => {
      await seed({ count: 'many'.repeat(500) });
      await writeFile(mainFile(), change(await readFile(mainFile(), 'utf8')));
      const bytes = await readFile(mainFile(), 'utf8');
      await expect(open({ initial: { count: 0 }, ...options })).rejects.toMatchObject({ code: 'ECORRUPT', reason });
      expect(await readFile(mainFile(), 'utf8')).toBe(bytes);
      // A running store that meets it refuses to write over it.
      await rm(mainFile());
      const store = await open({ initial: { count: 0 }, ...options });
      await writeFile(mainFile(), bytes);
      await store.refresh();
      await expect(store.set({ count: 1 })).rejects.toMatchObject({ code: 'ECORRUPT', reason });
      expect(await readFile(mainFile(), 'utf8')).toBe(bytes);
    });
  }

  it('decodeEnvelope names the limit a file is over', () => {
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
