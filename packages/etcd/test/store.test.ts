import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, sleep, waitFor } from '@baton/test-utils';
import { z } from 'zod';
import { CorruptStateError, StateTooLargeError, InvalidStateError, type ChangeEvent } from '@baton/state';
import { acquireEtcdLock, createEtcdClient, createEtcdElection, createEtcdFence, EtcdUnavailableError, openEtcdStore, OutcomeUnknownError, type Etcd3, type EtcdStore } from '../src/index.js';
import { startEtcdCluster, startFaultProxy, type EtcdCluster, type FaultProxy } from '@baton/test-utils';

let cluster: EtcdCluster;
let client: Etcd3;
const clients: Etcd3[] = [];
const stores: EtcdStore<unknown>[] = [];

beforeAll(async () => {
  cluster = await startEtcdCluster(1);
  client = createEtcdClient({ hosts: cluster.endpoints });
}, 60_000);
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  for (const c of [client, ...clients]) c?.close();
  await cluster?.stop();
});

async function open<T>(name: string, initial: T, extra: { schema?: z.ZodType<T>; maxBytes?: number; client?: Etcd3 } = {}): Promise<EtcdStore<T>> {
  const store = await openEtcdStore<T>({ client: extra.client ?? client, name, initial, schema: extra.schema, maxBytes: extra.maxBytes });
  stores.push(store as EtcdStore<unknown>);
  return store;
}

describe('EtcdStore', () => {
  it('starts from initial, writes versions 1, 2, ... and another store sees them as remote changes', async () => {
    const a = await open('basic', { n: 0 });
    const b = await open('basic', { n: 0 });
    expect(a.get()).toEqual({ n: 0 });
    expect(a.version).toBe(0);
    const seen: ChangeEvent<{ n: number }>[] = [];
    b.onDidChange((e) => seen.push(e));
    expect(await a.set({ n: 1 })).toEqual({ value: { n: 1 }, version: 1 });
    expect(await a.update((v) => ({ n: v.n + 1 }))).toEqual({ value: { n: 2 }, version: 2 });
    await waitFor(() => b.version === 2, { what: 'b sees version 2' });
    expect(b.get()).toEqual({ n: 2 });
    expect(seen.map((e) => [e.version, e.origin, e.writer.id])).toEqual([
      [1, 'remote', a.id],
      [2, 'remote', a.id],
    ]);
    // The key holds the same checksummed envelope as a state file.
    const raw = JSON.parse((await client.get(a.file).string())!);
    expect(raw).toMatchObject({ format: 1, version: 2, payload: { n: 2 }, writer: { id: a.id } });
  });

  it('a store writing back to back stops watching and learns of other writers from its own writes; it watches again after, and a change made in between reaches it', async () => {
    type Counter = { n: number; by: string };
    const a = await open<Counter>('back-to-back', { n: 0, by: '' });
    const b = await open<Counter>('back-to-back', { n: 0, by: '' });
    const watchState = (store: EtcdStore<Counter>) => (store as unknown as { _watch: { state: string } })._watch.state;
    // etcd's own count of watchers: black-box evidence that the busy store stopped watching.
    const watchers = async () => Number(/^etcd_debugging_mvcc_watcher_total (\d+)/m.exec(await (await fetch(`${cluster.endpoints[0]}/metrics`)).text())![1]);
    // Stores of earlier tests that wrote back to back may be paused still: the count is taken once all watch.
    await waitFor(() => stores.every((store) => watchState(store as EtcdStore<Counter>) === 'watching'), { what: 'every store watching' });
    const before = await watchers();
    const fromB: number[] = [];
    a.onDidChange((e) => e.writer.id === b.id && fromB.push(e.version));
    let stop = false;
    let aUpdates = 0;
    const busy = (async () => {
      while (!stop) {
        await a.update((v) => ({ n: v.n + 1, by: 'a' }));
        aUpdates++;
      }
    })();
    await waitFor(() => watchState(a) === 'paused', { what: 'the busy store pauses its watch' });
    await waitFor(async () => (await watchers()) === before - 1, { what: 'etcd counts one watcher fewer' });
    // Another writer's change, while the busy store does not watch: it learns of it from its own next write.
    const first = await b.update((v) => ({ n: v.n + 1, by: 'b' }));
    await waitFor(() => fromB.includes(first.version), { what: "the busy store sees b's change" });
    stop = true;
    await busy;
    // Written while the watch is still paused (its last write landed in this same turn of the event loop, so the
    // 50 ms timer cannot have fired): replayed when it watches again.
    expect(watchState(a)).toBe('paused');
    const second = await b.update((v) => ({ n: v.n + 1, by: 'b' }));
    await waitFor(() => a.version === second.version, { timeoutMs: 5000, what: "the store sees b's change made while its watch was paused" });
    expect(a.get()).toEqual({ n: aUpdates + 2, by: 'b' });
    await waitFor(() => watchState(a) === 'watching', { what: 'the store watches again' });
    // etcd counts it again (b, which wrote twice in a row just now, may itself be in its 50 ms pause a moment longer).
    await waitFor(async () => (await watchers()) === before, { what: 'etcd counting every watcher again' });
    // And keeps hearing of changes as they come.
    const third = await b.update((v) => ({ n: v.n + 1, by: 'b' }));
    await waitFor(() => a.version === third.version, { what: "the store sees b's next change through its watch" });
    expect(fromB).toEqual([first.version, second.version, third.version]);
  }, 60_000);

  it('loses no update with 8 contenders on separate connections', async () => {
    const contenders = [];
    for (let i = 0; i < 8; i++) {
      const own = createEtcdClient({ hosts: cluster.endpoints });
      clients.push(own);
      contenders.push(await open('counter', { n: 0 }, { client: own }));
    }
    const each = 25;
    await Promise.all(contenders.map(async (store) => {
      for (let i = 0; i < each; i++) await store.update((v) => ({ n: v.n + 1 }));
    }));
    const check = await open('counter', { n: 0 });
    expect(check.get()).toEqual({ n: 8 * each });
    expect(check.version).toBe(8 * each);
  });

  it('updates queued together are applied in order in one write', async () => {
    const store = await open('batch', [] as number[]);
    const results = await Promise.all([1, 2, 3].map((x) => store.update((list) => [...list, x])));
    expect(store.get()).toEqual([1, 2, 3]);
    expect(results.at(-1)).toEqual({ value: [1, 2, 3], version: 1 });
  });

  it('a damaged value is reported, the last good value kept, and the next write recovers above it, keeping the damaged bytes', async () => {
    const store = await open('damaged', { n: 0 });
    await store.set({ n: 7 });
    const errors: Error[] = [];
    store.onDidError(({ error }) => errors.push(error));
    await client.put(store.file).value('{"format":1,"version":9,"checksum":"0","payload":{"n":666}}');
    await waitFor(() => errors.length > 0, { what: 'the damage reported' });
    expect(errors[0]).toBeInstanceOf(CorruptStateError);
    expect((errors[0] as CorruptStateError).reason).toBe('checksum');
    expect(errors[0]!.message).toContain(`etcd key ${store.file}`);
    expect(store.get()).toEqual({ n: 7 });
    const written = await store.update((v) => ({ n: v.n + 1 }));
    expect(written).toEqual({ value: { n: 8 }, version: 2 });
    expect(store.recovery).toMatchObject({ reason: 'corrupt', source: 'memory', fromVersion: 1 });
    const aside = await client.getAll().prefix(`${store.file}.corrupt-`).strings();
    expect(Object.values(aside)).toEqual(['{"format":1,"version":9,"checksum":"0","payload":{"n":666}}']);
  });

  it('a deleted key is restored by the next write at a version above every one seen', async () => {
    const store = await open('deleted', { n: 0 });
    await store.set({ n: 1 });
    await store.set({ n: 2 });
    await client.delete().key(store.file);
    await waitFor(async () => (await client.get(store.file).string()) === null);
    const written = await store.update((v) => ({ n: v.n + 10 }));
    expect(written).toEqual({ value: { n: 12 }, version: 3 });
    expect(store.recovery).toMatchObject({ reason: 'missing', source: 'memory', fromVersion: 2 });
  });

  it('never overwrites intact data it cannot accept (schema), and refuses bad values before writing', async () => {
    const schema = z.object({ n: z.number() });
    await client.put('baton/state/foreign').value(JSON.stringify({ format: 1, version: 4, writer: { id: 'x', pid: 1 }, updatedAt: '', checksum: 'x', payload: { n: 'nope' } }));
    await expect(open('foreign', { n: 0 }, { schema })).rejects.toBeInstanceOf(CorruptStateError);
    // Foreign data that arrives after open: reported, and writes refuse rather than overwrite it.
    const later = await open('later', { n: 0 }, { schema });
    await later.set({ n: 1 });
    const foreign = JSON.stringify({ format: 2, version: 9, payload: {} });
    await client.put(later.file).value(foreign);
    await expect(later.update((v) => ({ n: v.n + 1 }))).rejects.toMatchObject({ code: 'ECORRUPT' });
    expect(await client.get(later.file).string()).toBe(foreign);
    expect(later.get()).toEqual({ n: 1 });
    const store = await open('checked', { n: 0 }, { schema });
    await expect(store.set({ n: 'x' } as unknown as { n: number })).rejects.toBeInstanceOf(InvalidStateError);
    const small = await open('small', { text: '' }, { maxBytes: 64 });
    await expect(small.set({ text: 'x'.repeat(100) })).rejects.toBeInstanceOf(StateTooLargeError);
    expect(store.version + small.version).toBe(0);
    expect(await client.get(store.file).string()).toBeNull();
    expect(await client.get(small.file).string()).toBeNull();
  });

  describe('an answer lost after etcd committed (a proxy drops the connection after passing the transaction)', () => {
    let proxy: FaultProxy | undefined;
    afterAll(async () => {
      await proxy?.close();
    });

    beforeAll(async () => {
      const member = new URL(cluster.endpoints[0]!);
      proxy = await startFaultProxy({ host: member.hostname, port: Number(member.port) });
    });
    afterEach(() => proxy?.blackhole(false));

    it('each acknowledged update is applied once: the write id in the envelope settles it, not a second run of the updater', async () => {
      const faulty = createEtcdClient({ hosts: proxy!.url });
      clients.push(faulty);
      const store = await open('lost-answers', { n: 0 }, { client: faulty });
      let acknowledged = 0;
      let unknown = 0;
      for (let i = 0; i < 5; i++) {
        const dropped = proxy!.dropNextAnswer();
        try {
          await store.update((v) => ({ n: v.n + 1 }));
          acknowledged++;
        } catch (err) {
          expect(err).toMatchObject({ code: 'EOUTCOMEUNKNOWN' });
          unknown++;
        }
        await dropped;
      }
      expect(proxy!.dropped).toBeGreaterThanOrEqual(5);
      const raw = JSON.parse((await client.get(store.file).string())!) as { payload: { n: number } };
      // Every acknowledged update once; an update reported unknown at most once.
      expect(raw.payload.n).toBeGreaterThanOrEqual(acknowledged);
      expect(raw.payload.n).toBeLessThanOrEqual(acknowledged + unknown);
      expect(acknowledged).toBe(5);
      expect(raw.payload.n).toBe(5);
    }, 60_000);

    /** A store behind the proxy, and what the key holds by a direct read. */
    async function behindProxy(name: string, settleTimeoutMs?: number) {
      const faulty = createEtcdClient({ hosts: proxy!.url, callTimeoutMs: 1000 });
      clients.push(faulty);
      const store = await openEtcdStore<{ n: number; by?: string }>({ client: faulty, name, initial: { n: 0 }, settleTimeoutMs });
      stores.push(store as EtcdStore<unknown>);
      const other = await open<{ n: number; by?: string }>(name, { n: 0 });
      const read = async () => JSON.parse((await client.get(store.file).string()) ?? 'null') as { version: number; writeId?: string; payload: { n: number; by?: string } } | null;
      // The store's watch is created as it opens, and etcd's answer to that may still be on its way: the proxy's next
      // dropped answer must be the write's, not that one.
      await sleep(300);
      return { store, other, read };
    }

    /** Loses the answer to the next request, then holds everything through the proxy until released. */
    function loseAnswerThenPartition(): Promise<void> {
      return proxy!.dropNextAnswer().then(() => proxy!.blackhole(true));
    }

    it('a lost write that another writer overwrote before it was settled: found in the history, applied once', async () => {
      const { store, other, read } = await behindProxy('overwritten');
      await store.update((v) => ({ n: v.n + 1 }));
      const partitioned = loseAnswerThenPartition();
      const updating = store.update((v) => ({ n: v.n + 1, by: 'store' }));
      await partitioned;
      // The store's write (n: 2) landed; its answer is lost and the store cannot read back yet.
      await waitFor(async () => (await read())?.payload.n === 2, { what: "the store's write landed" });
      await other.update((v) => ({ n: v.n + 1, by: 'other' }));
      proxy!.blackhole(false);
      expect(await updating).toMatchObject({ value: { n: 2, by: 'store' }, version: 2 });
      expect((await read())?.payload).toEqual({ n: 3, by: 'other' });
      // The next update builds on the other writer's value, once.
      await store.update((v) => ({ n: v.n + 1 }));
      expect((await read())?.payload.n).toBe(4);
    }, 60_000);

    it('the same after the history was compacted: EOUTCOMEUNKNOWN, and nothing applied twice', async () => {
      const { store, other, read } = await behindProxy('compacted');
      const partitioned = loseAnswerThenPartition();
      const updating = store.update((v) => ({ n: v.n + 1, by: 'store' })).catch((err: unknown) => err);
      await partitioned;
      // Landed (usually), or lost with the connection before etcd committed it (the proxy drops at the server's first
      // bytes after the request, which can be an HTTP/2 frame): either way its outcome is unknown to the store.
      const landed = await waitFor(async () => (await read())?.payload.n === 1, { timeoutMs: 2000, what: "the store's write landed" }).then(() => true, () => false);
      await other.update((v) => ({ n: v.n + 1, by: 'other' }));
      const latest = await client.get(store.file).exec();
      await client.kv.compact({ revision: latest.header.revision, physical: true });
      proxy!.blackhole(false);
      const outcome = await updating;
      const final = (await read())?.payload;
      if (landed || outcome instanceof Error) {
        // Its history compacted, nothing says whether the write landed: unknown, and never run again.
        expect(outcome).toBeInstanceOf(OutcomeUnknownError);
        expect(outcome).toMatchObject({ code: 'EOUTCOMEUNKNOWN', data: { key: store.file } });
        expect((outcome as Error).message).toContain(store.file);
        expect(final).toEqual({ n: landed ? 2 : 1, by: 'other' });
      } else {
        // Lost before etcd had it, and settled as not applied (the key's version count): then applied, once.
        expect(final).toEqual({ n: 2, by: 'store' });
      }
    }, 60_000);

    it('a store whose watch etcd cancelled (its revision compacted while the connection was down) watches again: changes keep coming', async () => {
      const { store, other } = await behindProxy('rewatched');
      await other.set({ n: 1 });
      await waitFor(() => store.version === 1, { what: 'the store sees version 1' });
      for (let i = 0; i < 5; i++) await client.put(`unrelated/store-${i}`).value('x');
      const latest = await client.get('unrelated/store-4').exec();
      await client.kv.compact({ revision: latest.header.revision, physical: true });
      proxy!.resetAll();
      await sleep(1500);
      // Written by another store: this one hears of it through its watch alone (it stopped for good before).
      await other.set({ n: 2 });
      await waitFor(() => store.version === 2, { timeoutMs: 10_000, what: 'the store sees version 2 through its new watch' });
      expect(store.get()).toEqual({ n: 2 });
    }, 60_000);

    it('etcd unreachable for longer than settleTimeoutMs after a lost answer: EOUTCOMEUNKNOWN; the write is found later, once', async () => {
      const { store, read } = await behindProxy('unreachable', 1500);
      const partitioned = loseAnswerThenPartition();
      const updating = store.update((v) => ({ n: v.n + 1 })).catch((err: unknown) => err);
      await partitioned;
      expect(await updating).toMatchObject({ code: 'EOUTCOMEUNKNOWN' });
      proxy!.blackhole(false);
      // The write landed once (usually), or not at all: the proxy drops the connection at the server's first bytes
      // after the request, which can be an HTTP/2 frame sent before etcd committed it. Never twice.
      const landed = await read();
      if (landed) {
        expect(landed.payload.n).toBe(1);
        expect(landed.writeId).toMatch(new RegExp(`^${store.id}:`));
      }
      // The store goes on from what etcd holds.
      await store.update((v) => ({ n: v.n + 1 }));
      expect((await read())?.payload.n).toBe((landed?.payload.n ?? 0) + 1);
    }, 60_000);
  });

  it('errors from etcd are Baton errors with a code, naming the endpoints, with the etcd3 error as cause', async () => {
    const port = await freePort();
    const hosts = `http://127.0.0.1:${port}`;
    const nowhere = createEtcdClient({ hosts, dialTimeoutMs: 300, callTimeoutMs: 500 });
    clients.push(nowhere);
    const opened = await openEtcdStore({ client: nowhere, name: 'nowhere', initial: { n: 0 } }).catch((err: unknown) => err);
    expect(opened).toBeInstanceOf(EtcdUnavailableError);
    expect(opened).toMatchObject({ code: 'EUNAVAILABLE', data: { endpoints: [hosts] } });
    expect((opened as Error).message).toContain(hosts);
    expect((opened as Error).message).toContain("store 'nowhere'");
    expect((opened as Error).cause).toBeInstanceOf(Error);
    // The same from the fence, the lock and the election: each says what it was doing.
    await expect(createEtcdFence({ client: nowhere, name: 'nowhere' }).highest()).rejects.toMatchObject({ code: 'EUNAVAILABLE', message: expect.stringContaining("fence 'nowhere'") });
    await expect(acquireEtcdLock({ client: nowhere, name: 'nowhere' })).rejects.toMatchObject({ code: 'EUNAVAILABLE', message: expect.stringContaining("etcd lock 'nowhere'") });
    const election = createEtcdElection({ client: nowhere, name: 'nowhere' });
    await expect(election.start()).rejects.toMatchObject({ code: expect.stringMatching(/^(EUNAVAILABLE|ETIMEOUT)$/), message: expect.stringContaining(hosts) });
    await election.close();
  }, 30_000);
});
