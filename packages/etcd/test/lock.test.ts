import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { acquireEtcdLock, createEtcdClient, withEtcdLock, LockBusyError, LockTimeoutError, type Etcd3 } from '../src/index.js';
import { killAllFixtures, sleep, spawnFixture, startEtcdCluster, type EtcdCluster } from '@baton/test-utils';

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

const keysUnder = async (prefix: string) => (await client.getAll().prefix(prefix).keys()).length;

describe('acquireEtcdLock', () => {
  it('grants one holder at a time, hands over at once on release, with growing tokens', async () => {
    const first = await acquireEtcdLock({ client, name: 'jobs', ttlMs: 10_000 });
    expect(first.isHeld).toBe(true);
    await expect(acquireEtcdLock({ client, name: 'jobs', wait: false })).rejects.toBeInstanceOf(LockBusyError);
    const waiting = acquireEtcdLock({ client, name: 'jobs', ttlMs: 10_000 });
    await sleep(100);
    const releasedAt = performance.now();
    await first.release();
    expect(first.isHeld).toBe(false);
    expect(first.signal.aborted).toBe(true);
    const second = await waiting;
    expect(performance.now() - releasedAt).toBeLessThan(3000);
    expect(second.token).toBeGreaterThan(first.token);
    await second.release();
    // Nothing of either grant, nor of the refused attempt, is left in etcd.
    expect(await keysUnder('baton/locks/jobs/')).toBe(0);
  });

  it('times out with ELOCKTIMEOUT naming the holder, and leaves nothing behind', async () => {
    const held = await acquireEtcdLock({ client, name: 'slow', metadata: { who: 'holder' } });
    const started = performance.now();
    const err = await acquireEtcdLock({ client, name: 'slow', wait: { timeoutMs: 300 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect((err as Error).message).toMatch(/Timed out after 300 ms waiting for lock 'slow' held by /);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(await keysUnder('baton/locks/slow/')).toBe(1);
    await held.release();
  });

  it('an abort stops the wait with the abort reason', async () => {
    const held = await acquireEtcdLock({ client, name: 'abort' });
    const controller = new AbortController();
    const waiting = acquireEtcdLock({ client, name: 'abort', signal: controller.signal });
    await sleep(50);
    controller.abort(new Error('user cancelled'));
    await expect(waiting).rejects.toThrow('user cancelled');
    await held.release();
    expect(await keysUnder('baton/locks/abort/')).toBe(0);
  });

  it('withEtcdLock serializes concurrent critical sections', async () => {
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        withEtcdLock({ client, name: 'serial' }, async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(20);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
  });

  it('refuses a TTL etcd cannot grant and a missing client, naming them', async () => {
    await expect(acquireEtcdLock({ client, name: 'x', ttlMs: 100 })).rejects.toThrow(/ttlMs must be >= 1000/);
    await expect(acquireEtcdLock({ client: undefined as unknown as Etcd3, name: 'x' })).rejects.toThrow(/client is required/);
  });

  (process.platform === 'win32' ? it.skip : it)('a SIGKILLed holder loses the lock to a waiter after the TTL, not before', async () => {
    const holder = spawnFixture(fileURLToPath(new URL('./fixtures/lockHolder.ts', import.meta.url)), [cluster.endpoints.join(','), 'crash', '2000']);
    try {
      const token = Number((await holder.waitForLine(/^held \d+/, 20_000)).split(' ')[1]);
      const waiting = acquireEtcdLock({ client, name: 'crash', ttlMs: 2000 });
      await sleep(100);
      const killedAt = performance.now();
      holder.kill('SIGKILL');
      const next = await waiting;
      const tookMs = performance.now() - killedAt;
      // etcd expires the lease one TTL after the last keep-alive (sent every TTL/3).
      expect(tookMs).toBeGreaterThan(1000);
      expect(tookMs).toBeLessThan(2000 + 3000);
      expect(next.token).toBeGreaterThan(token);
      await next.release();
    } finally {
      await killAllFixtures();
    }
  }, 30_000);
});
