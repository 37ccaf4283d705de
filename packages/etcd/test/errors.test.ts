// The error codes a user of @baton/etcd sees when etcd does not answer in time (ETIMEOUT) and when it refuses the
// credentials (EAUTH), against a real etcd: each names what was being done and the endpoint, and keeps the etcd3
// error as its cause.
import { afterAll, describe, expect, it } from '@jest/globals';
import { startEtcdCluster, startFaultProxy, stopAllEtcdClusters } from '@baton/test-utils';
import { createEtcdClient, createEtcdElection, createEtcdFence } from '../src/index.js';

afterAll(stopAllEtcdClusters);

describe('errors from etcd', () => {
  it('a call etcd does not answer within callTimeoutMs fails with ETIMEOUT, naming the endpoint', async () => {
    const one = await startEtcdCluster(1);
    const member = new URL(one.endpoints[0]!);
    const proxy = await startFaultProxy({ host: member.hostname, port: Number(member.port) });
    const client = createEtcdClient({ hosts: proxy.url, callTimeoutMs: 400 });
    try {
      const fence = createEtcdFence({ client, name: 'timeout' });
      await fence.highest();
      // Connected, then a partition that does not reset: the call is sent and never answered.
      proxy.blackhole(true);
      const started = performance.now();
      const err = (await fence.highest().catch((error: unknown) => error)) as { code?: string; message?: string; cause?: unknown };
      expect(err.code).toBe('ETIMEOUT');
      expect(err.message).toContain(proxy.url.replace(/^https?:\/\//, ''));
      expect(err.message).toContain("fence 'timeout'");
      expect(err.cause).toBeInstanceOf(Error);
      // Within the deadline and the client's retries, not the minutes of a hung connection.
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      proxy.blackhole(false);
      client.close();
      await proxy.close();
      await one.stop();
    }
  }, 60_000);

  it('credentials etcd refuses fail with EAUTH, and the right ones work', async () => {
    const one = await startEtcdCluster(1);
    const admin = createEtcdClient({ hosts: one.endpoints });
    const clients = [admin];
    try {
      await admin.role('root').create();
      await admin.user('root').create('right');
      await admin.user('root').addRole('root');
      await admin.auth.authEnable();
      const wrong = createEtcdClient({ hosts: one.endpoints, auth: { username: 'root', password: 'wrong' } });
      clients.push(wrong);
      const refused = (await createEtcdElection({ client: wrong, name: 'auth', ttlMs: 5000 }).start().catch((error: unknown) => error)) as { code?: string; message?: string };
      expect(refused.code).toBe('EAUTH');
      expect(refused.message).toContain(new URL(one.endpoints[0]!).host);
      const right = createEtcdClient({ hosts: one.endpoints, auth: { username: 'root', password: 'right' } });
      clients.push(right);
      const election = createEtcdElection({ client: right, name: 'auth', ttlMs: 5000 });
      await election.start();
      expect(election.role).toBe('leader');
      await election.close();
    } finally {
      for (const c of clients) c.close();
      await one.stop();
    }
  }, 60_000);
});

describe('late watch responses', () => {
  it('a watch response for a watcher the client no longer has is dropped, not thrown from the stream handler (an uncaught exception)', () => {
    // What etcd3's watch manager gets after etcd cancelled a client's only watch (compaction): messages the stream it
    // cancelled still delivers. Its own handlers throw for them.
    const client = createEtcdClient({ hosts: 'http://127.0.0.1:1' });
    try {
      const manager = (client as unknown as { watchManager: Record<string, (response: unknown) => void> }).watchManager;
      expect(() => manager.handleResponse!({ watch_id: '4242', canceled: false, events: [] })).not.toThrow();
      expect(() => manager.handleResponse!({ watch_id: '4242', canceled: true, cancel_reason: 'compacted' })).not.toThrow();
      expect(() => manager.handleCreatedResponse!({ watch_id: '4243', created: true, canceled: true })).not.toThrow();
      // A client made without createEtcdClient is etcd3's own: it throws.
      const plain = new (Object.getPrototypeOf(client).constructor as new (options: unknown) => typeof client)({ hosts: 'http://127.0.0.1:1' });
      try {
        const unguarded = (plain as unknown as { watchManager: Record<string, (response: unknown) => void> }).watchManager;
        expect(() => unguarded.handleResponse!({ watch_id: '4242', canceled: false, events: [] })).toThrow(/Failed to find watcher/);
      } finally {
        plain.close();
      }
    } finally {
      client.close();
    }
  });
});
