import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEtcdClient, createEtcdElection, type Etcd3, type EtcdElection, type RoleChange } from '../src/index.js';
import { sleep, startEtcdCluster, startFaultProxy, waitFor, type EtcdCluster, type FaultProxy } from '@baton/test-utils';
import { noopLogger, systemClock } from '@baton/base';
import { queueFaultPoints } from '../src/queue.js';
import { Session } from '../src/session.js';

let cluster: EtcdCluster;
let client: Etcd3;
let n = 0;
/** SIGSTOPs of the etcd leader member in the fault run that is behind a flag (see below). */
const stopRounds = Number(process.env.ETCD_STOP_ROUNDS ?? 0);
const open: EtcdElection[] = [];

beforeAll(async () => {
  cluster = await startEtcdCluster(1);
  client = createEtcdClient({ hosts: cluster.endpoints });
}, 60_000);

afterAll(async () => {
  await Promise.all(open.map((e) => e.close()));
  client?.close();
  await cluster?.stop();
});

function election(name: string, options: { ttlMs?: number; id?: string } = {}): EtcdElection {
  const e = createEtcdElection({ client, name, ttlMs: options.ttlMs ?? 5000, id: options.id, metadata: { n: ++n } });
  open.push(e);
  return e;
}

describe('EtcdElection', () => {
  it('elects the first participant, with its key revision as token, and the second follows it', async () => {
    const a = election('first', { id: 'a' });
    const b = election('first', { id: 'b' });
    await a.start();
    await b.start();
    expect(a.role).toBe('leader');
    expect(a.isLeader).toBe(true);
    expect(b.role).toBe('follower');
    expect(b.isLeader).toBe(false);
    expect(b.token).toBeUndefined();
    expect(b.leadershipSignal.aborted).toBe(true);
    const token = a.token!;
    expect(token).toBeGreaterThan(0);
    await waitFor(() => b.leader?.id === 'a', { what: 'b sees a lead' });
    expect(b.leader).toMatchObject({ id: 'a', pid: process.pid, token });
    // The token is the holder key's create revision in etcd.
    const keys = await client.getAll().prefix(a.prefix).exec();
    const own = keys.kvs.find((kv) => JSON.parse(kv.value.toString()).id === 'a')!;
    expect(Number(own.create_revision)).toBe(token);
  });

  it('hands over at once on resign (well inside the TTL), with a larger token, and aborts the old term', async () => {
    const a = election('resign', { id: 'a', ttlMs: 10_000 });
    const b = election('resign', { id: 'b', ttlMs: 10_000 });
    await a.start();
    await b.start();
    const signal = a.leadershipSignal;
    const first = a.token!;
    const roles: RoleChange[] = [];
    a.onDidChangeRole((c) => roles.push(c));
    const started = performance.now();
    await a.resign();
    expect(signal.aborted).toBe(true);
    expect(a.isLeader).toBe(false);
    await b.whenLeader();
    const handoverMs = performance.now() - started;
    expect(handoverMs).toBeLessThan(3000);
    expect(b.token!).toBeGreaterThan(first);
    expect(roles[0]).toMatchObject({ role: 'follower', reason: 'resigned', token: first });
    // a joined again at the back of the queue, and leads again when b steps down.
    await b.resign();
    await a.whenLeader();
    expect(a.token!).toBeGreaterThan(first);
  });

  it('hands over at once on close, and a closed election refuses to lead', async () => {
    const a = election('close', { id: 'a', ttlMs: 10_000 });
    const b = election('close', { id: 'b', ttlMs: 10_000 });
    await a.start();
    await b.start();
    const started = performance.now();
    await a.close();
    expect(a.role).toBe('stopped');
    await b.whenLeader();
    expect(performance.now() - started).toBeLessThan(3000);
    await expect(a.whenLeader()).rejects.toMatchObject({ code: 'ELOCKLOST' });
  });

  it('dispose() releases as close() does: the next participant leads without waiting for the TTL', async () => {
    const a = election('dispose', { id: 'a', ttlMs: 10_000 });
    const b = election('dispose', { id: 'b', ttlMs: 10_000 });
    await a.start();
    await b.start();
    a.dispose();
    const started = performance.now();
    await b.whenLeader();
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('a lone leader that resigns leads again, with a new and larger token, even while its old key is still being deleted', async () => {
    const a = election('alone', { id: 'a', ttlMs: 10_000 });
    await a.start();
    const tokens = [a.token!];
    // The interleaving that matters: the same lease enters again before the resigned key is gone.
    queueFaultPoints.beforeDelete = () => sleep(100);
    try {
      for (let i = 0; i < 3; i++) {
        const again = new Promise<number>((resolve) => {
          const l = a.onDidChangeRole((c) => c.role === 'leader' && (l.dispose(), resolve(c.token!)));
        });
        await a.resign();
        tokens.push(await again);
      }
    } finally {
      queueFaultPoints.beforeDelete = undefined;
    }
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]!).toBeGreaterThan(tokens[i - 1]!);
    // One key in etcd: the resigned ones are gone.
    expect(await client.getAll().prefix(a.prefix).keys()).toHaveLength(1);
  });

  describe("etcd's own faults", () => {
    let proxy: FaultProxy | undefined;
    afterAll(async () => {
      await proxy?.close();
    });

    it('a follower whose watch etcd cancelled (its revision compacted while the stream was down) reads the queue again, and leads when the leader leaves', async () => {
      const member = new URL(cluster.endpoints[0]!);
      proxy = await startFaultProxy({ host: member.hostname, port: Number(member.port) });
      const faulty = createEtcdClient({ hosts: proxy.url });
      try {
        const a = election('compacted', { id: 'a' });
        const b = createEtcdElection({ client: faulty, name: 'compacted', ttlMs: 5000, id: 'b' });
        open.push(b);
        await a.start();
        await b.start();
        await waitFor(() => b.leader?.id === 'a', { what: 'b following a' });
        // History moves on and is compacted; then b's connection drops, and its watch cannot resume.
        for (let i = 0; i < 5; i++) await client.put(`unrelated/${i}`).value('x');
        const latest = await client.get('unrelated/4').exec();
        await client.kv.compact({ revision: latest.header.revision, physical: true });
        proxy.resetAll();
        await sleep(1500);
        // a leaves: b must see it (it stayed a follower behind nobody when its watch was gone for good).
        await a.close();
        await waitFor(() => b.role === 'leader', { timeoutMs: 10_000, what: 'b leading after a left' });
      } finally {
        faulty.close();
      }
    }, 60_000);

    it('a resign whose delete fails (etcd unreachable) ends its lease, so the name is not held by a key nobody acts on', async () => {
      proxy ??= await (async () => {
        const member = new URL(cluster.endpoints[0]!);
        return startFaultProxy({ host: member.hostname, port: Number(member.port) });
      })();
      const faulty = createEtcdClient({ hosts: proxy.url, callTimeoutMs: 500 });
      try {
        const a = createEtcdElection({ client: faulty, name: 'resign-outage', ttlMs: 5000, id: 'a' });
        open.push(a);
        const b = election('resign-outage', { id: 'b', ttlMs: 5000 });
        await a.start();
        await b.start();
        await waitFor(() => b.leader?.id === 'a', { what: 'b following a' });
        // a's etcd is away for 1.5 s, shorter than the lease, while it resigns: its delete fails, its keep-alives
        // go on after. Its old key used to stay, kept alive by the session the election entered again with.
        proxy.blackhole(true);
        await a.resign();
        await sleep(1500);
        proxy.blackhole(false);
        // Within the TTL plus a few seconds, one of them leads again.
        await waitFor(() => a.role === 'leader' || b.role === 'leader', { timeoutMs: 12_000, what: 'a leader again' });
      } finally {
        proxy.blackhole(false);
        faulty.close();
      }
    }, 60_000);
  });

  // With a 2 s lease the term ended at 4 of 4 such kills (and a 3 s one at 1 of 4): the default is 5 s. A stopped
  // member is worse than a dead one: a keep-alive stream to it takes writes and never answers (the term ended at 4
  // of 5 SIGSTOPs before the session opened its stream again after an unanswered keep-alive).
  it('with the default lease, a leader keeps its term through a SIGKILL of the etcd Raft leader member', async () => {
    const three = await startEtcdCluster(3);
    const own = createEtcdClient({ hosts: three.endpoints });
    const leader = createEtcdElection({ client: own, name: 'survives', id: 'a' });
    try {
      await leader.start();
      const token = leader.token;
      const roles: string[] = [];
      leader.onDidChangeRole((change) => roles.push(`${change.role} ${change.reason} ${change.detail ?? ''}`));
      await sleep(500);
      const member = await three.leader();
      await three.kill(member);
      // Past a whole default lease without the etcd leader it had.
      await sleep(6000);
      expect(roles).toEqual([]);
      expect(leader.isLeader).toBe(true);
      expect(leader.token).toBe(token);
      await three.restart(member);
    } finally {
      await leader.close();
      own.close();
      await three.stop();
    }
  }, 60_000);

  // A fault run, by a flag (ETCD_STOP_ROUNDS=10): keep-alives stall on every member until etcd elects a new leader,
  // and a stream opened again lands on the stopped member one time in three, so a stop can still end the term (1 of
  // 8 stops with a 1 s watchdog; none of 16 with 500 ms). Not a CI gate for that reason.
  (stopRounds > 0 ? it : it.skip)('with the default lease, a leader keeps its term through SIGSTOPs of the etcd Raft leader member', async () => {
    const three = await startEtcdCluster(3);
    const own = createEtcdClient({ hosts: three.endpoints });
    const leader = createEtcdElection({ client: own, name: 'survives-stop', id: 'a' });
    const held: boolean[] = [];
    try {
      await leader.start();
      const token = leader.token;
      const roles: string[] = [];
      leader.onDidChangeRole((change) => roles.push(`${change.role} ${change.reason} ${change.detail ?? ''}`));
      for (let round = 0; round < stopRounds; round++) {
        await sleep(1000);
        const stopped = await three.leader();
        stopped.child!.kill('SIGSTOP');
        await sleep(7000);
        stopped.child!.kill('SIGCONT');
        held.push(roles.length === 0 && leader.token === token);
        if (roles.length > 0) break;
      }
      process.stdout.write(`etcd leader SIGSTOP rounds: ${held.filter(Boolean).length} of ${held.length} held the term\n`);
      expect(roles).toEqual([]);
      expect(leader.isLeader).toBe(true);
    } finally {
      await leader.close();
      own.close();
      await three.stop();
    }
  }, 60_000 + stopRounds * 10_000);

  it('a session whose machine slept (the wall clock passed its lease, the monotonic clock did not) stops trusting its lease when read', async () => {
    let slept = 0;
    const session = await Session.grant({ client, ttlMs: 2000, clock: systemClock, logger: noopLogger, wallClock: () => Date.now() + slept });
    const lost: string[] = [];
    session.onDidLose((detail) => lost.push(detail));
    try {
      // Keep-alives move both deadlines: valid across more than a lease of real time.
      await sleep(2500);
      expect(session.isValid()).toBe(true);
      // A suspend: CLOCK_MONOTONIC stood still, the wall clock went on for 10 s.
      slept = 10_000;
      expect(session.isValid()).toBe(false);
      expect(lost).toEqual(['the wall clock passed the lease while the monotonic clock did not (the machine slept, or its clock was set forward)']);
    } finally {
      await session.revoke();
      session.dispose();
    }
  });
});
