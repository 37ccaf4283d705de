import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEtcdClient, createEtcdFence, FenceCorruptError, OutcomeUnknownError, StaleTokenError, type Etcd3 } from '../src/index.js';
import { startEtcdCluster, startFaultProxy, type EtcdCluster } from '@baton/test-utils';

let cluster: EtcdCluster;
let client: Etcd3;

beforeAll(async () => {
  cluster = await startEtcdCluster(1);
  client = createEtcdClient({ hosts: cluster.endpoints });
}, 60_000);
afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

describe('EtcdFence', () => {
  it('accepts equal or larger tokens and refuses older ones, writing nothing of a refused write', async () => {
    const fence = createEtcdFence({ client, name: 'orders' });
    expect(await fence.highest()).toBe(0);
    await fence.write(5, [{ type: 'put', key: 'res/orders', value: 'v5' }]);
    await fence.write(5, [{ type: 'put', key: 'res/orders', value: 'v5b' }]);
    await fence.write(12, [{ type: 'put', key: 'res/orders', value: 'v12' }]);
    const err = await fence.write(9, [{ type: 'put', key: 'res/orders', value: 'stale' }, { type: 'delete', key: 'res/other' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StaleTokenError);
    expect((err as Error).message).toBe("Fence 'orders' refused token 9: token 12 was already accepted, so this holder was replaced");
    expect(await client.get('res/orders').string()).toBe('v12');
    expect(await fence.highest()).toBe(12);
    // Byte-wise comparison in etcd is numeric for the fixed-width tokens: 100 > 99.
    await fence.write(100, []);
    await expect(fence.write(99, [])).rejects.toBeInstanceOf(StaleTokenError);
  });

  it('run() accepts the token before the work and skips the work for a stale one', async () => {
    const fence = createEtcdFence({ client, name: 'jobs' });
    let ran = 0;
    expect(await fence.run(3, () => ++ran)).toBe(1);
    await expect(fence.run(2, () => ++ran)).rejects.toBeInstanceOf(StaleTokenError);
    expect(ran).toBe(1);
    const controller = new AbortController();
    controller.abort(new Error('term over'));
    await expect(fence.run(4, () => ++ran, { signal: controller.signal })).rejects.toThrow('term over');
    expect(ran).toBe(1);
  });

  it('a corrupt fence key refuses every write with EFENCECORRUPT, naming the key', async () => {
    const fence = createEtcdFence({ client, name: 'broken' });
    await client.put(fence.key).value('not a token');
    await expect(fence.highest()).rejects.toBeInstanceOf(FenceCorruptError);
    const err = await fence.write(1, [{ type: 'put', key: 'res/broken', value: 'x' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FenceCorruptError);
    expect((err as Error).message).toContain(`key ${fence.key} holds "not a token"`);
    expect(await client.get('res/broken').string()).toBeNull();
  });

  it('refuses invalid tokens and writes to its own key', async () => {
    const fence = createEtcdFence({ client, name: 'checks' });
    await expect(fence.write(-1, [])).rejects.toMatchObject({ code: 'EINVALIDARG', message: expect.stringContaining('got -1') });
    await expect(fence.write(1.5, [])).rejects.toMatchObject({ code: 'EINVALIDARG', message: expect.stringContaining('got 1.5') });
    await expect(fence.write(1, [{ type: 'put', key: fence.key, value: 'x' }])).rejects.toThrow(/cannot touch the fence's own key/);
  });

  it('a write whose answer is lost is settled by reading the key back: it landed, once, and resolves (never refused as stale, never sent again)', async () => {
    const member = new URL(cluster.endpoints[0]!);
    const proxy = await startFaultProxy({ host: member.hostname, port: Number(member.port) });
    const faulty = createEtcdClient({ hosts: proxy.url });
    try {
      const fence = createEtcdFence({ client: faulty, name: 'lossy' });
      await fence.write(3, [{ type: 'put', key: 'res/lossy', value: 'first' }]);
      const dropped = proxy.dropNextAnswer();
      const revision = await fence.write(4, [{ type: 'put', key: 'res/lossy', value: 'second' }]);
      await dropped;
      expect(proxy.dropped).toBe(1);
      // It landed, once, at the revision returned: the resource and the fence show it.
      const resource = await client.get('res/lossy').exec();
      expect(resource.kvs[0]!.value.toString()).toBe('second');
      expect(Number(resource.kvs[0]!.mod_revision)).toBe(revision);
      expect(Number(resource.kvs[0]!.version)).toBe(2);
      expect(await createEtcdFence({ client, name: 'lossy' }).highest()).toBe(4);
    } finally {
      faulty.close();
      await proxy.close();
    }
  });

  it('a lost answer that cannot be settled (etcd unreachable after it) is EOUTCOMEUNKNOWN, naming the key, the token and the write', async () => {
    const member = new URL(cluster.endpoints[0]!);
    const proxy = await startFaultProxy({ host: member.hostname, port: Number(member.port) });
    const faulty = createEtcdClient({ hosts: proxy.url });
    try {
      const fence = createEtcdFence({ client: faulty, name: 'cut-off', settleTimeoutMs: 800 });
      await fence.write(3, []);
      // The answer is lost, and from then on nothing gets through: the read-back cannot learn anything.
      const dropped = proxy.dropNextAnswer().then(() => proxy.blackhole(true));
      const err = await fence.write(5, [{ type: 'put', key: 'res/cut-off', value: 'x' }]).catch((e: unknown) => e);
      await dropped;
      expect(err).toBeInstanceOf(OutcomeUnknownError);
      expect(err).toMatchObject({ code: 'EOUTCOMEUNKNOWN', data: { key: fence.key, token: 5, writeId: expect.stringMatching(/^[0-9a-f]{16}$/) } });
      expect((err as Error).message).toMatch(/fence 'cut-off': the write with token 5 was sent to etcd .* no answer came/);
      proxy.blackhole(false);
      // It did land (etcd had it before the answer was lost): the fence says so, as the error advised to check.
      expect(await createEtcdFence({ client, name: 'cut-off' }).highest()).toBe(5);
    } finally {
      faulty.close();
      await proxy.close();
    }
  });

  it('reads a fence key written without write ids (digits alone): the same token is accepted again, an older one refused', async () => {
    await client.put('baton/fences/plain').value('00000000000000000007');
    const fence = createEtcdFence({ client, name: 'plain' });
    expect(await fence.highest()).toBe(7);
    await expect(fence.write(7, [])).resolves.toBeGreaterThan(0);
    await expect(fence.write(6, [])).rejects.toBeInstanceOf(StaleTokenError);
    expect((await client.get('baton/fences/plain').string())!).toMatch(/^00000000000000000007:[0-9a-f]{16}$/);
  });
});
