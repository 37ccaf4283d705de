import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@baton/test-utils';
import { createEtcdClient } from '../src/index.js';
import { startEtcdCluster, type EtcdCluster } from '@baton/test-utils';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
let cluster: EtcdCluster;

beforeAll(async () => {
  cluster = await startEtcdCluster(1);
}, 60_000);
afterAll(async () => {
  delete process.env.ETCD_HOSTS;
  await cluster?.stop();
});

describe('README', () => {
  it('the example runs as written against a real etcd: leads, writes through the fence, locks, updates, closes', async () => {
    process.env.ETCD_HOSTS = cluster.endpoints.join(',');
    const run = await runReadmeExample(readme, { '@baton/etcd': fileURLToPath(new URL('../src/index.ts', import.meta.url)) });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual(['role leader elected', 'task 42 is ours: true', 'version 1', 'role stopped closed']);
    const client = createEtcdClient({ hosts: cluster.endpoints });
    try {
      expect(await client.get('results/probes').string()).toBe('ran');
      // The election's and the lock's keys are gone: closed and released, not left to their TTL.
      expect(await client.getAll().prefix('baton/elections/').keys()).toEqual([]);
      expect(await client.getAll().prefix('baton/locks/').keys()).toEqual([]);
    } finally {
      client.close();
    }
  });
});
