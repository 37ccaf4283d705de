// Real client processes against a real etcd: SIGKILL and SIGSTOP of holders, and a pause at the
// fault point between a candidate seeing its key lowest and taking the name.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { killAllFixtures, sleep, waitFor } from '@baton/test-utils';
import { createEtcdClient, createEtcdFence, type Etcd3 } from '../src/index.js';
import { startEtcdCluster, type EtcdCluster } from '@baton/test-utils';
import { ask, isLeaderNow, nextElected, startContender, tokenOf } from './helpers.js';

let cluster: EtcdCluster;
let client: Etcd3;
let run = 0;
const ttlMs = 2000;

beforeAll(async () => {
  cluster = await startEtcdCluster(1);
  client = createEtcdClient({ hosts: cluster.endpoints });
}, 60_000);
afterEach(killAllFixtures);
afterAll(async () => {
  await killAllFixtures();
  client?.close();
  await cluster?.stop();
});

const posix = process.platform !== 'win32';

describe('client processes', () => {
  (posix ? it : it.skip)('a SIGKILLed leader is replaced after the lease TTL, not before, by a larger token', async () => {
    const name = `kill-${run++}`;
    const a = await startContender({ hosts: cluster.endpoints, id: 'a', name, ttlMs });
    const b = await startContender({ hosts: cluster.endpoints, id: 'b', name, ttlMs });
    expect(isLeaderNow(a)).toBe(true);
    expect(isLeaderNow(b)).toBe(false);
    const first = tokenOf(a);
    const elected = nextElected(b);
    const killedAt = performance.now();
    a.kill('SIGKILL');
    const token = await elected;
    const failoverMs = performance.now() - killedAt;
    expect(token).toBeGreaterThan(first);
    // etcd expires the lease TTL after the last keep-alive it received (sent every TTL/3).
    expect(failoverMs).toBeGreaterThan(ttlMs * 0.5);
    expect(failoverMs).toBeLessThan(ttlMs + 5000);
  }, 30_000);

  (posix ? it : it.skip)('a SIGSTOPped leader loses the name after the TTL; when continued it knows, and its fenced writes are refused', async () => {
    const name = `stop-${run++}`;
    const a = await startContender({ hosts: cluster.endpoints, id: 'a', name, ttlMs });
    const b = await startContender({ hosts: cluster.endpoints, id: 'b', name, ttlMs });
    const old = tokenOf(a);
    expect(await ask(a, 'write', /^(wrote|stale)/)).toBe(`wrote ${old}`);
    const elected = nextElected(b);
    a.kill('SIGSTOP');
    const token = await elected;
    expect(token).toBeGreaterThan(old);
    expect(await ask(b, 'write', /^(wrote|stale)/)).toBe(`wrote ${token}`);
    a.kill('SIGCONT');
    // Its first look after the pause ends the term: it is a follower with no token.
    const status = await ask(a, 'status', /^status /);
    expect(status).toBe('status follower false - true');
    expect(a.lines.some((l) => l.startsWith(`role follower lost ${old}`))).toBe(true);
    // A write with the old token (as a holder that does not look would send) is refused by etcd.
    expect(await ask(a, 'write-last', /^(wrote|stale)/)).toBe(`stale ${old}`);
    const fence = createEtcdFence({ client, name: `${name}-resource` });
    expect(await fence.highest()).toBe(token);
  }, 30_000);

  (posix ? it : it.skip)('a candidate paused between seeing its key lowest and taking the name does not lead when continued after its lease ran out', async () => {
    const name = `fault-${run++}`;
    const a = await startContender({ hosts: cluster.endpoints, id: 'a', name, ttlMs });
    // b stops itself at the fault point every time it reaches it.
    const b = await startContender({ hosts: cluster.endpoints, id: 'b', name, ttlMs, pause: { beforeAcquire: 1 } });
    const c = await startContender({ hosts: cluster.endpoints, id: 'c', name, ttlMs });
    const paused = b.waitForLine(/^paused beforeAcquire/);
    await ask(a, 'resign', /^resigned/);
    await paused;
    // b is stopped holding the lowest key; its lease runs out in etcd, and c (or a, which joined
    // again behind c) takes over.
    await waitFor(() => isLeaderNow(c) || isLeaderNow(a), { timeoutMs: ttlMs + 8000, what: 'a new leader while b is stopped' });
    const winner = isLeaderNow(c) ? c : a;
    const token = tokenOf(winner);
    b.kill('SIGCONT');
    await sleep(300);
    expect(await ask(b, 'status', /^status /)).toMatch(/^status follower false - true$/);
    expect(b.lines.some((l) => l.startsWith('role leader'))).toBe(false);
    expect(isLeaderNow(winner)).toBe(true);
    expect(tokenOf(winner)).toBe(token);
  }, 40_000);

  (posix ? it : it.skip)('a leader paused just before a keep-alive and continued after its successor was elected knows at once that it does not lead', async () => {
    const name = `keepalive-${run++}`;
    // a stops itself at its first keep-alive after it is ready (it leads then).
    const a = await startContender({ hosts: cluster.endpoints, id: 'a', name, ttlMs, pause: { beforeKeepAlive: 'once' } });
    const b = await startContender({ hosts: cluster.endpoints, id: 'b', name, ttlMs });
    await a.waitForLine(/^paused beforeKeepAlive/);
    // From b's first line: on a busy machine b may start slower than a's lease runs out, and be
    // elected before this line runs.
    const token = await nextElected(b, 20_000, 0);
    expect(token).toBeGreaterThan(tokenOf(a));
    a.kill('SIGCONT');
    // Checked by its own clock before any reply from etcd could have been read.
    expect(await a.waitForLine(/^resumed /)).toBe('resumed beforeKeepAlive follower false');
    // Once the successor has written, the old token is refused by etcd.
    expect(await ask(b, 'write', /^(wrote|stale)/)).toBe(`wrote ${token}`);
    expect(await ask(a, 'write-last', /^(wrote|stale)/)).toBe(`stale ${tokenOf(a)}`);
  }, 30_000);
});
