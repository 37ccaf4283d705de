// The etcd side failing: SIGKILL of the Raft leader member of a three-node cluster, and a full
// restart of a single-node cluster, short (the sessions recover) and long (they report loss).
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { killAllFixtures, sleep, startEtcdCluster, stopAllEtcdClusters, waitFor, watchObserved, type BeliefSpans, type Fixture } from '@baton/test-utils';
import { createEtcdClient, openEtcdStore } from '../src/index.js';
import { check } from './checker.js';
import { ask, isLeaderNow, startContender, tokenOf } from './helpers.js';

afterEach(killAllFixtures);
afterAll(async () => {
  await killAllFixtures();
  await stopAllEtcdClusters();
});

const posix = process.platform !== 'win32';
const leaders = (list: Fixture[]) => list.filter(isLeaderNow);

describe('etcd failures', () => {
  (posix ? it : it.skip)('SIGKILL of the etcd leader member of three: one leader again, fenced writes in order, stores still write', async () => {
    const cluster = await startEtcdCluster(3);
    const client = createEtcdClient({ hosts: cluster.endpoints });
    try {
      const name = 'three';
      const spans: BeliefSpans = new Map();
      const members: Fixture[] = [];
      for (const id of ['a', 'b', 'c']) {
        const fixture = await startContender({ hosts: cluster.endpoints, id, name, ttlMs: 2000, chaos: true, writeEveryMs: 10 });
        watchObserved(spans, fixture, id);
        members.push(fixture);
      }
      const store = await openEtcdStore({ client, name: 'three', initial: { n: 0 } });
      await store.update((v) => ({ n: v.n + 1 }));
      await waitFor(() => leaders(members).length === 1, { what: 'one leader' });
      const raftLeader = await cluster.leader();
      await cluster.kill(raftLeader);
      // Updates go on through the surviving members (retried until the new Raft leader answers).
      await waitFor(async () => (await store.update((v) => ({ n: v.n + 1 })).then(() => true, () => false)), { timeoutMs: 15_000, what: 'a store write after the kill' });
      await sleep(3000);
      await waitFor(() => leaders(members).length === 1, { timeoutMs: 15_000, what: 'one leader after the kill' });
      const leader = leaders(members)[0]!;
      expect(await ask(leader, 'write', /^(wrote|stale|error)/)).toBe(`wrote ${tokenOf(leader)}`);
      await cluster.restart(raftLeader);
      await store.close();
      for (const m of members) m.kill('SIGKILL');
      const result = await check(client, name, spans);
      expect(result.violations).toEqual([]);
      expect(result.writes).toBeGreaterThan(0);
      expect(store.get().n).toBeGreaterThanOrEqual(2);
    } finally {
      client.close();
      await cluster.stop();
    }
  }, 90_000);

  (posix ? it : it.skip)('a short full restart of etcd: the leader keeps its term', async () => {
    const cluster = await startEtcdCluster(1);
    try {
      const a = await startContender({ hosts: cluster.endpoints, id: 'a', name: 'short', ttlMs: 8000 });
      const b = await startContender({ hosts: cluster.endpoints, id: 'b', name: 'short', ttlMs: 8000 });
      const token = tokenOf(a);
      await cluster.restart(cluster.members[0]!);
      await sleep(1000);
      expect(await ask(a, 'status', /^status /)).toBe(`status leader true ${token} false`);
      expect(await ask(a, 'write', /^(wrote|stale|error)/)).toBe(`wrote ${token}`);
      expect(isLeaderNow(b)).toBe(false);
    } finally {
      await cluster.stop();
    }
  }, 60_000);

  (posix ? it : it.skip)('etcd away for longer than the TTL: the leader reports the loss at its deadline, and a leader is elected when etcd is back', async () => {
    const cluster = await startEtcdCluster(1);
    try {
      const a = await startContender({ hosts: cluster.endpoints, id: 'a', name: 'long', ttlMs: 2000 });
      const b = await startContender({ hosts: cluster.endpoints, id: 'b', name: 'long', ttlMs: 2000 });
      const token = tokenOf(a);
      const member = cluster.members[0]!;
      const stoppedAt = performance.now();
      await cluster.kill(member);
      await a.waitForLine(new RegExp(`^role follower lost ${token}`), 10_000);
      const lostAfter = performance.now() - stoppedAt;
      // At most one TTL after the last answered keep-alive (sent every TTL/3).
      expect(lostAfter).toBeLessThan(2000 + 1000);
      expect(await ask(a, 'status', /^status /)).toBe('status follower false - true');
      await cluster.restart(member);
      await waitFor(() => leaders([a, b]).length === 1, { timeoutMs: 20_000, what: 'a leader after etcd is back' });
      const next = leaders([a, b])[0]!;
      expect(tokenOf(next)).toBeGreaterThan(token);
      expect(await ask(next, 'write', /^(wrote|stale|error)/)).toBe(`wrote ${tokenOf(next)}`);
    } finally {
      await cluster.stop();
    }
  }, 60_000);
});
