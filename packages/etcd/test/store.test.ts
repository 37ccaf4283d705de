import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@baton/test-utils';
import { z } from 'zod';
import { CorruptStateError, StateTooLargeError, InvalidStateError, type ChangeEvent } from '@baton/state';
import { createEtcdClient, openEtcdStore, type Etcd3, type EtcdStore } from '../src/index.js';
import { startEtcdCluster, type EtcdCluster } from '@baton/test-utils';

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
});
