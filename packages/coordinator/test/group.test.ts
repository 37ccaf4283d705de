import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { IpcClient, readAuthToken } from '@baton/ipc';
import { expectNoLeaks, makeTempDir, snapshotResources, sleep, waitFor, type TempDir } from '@baton/test-utils';
import { CallFailedError, joinGroup, isRetryable, NotLeaderError, type Group, type GroupOptions } from '../src/index.js';
import { groupFaultPoints } from '../src/group.js';

let tmp: TempDir;
const open: Group[] = [];

beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
  await tmp.cleanup();
});

async function member(id: string, options: Partial<GroupOptions> = {}): Promise<Group> {
  const group = await joinGroup({ dir: tmp.path, name: 'watch', id, leaseMs: 400, metadata: { window: id }, ...options });
  open.push(group);
  return group;
}

function memberIds(group: Group): string[] {
  return group.members.map((m) => m.id).sort();
}

interface Logged {
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}

function recordingLogger(lines: Logged[]) {
  const logger = {
    child: () => logger,
    trace: () => {},
    debug: (obj: Record<string, unknown>, msg: string) => void lines.push({ level: 'debug', obj, msg }),
    info: () => {},
    warn: (obj: Record<string, unknown>, msg: string) => void lines.push({ level: 'warn', obj, msg }),
    error: (obj: Record<string, unknown>, msg: string) => void lines.push({ level: 'error', obj, msg }),
    fatal: () => {},
  };
  return logger;
}

/**
 * The follower every member's list names standby, once each other follower holds its reserve
 * connection to it. Which one it is depends on the descriptors the leader's connections got in this
 * process (see the processes test that pins the rule down), so the tests ask rather than assume.
 */
async function namedStandby(groups: Group[]): Promise<{ standby: Group; others: Group[] }> {
  const named = (g: Group) => g.members.filter((m) => m.standby).map((m) => m.id).join();
  await waitFor(() => named(groups[0]!) !== '' && groups.every((g) => named(g) === named(groups[0]!)), { what: 'one standby named everywhere' });
  const standby = groups.find((g) => g.id === named(groups[0]!))!;
  const others = groups.filter((g) => g !== standby && g.role === 'follower');
  await waitFor(async () => (await Promise.all(others.map((g) => g.metrics()))).every((r) => r.standby.connected), { what: 'the other followers connected to the standby' });
  return { standby, others };
}

describe('joinGroup', () => {
  it('the first member leads; the others follow, connected to it, and every member sees every member with its metadata', async () => {
    const a = await member('a');
    const b = await member('b');
    const c = await member('c');
    expect(a.role).toBe('leader');
    expect([b.role, c.role]).toEqual(['follower', 'follower']);
    expect(b.connected && c.connected).toBe(true);
    expect(b.leader).toMatchObject({ id: 'a', pid: process.pid, metadata: { window: 'a' } });
    await waitFor(() => [a, b, c].every((g) => memberIds(g).join() === 'a,b,c'), { what: 'all members everywhere' });
    expect(c.members.find((m) => m.id === 'a')).toMatchObject({ leader: true, metadata: { window: 'a' } });
    expect(c.members.find((m) => m.id === 'b')).toMatchObject({ leader: false, metadata: { window: 'b' } });
  });

  it('a member that leaves is gone from every member list, and the leader leaving hands over at once', async () => {
    const a = await member('a');
    const b = await member('b');
    const c = await member('c');
    await waitFor(() => memberIds(b).length === 3);
    await c.close();
    await waitFor(() => memberIds(a).join() === 'a,b' && memberIds(b).join() === 'a,b', { what: 'c gone' });
    const closedAt = performance.now();
    await a.close();
    await waitFor(() => b.role === 'leader', { timeoutMs: 2000, what: 'b leading' });
    // Far below the 400 ms lease: the leader tells b that its term ended, at once.
    expect(performance.now() - closedAt).toBeLessThan(300);
    expect(memberIds(b)).toEqual(['b']);
  });

  it('a follower that moved to the next leader reports the failover in its metrics at once', async () => {
    const a = await member('a');
    const b = await member('b');
    const c = await member('c');
    expect((await c.metrics()).failoverMs.count).toBe(0);
    await a.close();
    await waitFor(() => (b.role === 'leader' && c.connected) || (c.role === 'leader' && b.connected), { timeoutMs: 3000, what: 'the next leader joined' });
    const follower = b.role === 'leader' ? c : b;
    const report = await follower.metrics();
    expect(report.failoverMs.count).toBe(1);
    expect(report.failoverMs.p50).toBeGreaterThan(0);
    expect(await follower.metricsRegistry.render()).toMatch(/baton_group_failover_ms_count\{[^}]*\} 1/);
  });

  it('names one follower standby; when the leader goes the standby leads alone, and the others join it over the connection they kept to it', async () => {
    const a = await member('a');
    const b = await member('b');
    const c = await member('c');
    const d = await member('d');
    const standbyOf = (g: Group) => g.members.filter((m) => m.standby).map((m) => m.id);
    // The others connect to it in advance (a moment after the list, clear of a failover's rush).
    const { standby, others } = await namedStandby([a, b, c, d]);
    expect(others).toHaveLength(2);
    expect((await standby.metrics()).standby).toEqual({ id: standby.id, connected: false });
    const claims: string[] = [];
    for (const g of others) g.onDidChangeRole(({ role }) => role === 'leader' && claims.push(g.id));
    await a.close();
    await waitFor(() => standby.role === 'leader' && others.every((g) => g.connected && g.leader?.id === standby.id), { timeoutMs: 3000, what: 'the others joined to the standby' });
    expect(claims).toEqual([]);
    for (const g of others) {
      const report = await g.metrics();
      expect(report.joins).toEqual({ standby: 1, new: 1 });
      expect(report.failoverMs.count).toBe(1);
    }
    // The new leader names the next standby, one of the two.
    const ids = others.map((g) => g.id);
    await waitFor(() => [standby, ...others].every((g) => standbyOf(g).length === 1 && ids.includes(standbyOf(g)[0]!)), { what: 'a new standby' });
  });

  it('a follower that sees the standby\'s new term before its welcome waits for the welcome instead of asking with a join', async () => {
    const lines = new Map<string, Logged[]>([['b', []], ['c', []]]);
    const a = await member('a');
    const b = await member('b', { logger: recordingLogger(lines.get('b')!) as never });
    const c = await member('c', { logger: recordingLogger(lines.get('c')!) as never });
    const { standby, others: [other] } = await namedStandby([a, b, c]);
    // The standby's welcome goes out only once the other's election has seen its term (the other's
    // group reacts to that first, as it registered its listener first): a follower that asked at
    // that moment would send its join before the welcome could arrive.
    let seenFirst = false;
    groupFaultPoints.welcome = (welcome, send) => {
      const seen = other!.onDidChangeLeader((leader) => {
        if (leader?.id !== standby.id || leader.token !== welcome.token) return;
        seen.dispose();
        seenFirst = true;
        send(welcome);
      });
    };
    try {
      await a.close();
      await waitFor(() => standby.role === 'leader' && other!.connected && other!.leader?.id === standby.id, { timeoutMs: 3000, what: 'the other joined to the standby' });
    } finally {
      delete groupFaultPoints.welcome;
    }
    expect(seenFirst).toBe(true);
    expect(lines.get(standby.id)!.filter((l) => l.msg === 'a member joined by request')).toEqual([]);
    expect((await other!.metrics()).joins).toEqual({ standby: 1, new: 1 });
    standby.handle('whoami', (_params, context) => context.token);
    await expect(other!.call('whoami', {})).resolves.toBe(standby.token);
  });

  it('a follower whose standby took over without sending the welcome joins it by request a moment later', async () => {
    const lines = new Map<string, Logged[]>([['b', []], ['c', []]]);
    const a = await member('a');
    const b = await member('b', { logger: recordingLogger(lines.get('b')!) as never });
    const c = await member('c', { logger: recordingLogger(lines.get('c')!) as never });
    const { standby, others: [other] } = await namedStandby([a, b, c]);
    groupFaultPoints.welcome = () => {};
    try {
      await a.close();
      await waitFor(() => standby.role === 'leader' && other!.connected && other!.leader?.id === standby.id, { timeoutMs: 3000, what: 'the other joined to the standby' });
    } finally {
      delete groupFaultPoints.welcome;
    }
    expect(lines.get(standby.id)!.filter((l) => l.msg === 'a member joined by request').map((l) => l.obj.follower)).toEqual([other!.id]);
    // Over the connection it kept to the standby, as a welcome would have come.
    expect((await other!.metrics()).joins).toEqual({ standby: 1, new: 1 });
  });

  it('refuses a standby\'s welcome for a term the lock does not show it holding, and joins it the usual way instead', async () => {
    const lines = new Map<string, Logged[]>([['b', []], ['c', []]]);
    const a = await member('a');
    const b = await member('b', { logger: recordingLogger(lines.get('b')!) as never });
    const c = await member('c', { logger: recordingLogger(lines.get('c')!) as never });
    const { standby, others: [other] } = await namedStandby([a, b, c]);
    // The standby takes over term N but its welcome claims N + 1, a term it never held.
    const forged: number[] = [];
    groupFaultPoints.welcome = (welcome, send) => {
      forged.push(welcome.token + 1);
      send({ ...welcome, token: welcome.token + 1 });
    };
    try {
      await a.close();
      await waitFor(() => standby.role === 'leader' && other!.connected && other!.leader?.id === standby.id, { timeoutMs: 3000, what: 'the other joined to the standby' });
    } finally {
      delete groupFaultPoints.welcome;
    }
    expect(forged).toHaveLength(1);
    const refusal = lines.get(other!.id)!.find((l) => l.msg.startsWith('refused a welcome'));
    expect(refusal?.msg).toBe(`refused a welcome from '${standby.id}' for term ${forged[0]}: the lock shows '${standby.id}' in term ${standby.token}`);
    // Joined by a join request over a new connection, answered with the standby's real term.
    expect((await other!.metrics()).joins).toEqual({ standby: 0, new: 2 });
    standby.handle('whoami', (_params, context) => context.token);
    await expect(other!.call('whoami', {})).resolves.toBe(standby.token);
  });

  it('pushes store versions: a follower that does not watch the directory still gets every change', async () => {
    const a = await member('a');
    const b = await member('b');
    const c = await member('c');
    const storeA = await a.store('results', { initial: { n: 0 } });
    const storeB = await b.store('results', { initial: { n: 0 }, watch: false });
    const storeC = await c.store('results', { initial: { n: 0 }, watch: false });
    // From a follower: to the leader, which passes it on to the other follower.
    await storeB.set({ n: 1 });
    await waitFor(() => storeA.get().n === 1 && storeC.get().n === 1, { what: 'n = 1 everywhere' });
    // From the leader.
    await storeA.update((v) => ({ n: v.n + 1 }));
    await waitFor(() => storeB.get().n === 2 && storeC.get().n === 2, { what: 'n = 2 everywhere' });
    const report = await c.metrics();
    expect(report.stateUpdates.received).toBe(2);
    expect(report.pushLatencyMs.count).toBe(2);
  });

  it('a member joining late gets the current version at once, with no push and no watch', async () => {
    const a = await member('a');
    const storeA = await a.store('results', { initial: { n: 0 } });
    await storeA.set({ n: 7 });
    const b = await member('b');
    const storeB = await b.store('results', { initial: { n: 0 }, watch: false });
    expect(storeB.get().n).toBe(7);
  });

  it('routes calls to the leader, passes its handler\'s errors back wrapped with their code, and serves the leader\'s own calls in process', async () => {
    const a = await member('a');
    const b = await member('b');
    a.handle('runNow', (params, { token, caller }) => ({ params, token, caller: caller?.id, by: 'a' }));
    a.handle('fail', () => {
      throw Object.assign(new Error('probe failed'), { code: 'EPROBE' });
    });
    b.handle('runNow', () => ({ by: 'b' })); // registered everywhere, served by the leader only
    await expect(b.call('runNow', { x: 1 })).resolves.toEqual({ params: { x: 1 }, token: a.token, caller: 'b', by: 'a' });
    await expect(a.call('runNow', 2)).resolves.toMatchObject({ by: 'a', caller: 'a' });
    const failed = await b.call('fail').catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(CallFailedError);
    expect(failed).toMatchObject({ code: 'ECALLFAILED', data: { method: 'fail', mayHaveRun: true }, cause: { message: 'probe failed', code: 'EPROBE' } });
    expect((failed as Error).message).toContain('probe failed');
    // The same on the leader itself.
    await expect(a.call('fail')).rejects.toMatchObject({ code: 'ECALLFAILED', cause: { code: 'EPROBE' } });
    await expect(b.call('missing')).rejects.toMatchObject({ code: 'ENOMETHOD' });
  });

  it('a handler that throws NotLeaderError itself: the caller gets it wrapped at once, and nothing runs it again', async () => {
    const a = await member('a');
    const b = await member('b');
    const runs: string[] = [];
    for (const g of [a, b]) {
      g.handle('check', () => {
        runs.push(g.id);
        throw new NotLeaderError('the handler says it does not lead');
      });
    }
    const startedAt = performance.now();
    const failed = await b.call('check', undefined, { timeoutMs: 10_000 }).catch((err: unknown) => err);
    expect(failed).toMatchObject({ code: 'ECALLFAILED', cause: { code: 'ENOTLEADER', message: 'the handler says it does not lead' } });
    expect((failed as { cause: unknown }).cause).toBeInstanceOf(NotLeaderError);
    expect(isRetryable(failed)).toBe(false);
    // Not the whole timeout: the router did not refuse it, so nobody waits for another leader.
    expect(performance.now() - startedAt).toBeLessThan(5000);
    await sleep(200);
    expect(runs).toEqual(['a']);
  });

  it('a handler that stalls past the lease, then finds its term over and throws NotLeaderError, ran once: no other leader runs the call', async () => {
    // Three members in one process: a's handler blocks the process past the lease (a busy extension host), then
    // looks at isLeader as the README advises. The call used to be sent again, and the next leader ran it too.
    const groups = [await member('a'), await member('b'), await member('c')];
    const b = groups[1]!;
    const runs: string[] = [];
    for (const g of groups) {
      g.handle('work', (_params, { token }) => {
        runs.push(`${g.id}:${token}`);
        const until = performance.now() + 600;
        while (performance.now() < until);
        if (!g.isLeader) throw new NotLeaderError(`member ${g.id} no longer leads`);
        return g.id;
      });
    }
    const failed = await b.call('work', undefined, { timeoutMs: 10_000 }).catch((err: unknown) => err);
    expect(failed).toMatchObject({ code: 'ECALLFAILED', cause: { code: 'ENOTLEADER' } });
    // A new term began (a lost its lease in the stall); the call still ran only on a.
    await waitFor(() => groups.some((g) => g.isLeader && g.token !== undefined && g.token > 1), { timeoutMs: 10_000, what: 'a new leader' });
    await sleep(300);
    expect(runs).toEqual(['a:1']);
  });

  it('a call sent during a graceful handover is served exactly once, by the next leader', async () => {
    const a = await member('a');
    const b = await member('b');
    const served: string[] = [];
    a.handle('who', () => void served.push('a'));
    b.handle('who', () => void served.push('b'));
    const closing = a.close();
    // The old leader refuses it (ENOTLEADER, not run) and the call goes to b once b leads.
    await expect(b.call('who', undefined, { timeoutMs: 3000 })).resolves.toBeUndefined();
    await closing;
    expect(served).toEqual(['b']);
    await expect(a.call('who')).rejects.toMatchObject({ code: 'EGROUPCLOSED' });
    expect(isRetryable({ code: 'ENOLEADER' }) && isRetryable({ code: 'ELEADERCHANGED' }) && !isRetryable({ code: 'ENOMETHOD' })).toBe(true);
  });

  it('publishes to every member\'s subscribers, the publisher\'s own included, from the leader and from followers', async () => {
    const a = await member('a');
    const b = await member('b');
    const c = await member('c');
    const got: Record<string, unknown[]> = { a: [], b: [], c: [] };
    a.subscribe('probe', (m) => got.a!.push(m));
    b.subscribe('probe', (m) => got.b!.push(m));
    c.subscribe('probe', (m) => got.c!.push(m));
    c.subscribe('other', (m) => got.c!.push(['other', m]));
    await sleep(50); // subscriptions reach the leader
    b.publish('probe', 'from b');
    a.publish('probe', 'from a');
    await waitFor(() => Object.values(got).every((list) => list.length === 2), { what: 'both messages everywhere' });
    // Each sender's messages arrive in order; b's pass through the leader, so a's may come first.
    expect(got.b).toEqual(['from b', 'from a']);
    expect(got.c!.sort()).toEqual(['from a', 'from b']);
  });

  it('runs leader-only work on the leader alone, aborts it when the term ends, and starts it on the next leader', async () => {
    const a = await member('a');
    const b = await member('b');
    const runs: string[] = [];
    const aborted: string[] = [];
    for (const [id, g] of [['a', a], ['b', b]] as const) {
      g.runWhileLeader(async (signal, token) => {
        runs.push(`${id}:${token}`);
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        aborted.push(id);
      });
    }
    expect(runs).toEqual([`a:${a.token}`]);
    const firstToken = a.token!;
    await a.close();
    await waitFor(() => runs.length === 2, { what: 'b running the task' });
    expect(aborted).toEqual(['a']);
    expect(runs[1]).toBe(`b:${b.token}`);
    expect(b.token).toBeGreaterThan(firstToken);
  });

  it('a leader task that throws is logged and started again within the term', async () => {
    const lines: Logged[] = [];
    const a = await member('a', { logger: recordingLogger(lines) });
    let starts = 0;
    a.runWhileLeader(() => {
      starts++;
      if (starts < 3) throw new Error(`attempt ${starts} failed`);
    });
    await waitFor(() => starts === 3, { timeoutMs: 3000, what: 'a third start' });
    expect(lines.filter((l) => l.msg.startsWith('leader task failed'))).toHaveLength(2);
    expect((await a.metrics()).errors).toBe(2);
  });

  it('refuses and logs bad messages from a member, and keeps serving the others', async () => {
    const lines: Logged[] = [];
    const a = await member('a', { logger: recordingLogger(lines) });
    const b = await member('b');
    a.handle('ping', () => 'pong');
    const token = (await readAuthToken(join(tmp.path, 'watch.group-token')))!;
    // Connect to the leader's socket as a hostile member would: with the token, and nonsense.
    const leaderSocket = (a as unknown as { _socket: string })._socket;
    const rogue = new IpcClient({ path: leaderSocket, auth: { token }, reconnect: false });
    await rogue.connect();
    await expect(rogue.request('group.join', { id: 42 })).rejects.toMatchObject({ code: 'EINVALIDARG' });
    await expect(rogue.request('group.call', 'not an object')).rejects.toMatchObject({ code: 'EINVALIDARG' });
    await expect(rogue.request('group.standby', { id: 'x', pid: -1 })).rejects.toMatchObject({ code: 'EINVALIDARG' });
    rogue.notify('group.publish', { topic: 7 });
    rogue.notify('group.stored', { store: 'results', version: -1 });
    rogue.notify('group.heard', { token: 'x' });
    await rogue.close();
    await expect(b.call('ping')).resolves.toBe('pong');
    const refused = lines.filter((l) => l.msg === 'refused a bad message from a member');
    expect(refused).toHaveLength(6);
    expect((await a.metrics()).errors).toBe(6);
  });

  it('tells the standby of every renewal and every follower of one per half heartbeat, marked to be answered; a follower that answers is never pinged', async () => {
    // Lease 400 ms (a renewal every 160 ms), heartbeat 1000 ms: one renewal in four goes to all.
    const a = await member('a', { leaseMs: 400, heartbeatMs: 1000 });
    const token = (await readAuthToken(join(tmp.path, 'watch.group-token')))!;
    const leaderSocket = (a as unknown as { _socket: string })._socket;
    // Followers built by hand, so that what the leader sends them can be seen; the third never
    // answers, and shows that a silent follower is pinged. Any of them may be named standby.
    const heard = new Map<string, { index: number; answer: boolean; at: number }[]>();
    const pings = new Map<string, number>();
    const clients: IpcClient[] = [];
    for (const id of ['r1', 'r2', 'silent']) {
      const client = new IpcClient({ path: leaderSocket, auth: { token }, reconnect: false });
      await client.connect();
      clients.push(client);
      const notices: { index: number; answer: boolean; at: number }[] = [];
      heard.set(id, notices);
      pings.set(id, 0);
      // What the connection reads, pings included (the client answers them itself).
      const channel = (client as unknown as { _rpc: { channel: { onMessage: (listener: (message: unknown) => void) => unknown } } })._rpc.channel;
      channel.onMessage((message) => {
        if ((message as { t?: unknown }).t === 'ping') pings.set(id, pings.get(id)! + 1);
      });
      client.subscribe('group.lease', (payload) => {
        const notice = payload as { token: number; index: number; answer?: boolean };
        notices.push({ index: notice.index, answer: notice.answer === true, at: performance.now() });
        if (notice.answer && id !== 'silent') client.notify('group.heard', { token: notice.token });
      });
      await client.request('group.join', { id, pid: process.pid, metadata: null, term: a.token });
    }
    try {
      await waitFor(() => a.members.length === 4, { what: 'all three joined' });
      await sleep(2500);
      const standbyId = a.members.find((m) => m.standby)!.id;
      const standby = heard.get(standbyId)!;
      const other = heard.get(['r1', 'r2'].find((id) => id !== standbyId)!)!;
      // The standby: every renewal, in order, one in about four marked to be answered.
      expect(standby.length).toBeGreaterThanOrEqual(8);
      for (let i = 1; i < standby.length; i++) expect(standby[i]!.index).toBe(standby[i - 1]!.index + 1);
      const answered = standby.filter((n) => n.answer);
      expect(answered.length).toBeGreaterThanOrEqual(2);
      expect(answered.length).toBeLessThan(standby.length / 2);
      // The other: only the ones marked, the same ones, at least half a heartbeat apart.
      expect(other.length).toBeGreaterThanOrEqual(2);
      expect(other.every((n) => n.answer)).toBe(true);
      const standbyAnswered = new Set(answered.map((n) => n.index));
      expect(other.filter((n) => standby[0]!.index <= n.index && n.index <= standby.at(-1)!.index).every((n) => standbyAnswered.has(n.index))).toBe(true);
      for (let i = 1; i < other.length; i++) expect(other[i]!.at - other[i - 1]!.at).toBeGreaterThan(400);
      // Heard from through their answers, the two are never pinged; the silent one is, after a heartbeat.
      expect(pings.get('r1')).toBe(0);
      expect(pings.get('r2')).toBe(0);
      expect(pings.get('silent')).toBeGreaterThanOrEqual(1);
      expect(memberIds(a)).toEqual(['a', 'r1', 'r2', 'silent']);
    } finally {
      for (const client of clients) await client.close();
    }
  });

  it('reports the coordination metrics as one report, and as Prometheus text', async () => {
    const a = await member('a');
    const b = await member('b');
    a.handle('x', () => 1);
    await b.call('x');
    const report = await b.metrics();
    expect(report).toMatchObject({ group: 'watch', role: 'follower', token: a.token, members: 2, calls: { ok: 1, leaderChanged: 0, error: 0, served: 0 } });
    expect((await a.metrics()).calls.served).toBe(1);
    expect((await a.metrics()).leadershipChanges).toBe(1);
    expect(await a.metricsRegistry.render()).toContain('baton_group_calls_served_total{group="watch"} 1');
  });

  it('a topic is subscribed on the leader connection while it has a listener here, and dropped with its last one', async () => {
    const a = await member('a');
    const b = await member('b');
    // The leader's server, for its subscriber counts: what a follower's subscriptions cost on the wire.
    const subscribers = (topic: string) => (a as unknown as { _server: { subscriberCount(topic: string): number } })._server.subscriberCount(`t:${topic}`);
    const heard: unknown[] = [];
    const first = b.subscribe('dynamic', (payload) => heard.push(payload));
    const second = b.subscribe('dynamic', (payload) => heard.push(payload));
    await waitFor(() => subscribers('dynamic') === 1, { what: 'b subscribed on a' });
    first.dispose();
    a.publish('dynamic', 1);
    await waitFor(() => heard.length === 1);
    second.dispose();
    await waitFor(() => subscribers('dynamic') === 0, { what: 'the topic dropped on a' });
    // Many short-lived topics leave nothing behind, here or on the leader's server.
    for (let i = 0; i < 50; i++) b.subscribe(`short-${i}`, () => {}).dispose();
    await sleep(100);
    expect(Array.from({ length: 50 }, (_, i) => subscribers(`short-${i}`)).every((n) => n === 0)).toBe(true);
    expect((b as unknown as { _topics: { size: number } })._topics.size).toBe(0);
  });

  it('store(), runWhileLeader() and call() are refused from the moment close() starts, not only once it ends', async () => {
    const a = await member('a');
    await a.store('kept', { initial: { n: 0 } });
    const closing = a.close();
    await expect(a.store('late', { initial: { n: 0 } })).rejects.toMatchObject({ code: 'EGROUPCLOSED', message: expect.stringContaining('closing') });
    expect(() => a.runWhileLeader(async () => {})).toThrow(expect.objectContaining({ code: 'EGROUPCLOSED' }));
    await expect(a.call('anything')).rejects.toMatchObject({ code: 'EGROUPCLOSED' });
    await closing;
  });

  it('dispose() releases what close() releases: timers, sockets, descriptors', async () => {
    const before = snapshotResources();
    const a = await joinGroup({ dir: tmp.path, name: 'leaks', id: 'a', leaseMs: 400 });
    const b = await joinGroup({ dir: tmp.path, name: 'leaks', id: 'b', leaseMs: 400 });
    await a.store('s', { initial: 1 });
    await b.store('s', { initial: 1 });
    b.dispose();
    a.dispose();
    await expectNoLeaks(before, 3000);
  });
});
