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

  it('a write whose answer is lost is reported EOUTCOMEUNKNOWN, not sent again (and never refused as stale though applied)', async () => {
    const member = new URL(cluster.endpoints[0]!);
    const proxy = await startFaultProxy({ host: member.hostname, port: Number(member.port) });
    const faulty = createEtcdClient({ hosts: proxy.url });
    try {
      const fence = createEtcdFence({ client: faulty, name: 'lossy' });
      await fence.write(3, [{ type: 'put', key: 'res/lossy', value: 'first' }]);
      const dropped = proxy.dropNextAnswer();
      const err = await fence.write(4, [{ type: 'put', key: 'res/lossy', value: 'second' }]).catch((e: unknown) => e);
      await dropped;
      expect(err).toBeInstanceOf(OutcomeUnknownError);
      expect(err).toMatchObject({ code: 'EOUTCOMEUNKNOWN', data: { key: fence.key, token: 4 } });
      // It landed, once: the resource and the fence show it.
      expect(await client.get('res/lossy').string()).toBe('second');
      expect(await createEtcdFence({ client, name: 'lossy' }).highest()).toBe(4);
    } finally {
      faulty.close();
      await proxy.close();
    }
  });
});
