import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, readdir, rename, stat, symlink, unlink } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expectNoLeaks, killAllFixtures, makeTempDir, snapshotResources, waitFor, type TempDir } from '@baton/test-utils';
import { getEventListeners } from 'node:events';
import { FakeClock, InvalidArgumentError } from '@baton/base';
import { acquireLock, createElection, createFence, type Election, type RoleChange } from '../src/index.js';
import { pausableClock, startContender } from './helpers.js';
import { faultPoints, slotName } from '../src/leaseFiles.js';

let tmp: TempDir;
const open: Election[] = [];

function elect(options: Partial<Parameters<typeof createElection>[0]> = {}): Election {
  const election = createElection({ dir: tmp.path, leaseMs: 400, pollMs: 5, ...options });
  open.push(election);
  return election;
}

beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await killAllFixtures();
  await Promise.all(open.splice(0).map((e) => e.close()));
  await tmp.cleanup();
});

describe('createElection', () => {
  it('elects the first participant with token 1 and makes later ones followers', async () => {
    const a = elect({ id: 'a', metadata: { window: 1 } });
    const b = elect({ id: 'b' });
    await a.start();
    await b.start();
    expect(a.role).toBe('leader');
    expect(a.isLeader).toBe(true);
    expect(a.token).toBe(1);
    expect(a.leadershipSignal.aborted).toBe(false);
    expect(b.role).toBe('follower');
    expect(b.isLeader).toBe(false);
    expect(b.token).toBeUndefined();
    expect(b.leadershipSignal.aborted).toBe(true);
    expect(b.leader).toMatchObject({ id: 'a', pid: process.pid, token: 1, metadata: { window: 1 } });
  });

  it('hands over on resign, aborting the old term signal, with a larger token', async () => {
    const a = elect({ id: 'a' });
    const b = elect({ id: 'b' });
    await a.start();
    await b.start();
    const signal = a.leadershipSignal;
    const changes: RoleChange[] = [];
    a.onDidChangeRole((c) => changes.push(c));
    const bLeads = b.whenLeader();
    await a.resign();
    expect(signal.aborted).toBe(true);
    expect(a.role).toBe('follower');
    expect(changes).toEqual([{ role: 'follower', previous: 'leader', token: 1, reason: 'resigned', detail: 'resigned' }]);
    await bLeads;
    expect(b.token).toBeGreaterThan(1);
    // The resigned participant does not grab the name back while another leads.
    await new Promise((r) => setTimeout(r, 50));
    expect(a.role).toBe('follower');
    expect(a.leader?.id).toBe('b');
  });

  it('takes the name back after resigning when nobody else wants it', async () => {
    const a = elect({ leaseMs: 100 });
    await a.start();
    await a.resign();
    await a.whenLeader();
    expect(a.token).toBe(2);
  });

  it('hands over on close, and close leaves the participant stopped', async () => {
    const a = elect({ id: 'a' });
    const b = elect({ id: 'b' });
    await a.start();
    await b.start();
    await a.close();
    expect(a.role).toBe('stopped');
    await b.whenLeader();
    expect(b.leader?.id).toBe('b');
  });

  it('keeps tokens increasing across participants that exit and new ones that start', async () => {
    const tokens: number[] = [];
    for (let i = 0; i < 4; i++) {
      const e = elect();
      await e.start();
      tokens.push(e.token!);
      await e.close();
    }
    expect(tokens).toEqual([1, 2, 3, 4]);
  });

  it('reports the new leader to followers through onDidChangeLeader', async () => {
    const a = elect({ id: 'a' });
    const b = elect({ id: 'b' });
    const c = elect({ id: 'c' });
    await a.start();
    await b.start();
    await c.start();
    const seen: (string | undefined)[] = [];
    c.onDidChangeLeader((info) => seen.push(info?.id));
    await a.close();
    await waitFor(() => seen.length > 0, { what: 'a leader change' });
    const winner = await waitFor(() => [b, c].find((e) => e.isLeader), { what: 'a new leader' });
    expect(seen[0]).toBe(winner.id);
    expect(['b', 'c']).toContain(seen[0]);
  });

  it('whenLeader honours its abort signal and removes its listener', async () => {
    const a = elect();
    const b = elect();
    await a.start();
    await b.start();
    const controller = new AbortController();
    const waiting = b.whenLeader(controller.signal);
    controller.abort(new Error('stop waiting'));
    await expect(waiting).rejects.toThrow('stop waiting');
  });

  it('closes when its signal aborts', async () => {
    const controller = new AbortController();
    const a = elect({ signal: controller.signal });
    await a.start();
    controller.abort();
    await waitFor(() => a.role === 'stopped', { what: 'stopped' });
  });

  it('creates its files private: directory 0700, slot files 0600', async () => {
    const a = elect();
    await a.start();
    if (process.platform === 'win32') return;
    const lockDir = join(tmp.path, 'leader.lock');
    expect((await stat(lockDir)).mode & 0o777).toBe(0o700);
    for (const name of await readdir(lockDir)) {
      expect({ name, mode: (await stat(join(lockDir, name))).mode & 0o777 }).toEqual({ name, mode: 0o600 });
    }
  });

  (process.platform === 'win32' ? it.skip : it)('refuses a coordination directory others can write to, for root as for anyone (election, lock, fence)', async () => {
    const open777 = join(tmp.path, 'shared');
    await mkdir(open777);
    await chmod(open777, 0o777);
    await expect(elect({ dir: open777 }).start()).rejects.toMatchObject({ code: 'EUNSAFEPATH' });
    await expect(acquireLock({ dir: open777, name: 'task' })).rejects.toMatchObject({ code: 'EUNSAFEPATH' });
    await expect(createFence({ dir: open777, name: 'results' }).run(1, async () => 'ran')).rejects.toMatchObject({ code: 'EUNSAFEPATH' });
    // Nothing was created in it.
    expect(await readdir(open777)).toEqual([]);
  });

  (process.platform === 'win32' ? it.skip : it)('reports why the lock directory cannot be used in lastError, until it can again', async () => {
    const a = elect({ id: 'a', name: 'svc' });
    await a.start();
    expect(a.lastError).toBeUndefined();
    // Swap the directory for a symbolic link to itself: every read of it fails with ELOOP.
    await rename(a.lockDir, `${a.lockDir}.away`);
    await symlink(basename(a.lockDir), a.lockDir);
    const failure = await waitFor(() => a.lastError, { what: 'a failed tick' });
    expect((failure as NodeJS.ErrnoException).code).toBe('ELOOP');
    await unlink(a.lockDir);
    await rename(`${a.lockDir}.away`, a.lockDir);
    await waitFor(() => a.lastError === undefined, { what: 'a successful tick' });
  });

  it('validates options, naming the field', () => {
    expect(() => createElection({ dir: tmp.path, leaseMs: 10, pollMs: 5 })).toThrow(InvalidArgumentError);
    expect(() => createElection({ dir: '', leaseMs: 1000 })).toThrow(/dir/);
  });

  it('leaves no timers, descriptors or listeners after close', async () => {
    const before = snapshotResources();
    const controller = new AbortController();
    const a = elect({ signal: controller.signal });
    const b = elect();
    await a.start();
    await b.start();
    await a.close();
    await b.close();
    await expectNoLeaks(before);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('dispose() releases like close(): another process takes over within a poll, nothing is left', async () => {
    const before = snapshotResources();
    const controller = new AbortController();
    // A long lease: a takeover that waited for expiry would take 5 s.
    const a = elect({ id: 'a', leaseMs: 5000, signal: controller.signal });
    await a.start();
    expect(a.isLeader).toBe(true);
    const waiter = await startContender({ dir: tmp.path, id: 'waiter', leaseMs: 5000, pollMs: 5 });
    const changes: RoleChange[] = [];
    a.onDidChangeRole((c) => changes.push(c));
    const signal = a.leadershipSignal;
    const disposedAt = performance.now();
    a.dispose();
    // Synchronously: the term is over and said so.
    expect(signal.aborted).toBe(true);
    expect(a.role).toBe('stopped');
    expect(changes).toEqual([expect.objectContaining({ role: 'stopped', reason: 'closed', token: 1 })]);
    await waiter.waitForLine(/^role leader elected \d+ /, 3000);
    expect(performance.now() - disposedAt).toBeLessThan(1000);
    await killAllFixtures();
    await expectNoLeaks(before);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(a.whenLeader()).rejects.toMatchObject({ code: 'ELOCKLOST' });
  });

  it('whenLeader() after close() or dispose() rejects with ELOCKLOST instead of waiting forever', async () => {
    const a = elect();
    await a.start();
    await a.close();
    await expect(a.whenLeader()).rejects.toMatchObject({ code: 'ELOCKLOST' });
    const b = elect();
    b.dispose();
    await expect(b.whenLeader()).rejects.toMatchObject({ code: 'ELOCKLOST' });
    await expect(b.start()).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('claim delay: a designated successor takes over alone', () => {
  it('when the leader goes, the waiter without a delay leads and the deferring waiters never claim', async () => {
    // The successor starts last, so it is the last of the three to hear of the release: without
    // the others' delay, one of them would claim first in every round.
    for (let round = 0; round < 5; round++) {
      const dir = join(tmp.path, `round${round}`);
      await mkdir(dir);
      const leader = elect({ dir, id: 'leader' });
      await leader.start();
      const successor = elect({ dir, id: 'successor' });
      const others = [elect({ dir, id: 'w1' }), elect({ dir, id: 'w2' })];
      const claims: string[] = [];
      for (const e of [...others, successor]) {
        e.setClaimDelay(e === successor ? 0 : 5000);
        e.onDidChangeRole((c) => c.role === 'leader' && claims.push(e.id));
        await e.start();
      }
      await leader.close();
      await successor.whenLeader();
      // The deferring waiters catch up on being told, without claiming.
      await Promise.all(others.map((e) => e.checkNow()));
      for (const e of others) {
        expect(e.role).toBe('follower');
        expect(e.leader).toMatchObject({ id: 'successor', token: successor.token });
      }
      expect(claims).toEqual(['successor']);
    }
  });

  it('when the successor is gone too, a deferring waiter claims once its delay has passed', async () => {
    const leader = elect({ id: 'leader' });
    await leader.start();
    const successor = elect({ id: 'successor' });
    await successor.start();
    const waiter = elect({ id: 'waiter' });
    waiter.setClaimDelay(300);
    await waiter.start();
    await successor.close();
    const releasedAt = performance.now();
    await leader.close();
    await waiter.whenLeader();
    const waited = performance.now() - releasedAt;
    expect(waited).toBeGreaterThanOrEqual(295);
    expect(waited).toBeLessThan(2000);
  });

  // Beacons only: on Windows there are none (beaconPath), and a deferring waiter polls every pollMs.
  (process.platform === 'win32' ? it.skip : it)('a deferring waiter stays out of the takeover: it first looks halfway through its delay, counted from the beacon\'s end', async () => {
    const leader = elect({ id: 'leader' });
    await leader.start();
    const successor = elect({ id: 'successor' });
    await successor.start();
    const waiter = elect({ id: 'waiter' });
    waiter.setClaimDelay(400);
    await waiter.start();
    // Connected to the leader's beacon, asleep.
    await new Promise((r) => setTimeout(r, 100));
    let seenAt: number | undefined;
    waiter.onDidChangeLeader((info) => {
      if (info?.id === 'successor') seenAt ??= performance.now();
    });
    const releasedAt = performance.now();
    await leader.close();
    await successor.whenLeader();
    await waitFor(() => seenAt !== undefined, { timeoutMs: 3000, what: 'the waiter to see the successor' });
    // It looked only at 200 ms (a waiter that looked at once, or every pollMs, saw it within a few ms).
    expect(seenAt! - releasedAt).toBeGreaterThanOrEqual(190);
    expect(waiter.role).toBe('follower');
  });

  it('the delay counts from the beacon\'s end, not from the waiter\'s first look halfway through it', async () => {
    const leader = elect({ id: 'leader' });
    await leader.start();
    const waiter = elect({ id: 'waiter' });
    waiter.setClaimDelay(1000);
    await waiter.start();
    await new Promise((r) => setTimeout(r, 100));
    const releasedAt = performance.now();
    await leader.close();
    await waiter.whenLeader();
    const waited = performance.now() - releasedAt;
    // Counted from the first look (at 500 ms) it would claim at 1500 ms.
    expect(waited).toBeGreaterThanOrEqual(990);
    expect(waited).toBeLessThan(1400);
  });

  it('a shorter delay set while deferring is used at once, and a delay below zero is refused', async () => {
    const leader = elect({ id: 'leader' });
    await leader.start();
    const waiter = elect({ id: 'waiter' });
    waiter.setClaimDelay(60_000);
    await waiter.start();
    await leader.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(waiter.role).toBe('follower');
    const changedAt = performance.now();
    waiter.setClaimDelay(0);
    await waiter.whenLeader();
    expect(performance.now() - changedAt).toBeLessThan(1000);
    expect(() => waiter.setClaimDelay(-1)).toThrow(InvalidArgumentError);
  });
});

describe('without a beacon: the holder\'s renewals and end told by other means', () => {
  const beacons = async (election: Election) => (await readdir(election.lockDir)).filter((name) => name.endsWith('.beacon'));

  it('a waiter told holderGone looks at once; one not told sees the new term only at its lease look, and does not poll meanwhile', async () => {
    const clock = new FakeClock();
    const a = elect({ id: 'a', clock, leaseMs: 1000, pollMs: 10, beacon: false });
    const told = elect({ id: 'told', clock, leaseMs: 1000, pollMs: 10, beacon: false });
    const untold = elect({ id: 'untold', clock, leaseMs: 1000, pollMs: 10, beacon: false });
    await a.start();
    await told.start();
    await untold.start();
    expect(await beacons(a)).toEqual([]);
    // The holder lets go (its OS lock is dropped, as the kernel drops a dead process's).
    a.dispose();
    const looked = told.holderGone(1);
    // A hint for a term the other one does not follow is ignored: it must not make it look, and says so.
    await expect(untold.holderGone(2)).resolves.toBe(false);
    // No time passes on the waiters' clock: only the hint can make the told one look; it resolves once it has.
    await expect(looked).resolves.toBe(true);
    expect(told.role).toBe('leader');
    // The same end told again at once: one look was enough.
    await expect(told.holderGone(1)).resolves.toBe(false);
    expect(told.token).toBe(2);
    // Until its lease look (1000 ms after its last), the other one does not look: it would have
    // seen the new term. Time moves in steps, so that the new holder's renewals run when due.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
    for (const step of [100, 300, 400, 199]) {
      clock.advance(step);
      await settle();
      expect(untold.leader?.token).toBe(1);
    }
    // At its lease look it does, and follows it (the new term is live: it does not claim).
    clock.advance(1);
    await waitFor(() => untold.leader?.token === 2, { what: 'the untold waiter seeing term 2' });
    expect(untold.role).toBe('follower');
    expect(await beacons(told)).toEqual([]);
  });

  it('a waiter told holderGone for a holder that lived on (a pause), then told again when it really goes, looks again at once', async () => {
    const clock = new FakeClock();
    const a = elect({ id: 'a', clock, leaseMs: 1000, pollMs: 10, beacon: false });
    const b = elect({ id: 'b', clock, leaseMs: 1000, pollMs: 10, beacon: false });
    await a.start();
    await b.start();
    // A false alarm: the group's connection to a paused holder timed out, but the holder still holds its lock.
    b.holderGone(1);
    const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
    await settle();
    expect(b.role).toBe('follower');
    // Past the moment a repeat counts as the same report; still before a's first renewal and b's lease look.
    clock.advance(100);
    await settle();
    expect(b.leader?.token).toBe(1);
    // Now a really goes, and b is told again: it looks at once. (It used to ignore a second report of the same
    // term and wait for its lease look, 1000 ms after its last: in a group, a leader paused once and killed later
    // was replaced a whole lease late.)
    a.dispose();
    b.holderGone(1);
    await waitFor(() => b.role === 'leader', { what: 'b leading without its clock moving' });
    expect(b.token).toBe(2);
  });

  // A holder `a` and a waiter `b` on one fake clock, neither with a beacon; `told`: b hears of a's
  // renewals as a group's follower does. stopRenewing() makes a stop renewing (as a paused holder
  // does) until the test ends.
  let resumeHolder = () => {};
  afterEach(() => {
    delete faultPoints.beforeRenew;
    resumeHolder();
  });
  function holderAndWaiter(told: boolean) {
    const clock = new FakeClock();
    const a = elect({ id: 'a', clock, leaseMs: 1000, pollMs: 10, beacon: false });
    const b = elect({ id: 'b', clock, leaseMs: 1000, pollMs: 10, beacon: false });
    if (told) a.onDidRenew(({ token, index }) => b.holderRenewed(token, index));
    const renewals: number[] = [];
    a.onDidRenew(({ index }) => renewals.push(index));
    const stopRenewing = () => {
      faultPoints.beforeRenew = () => new Promise<void>((resolve) => (resumeHolder = resolve));
    };
    return { clock, a, b, renewals, stopRenewing };
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('a waiter told of each renewal (holderRenewed) takes over a holder that stopped renewing a lease after the last one, not a lease after its own last look', async () => {
    const { clock, a, b, renewals, stopRenewing } = holderAndWaiter(true);
    await a.start();
    await b.start();
    // A beat of a term b does not follow is ignored (taken, its high slot would read as a removed directory).
    b.holderRenewed(7, 99);
    // One renewal at 400 ms, passed on to b; b's own last look was at 0.
    clock.advance(400);
    await waitFor(() => renewals.length === 1, { what: 'the first renewal' });
    // The holder stops renewing (a pause, as b sees it), and its own expiry ends its term at 1350.
    stopRenewing();
    clock.advance(400);
    await settle();
    clock.advance(599);
    await settle();
    expect(b.role).toBe('follower');
    // A lease after the renewal it was told of. Without being told, b would judge from its own
    // look at 1000 ms, which found slot 2, and take over at 2000 ms.
    clock.advance(1);
    await waitFor(() => b.role === 'leader', { what: 'b taking over at 1400 ms' });
    expect(b.token).toBe(3);
    expect(renewals).toEqual([2]);
  });

  it('a waiter that defers with an expiry check delay judges a holder that stopped renewing that much later, and never looks in between', async () => {
    const { clock, a, b, renewals, stopRenewing } = holderAndWaiter(true);
    await a.start();
    await b.start();
    b.setClaimDelay(100, 1000);
    clock.advance(400);
    await waitFor(() => renewals.length === 1, { what: 'the first renewal' });
    stopRenewing();
    // Without the check delay b would take over at 1400 (the test above); with it, nothing
    // happens until 2400, a lease and the delay after the last renewal it was told of. b.leader
    // stays term 1 until b looks: a look after the lease ran out would show none.
    const looks: string[] = [];
    for (const step of [400, 599, 1, 500, 499]) {
      clock.advance(step);
      await settle();
      expect(b.role).toBe('follower');
      looks.push(`${clock.now()} ${b.leader?.token}`);
    }
    expect(looks).toEqual(['800 1', '1399 1', '1400 1', '1900 1', '2399 1']);
    // Its check: the lease has run out (the holder's own expiry ended its term meanwhile).
    clock.advance(1);
    await settle();
    // It defers its claim by 100 ms, looking every poll, then claims.
    for (let t = 0; t < 100 && b.role !== 'leader'; t += 10) {
      clock.advance(10);
      await settle();
    }
    await waitFor(() => b.role === 'leader', { what: 'b taking over after its check and its claim delay' });
    expect(clock.now()).toBeGreaterThanOrEqual(2500);
    expect(b.token).toBe(3);
  });

  it('a waiter named the successor (claim delay back to 0) before the holder renews again judges it a lease after its last sighting, not with the old check delay', async () => {
    const { clock, a, b, stopRenewing } = holderAndWaiter(true);
    await a.start();
    // Deferring when it first sees the term (its check armed for 3000), then made the successor
    // with no renewal in between to move that check: the holder pauses before its first renewal.
    b.setClaimDelay(100, 2000);
    await b.start();
    stopRenewing();
    b.setClaimDelay(0, 2000);
    for (const step of [500, 499]) {
      clock.advance(step);
      await settle();
      expect(b.role).toBe('follower');
    }
    clock.advance(1);
    await waitFor(() => b.role === 'leader', { what: 'b taking over a lease after it saw the term' });
    expect(clock.now()).toBe(1000);
    expect(b.token).toBe(2);
  });
});

describe('onWillLead: the claim is visible before it is durable', () => {
  afterEach(() => {
    delete faultPoints.beforeDurable;
  });

  it('fires once the others can see the new term and before its fsync; elected follows in the same turn', async () => {
    const a = elect({ id: 'a' });
    const order: string[] = [];
    a.onWillLead(({ token }) => {
      // Linked and locked: another process scanning the directory now sees term `token` held.
      const visible = readdirSync(a.lockDir).includes(slotName(token));
      order.push(`will ${token} visible=${visible} isLeader=${a.isLeader} role=${a.role}`);
      setImmediate(() => order.push('next turn'));
    });
    faultPoints.beforeDurable = (index) => order.push(`fsync ${index}`);
    a.onDidChangeRole(({ role, reason, token }) => order.push(`${role} ${reason} ${token}`));
    await a.start();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['will 1 visible=true isLeader=false role=stopped', 'fsync 1', 'leader elected 1', 'next turn']);
  });

  it('a claim closed after onWillLead gives its term back: no elected, and the next claimer takes the token after it', async () => {
    const leader = elect({ id: 'leader' });
    await leader.start();
    const quitter = elect({ id: 'quitter' });
    const roles: string[] = [];
    let willToken: number | undefined;
    quitter.onWillLead(({ token }) => {
      willToken = token;
      quitter.dispose();
    });
    quitter.onDidChangeRole(({ role, reason }) => roles.push(`${role} ${reason}`));
    await quitter.start();
    const next = elect({ id: 'next' });
    next.setClaimDelay(100);
    await next.start();
    await leader.close();
    await next.whenLeader();
    expect(willToken).toBe(2);
    expect(roles).toEqual(['follower joined', 'stopped closed']);
    expect(next.token).toBe(3);
    expect(next.leader).toMatchObject({ id: 'next', token: 3 });
  });
});

describe('after a pause past the lease, the first look ends the term', () => {
  for (const look of ['isLeader', 'token', 'leadershipSignal'] as const) {
    it(`reading ${look} aborts the captured leadershipSignal and fires 'lost' before it returns`, async () => {
      const { clock, pause } = pausableClock();
      const a = elect({ clock, leaseMs: 1000, pollMs: 10 });
      await a.start();
      const captured = a.leadershipSignal;
      const changes: RoleChange[] = [];
      a.onDidChangeRole((c) => changes.push(c));
      // No timer has run since the pause: code woken by I/O runs before timers do.
      pause(1000);
      expect(captured.aborted).toBe(false);
      const value = a[look];
      expect(look === 'leadershipSignal' ? (value as AbortSignal).aborted : value).toBe(look === 'token' ? undefined : look === 'isLeader' ? false : true);
      expect(captured.aborted).toBe(true);
      expect(captured.reason).toMatchObject({ code: 'ELOCKLOST' });
      expect(changes).toEqual([expect.objectContaining({ role: 'follower', reason: 'lost', token: 1 })]);
      expect(a.role).toBe('follower');
    });
  }
});

describe('lease expiry on the holder side', () => {
  // Lease 1000 ms, margin 50 ms, renewals every 400 ms: a stall that begins when a renewal is due
  // may last up to 60% of the lease less the margin (550 ms) and the term goes on.
  for (const [stallMs, keeps] of [[540, true], [560, false]] as const) {
    it(`a holder whose renewal is held up ${stallMs} ms ${keeps ? 'renews and keeps its term' : 'finds its lease gone and steps down'}`, async () => {
      const { clock, pause, advance } = pausableClock();
      const a = elect({ clock, leaseMs: 1000, pollMs: 10 });
      await a.start();
      const lockDir = a.lockDir;
      const slots = async () => (await readdir(lockDir)).filter((name) => name.endsWith('.slot')).length;
      // No renewal before 40% of the lease.
      advance(399);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await slots()).toBe(1);
      // The event loop stalls as the renewal falls due: no timer runs, and the clock moves on. Then it runs.
      pause(stallMs);
      advance(1);
      if (keeps) {
        await waitFor(async () => (await slots()) === 2, { what: 'the renewal' });
        expect(a.isLeader).toBe(true);
        // The renewal counts from its own clock read: a lease less the margin from there.
        pause(900);
        expect(a.isLeader).toBe(true);
      } else {
        await waitFor(() => a.role === 'follower', { what: 'the term ending' });
        expect(await slots()).toBe(1);
      }
    });
  }

  // The lease counts from the claim's start, so a claim whose fsync takes most of it (a busy
  // disk) must renew at once afterwards: a renewal interval after the claim ended is past its expiry.
  for (const [stallMs, keeps] of [[900, true], [960, false]] as const) {
    it(`a claim whose fsync takes ${stallMs} ms of a 1000 ms lease ${keeps ? 'renews at once and keeps its term' : 'ends its term as it begins'}`, async () => {
      const { clock, pause, advance } = pausableClock();
      faultPoints.beforeDurable = () => pause(stallMs);
      const a = elect({ clock, leaseMs: 1000, pollMs: 10 });
      const changes: string[] = [];
      a.onDidChangeRole((c) => changes.push(`${c.role} ${c.reason} ${c.token}`));
      try {
        await a.start();
      } finally {
        delete faultPoints.beforeDurable;
      }
      const lockDir = a.lockDir;
      const slots = async () => (await readdir(lockDir)).filter((name) => name.endsWith('.slot')).length;
      advance(1);
      if (keeps) {
        await waitFor(async () => (await slots()) === 2, { what: 'the first renewal' });
        // And it goes on renewing: two more leases' worth of time, in renewal-sized steps (fewer
        // than the eight renewals after which old slots are pruned).
        for (let i = 0; i < 5; i++) {
          advance(400);
          await waitFor(async () => (await slots()) >= 3 + i, { what: `renewal ${i + 2}` });
        }
        expect(a.isLeader).toBe(true);
        expect(changes).toEqual(['leader elected 1']);
      } else {
        await waitFor(() => a.role === 'follower', { what: 'the term ending' });
        expect(changes.at(-1)).toBe('follower lost 1');
        expect(await slots()).toBe(1);
      }
    });
  }

  it('stops trusting its lease when it cannot renew before the deadline, and says so', async () => {
    const clock = new FakeClock();
    const a = elect({ clock, leaseMs: 1000, pollMs: 10 });
    await a.start();
    expect(a.isLeader).toBe(true);
    const changes: RoleChange[] = [];
    a.onDidChangeRole((c) => changes.push(c));
    const signal = a.leadershipSignal;
    // Jump past the lease without letting renewals run: what a SIGSTOP looks like from inside.
    clock.advance(1000);
    expect(a.isLeader).toBe(false);
    await waitFor(() => changes.length > 0, { what: 'a role change' });
    expect(changes[0]).toMatchObject({ role: 'follower', reason: 'lost', token: 1 });
    expect(signal.aborted).toBe(true);
  });
});
