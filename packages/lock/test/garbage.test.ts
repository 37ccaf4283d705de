import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, waitFor, type TempDir } from '@baton/test-utils';
import { noopLogger, type Logger } from '@baton/base';
import { createElection, type Election } from '../src/index.js';
import { LeaseFiles, closeQuietly, faultPoints, slotName } from '../src/leaseFiles.js';
import { pausableClock } from './helpers.js';

let tmp: TempDir;
const open: Election[] = [];

function recordingLogger(lines: string[]): Logger {
  const logger: Logger = {
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: (obj, msg) => lines.push(`${msg} ${JSON.stringify(obj)}`),
    error: (obj, msg) => lines.push(`${msg} ${JSON.stringify(obj)}`),
    child: () => logger,
  };
  return logger;
}

async function elect(lines: string[] = [], leaseMs = 200): Promise<Election> {
  const e = createElection({ dir: tmp.path, leaseMs, pollMs: 5, logger: recordingLogger(lines) });
  open.push(e);
  await e.start();
  return e;
}

const lockDir = () => join(tmp.path, 'leader.lock');

beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
  await tmp.cleanup();
});

describe('garbage on disk never wedges the name', () => {
  it('an empty term file with no holder: taken over at once with the next token', async () => {
    await mkdir(lockDir(), { recursive: true, mode: 0o700 });
    await writeFile(join(lockDir(), '000000000000005.term'), '');
    const e = await elect();
    expect(e.token).toBe(6);
  });

  it('a truncated or corrupt term record: reported, and the name is still taken over', async () => {
    await mkdir(lockDir(), { recursive: true, mode: 0o700 });
    await writeFile(join(lockDir(), '000000000000003.term'), '{"id":"x","pi');
    const lines: string[] = [];
    const e = await elect(lines);
    expect(e.token).toBe(4);
    expect(lines.some((l) => l.startsWith('term record is corrupt'))).toBe(true);
  });

  it('foreign files in the lock directory are reported and ignored', async () => {
    await mkdir(lockDir(), { recursive: true, mode: 0o700 });
    await writeFile(join(lockDir(), 'README'), 'not a slot');
    await writeFile(join(lockDir(), '12.term'), 'short name');
    const lines: string[] = [];
    const e = await elect(lines);
    expect(e.token).toBe(1);
    expect(lines.filter((l) => l.startsWith('ignoring a file that is not a lock slot'))).toHaveLength(2);
  });

  it('a plain file where the lock directory belongs is moved aside', async () => {
    await writeFile(lockDir(), 'pid=1234 from an older locking scheme');
    const lines: string[] = [];
    const e = await elect(lines);
    expect(e.isLeader).toBe(true);
    expect(lines.some((l) => l.startsWith('lock path held a file'))).toBe(true);
    expect((await readdir(tmp.path)).some((n) => n.startsWith('leader.lock.corrupt-'))).toBe(true);
  });

  it('a stale term whose holder record is unlocked (holder gone) never creates two holders', async () => {
    await mkdir(lockDir(), { recursive: true, mode: 0o700 });
    await writeFile(join(lockDir(), '000000000000009.term'), JSON.stringify({ id: 'ghost', pid: 999999 }));
    const [a, b, c] = await Promise.all([elect(), elect(), elect()]);
    const leaders = [a, b, c].filter((e) => e!.isLeader);
    expect(leaders).toHaveLength(1);
    expect(leaders[0]!.token).toBe(10);
  });
});

// Node 20 on Windows deletes a file still open (a term or slot a participant holds) by marking it for
// deletion: its name stays until the handle closes, so `rm -r` of a directory in use fails with ENOTEMPTY
// after removing the rest. These tests remove the directory whole; the Windows one below, part-way.
const removable = process.platform !== 'win32';

describe('a lock directory removed while in use', () => {
  /** Lets a renewal held up at the fault point go on (a holder stuck there could not close). */
  let release: () => void = () => {};
  afterEach(() => {
    delete faultPoints.beforeRenew;
    release();
  });

  const slotIndexes = async () => (await readdir(lockDir())).filter((n) => n.endsWith('.slot')).map((n) => Number(n.slice(0, 15))).sort((x, y) => x - y);

  /** Records the role changes of `elections` and whether two ever led at once. */
  function watchLeaders(elections: Record<string, Election>): { events: string[]; overlap: () => boolean } {
    const leading = new Set(Object.values(elections).filter((e) => e.isLeader));
    let overlap = false;
    const events: string[] = [];
    for (const [name, e] of Object.entries(elections)) {
      e.onDidChangeRole(({ role, reason, token }) => {
        if (role === 'leader') leading.add(e);
        else leading.delete(e);
        if (leading.size > 1) overlap = true;
        events.push(`${name} ${role} ${reason} ${token ?? '-'}`);
      });
    }
    return { events, overlap: () => overlap };
  }

  (removable ? it : it.skip)('a waiter that finds it gone writes a reset slot and nobody claims for a lease: the held-up holder stops first, and tokens go on above', async () => {
    // A lease of 1 s: the holder still trusts its lease while the test looks, on a busy machine too.
    const lines: string[] = [];
    const a = await elect([], 1000);
    const b = await elect(lines, 1000);
    expect(a.token).toBe(1);
    await waitFor(async () => (await slotIndexes()).at(-1)! >= 3, { what: 'a few renewals' });
    // The holder's next renewal is held up: it holds, and cannot notice anything meanwhile.
    let reached!: () => void;
    const atRenewal = new Promise<void>((resolve) => (reached = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    faultPoints.beforeRenew = () => {
      reached();
      return gate;
    };
    await atRenewal;
    const seen = (await slotIndexes()).at(-1)!;
    const { events, overlap } = watchLeaders({ a, b });
    await rm(lockDir(), { recursive: true });
    const removedAt = performance.now();
    // The waiter looks (as a poll would): the directory is made again with a reset slot above
    // what it saw, nobody is named, and it does not claim while the holder may still trust its lease.
    await b.checkNow();
    expect(await readdir(lockDir())).toEqual([slotName(seen + 1)]);
    expect(JSON.parse(await readFile(join(lockDir(), slotName(seen + 1)), 'utf8'))).toMatchObject({ kind: 'reset' });
    expect(b.isLeader).toBe(false);
    expect(b.leader).toBeUndefined();
    expect(a.isLeader).toBe(true);
    expect(lines.some((l) => l.startsWith('the lock directory lost its slots while in use'))).toBe(true);
    // The held-up renewal goes on: its slot is taken by the reset, and the holder steps down.
    release();
    await waitFor(() => !a.isLeader, { what: 'the holder stepping down' });
    const leader = await waitFor(() => (a.isLeader ? a : b.isLeader ? b : undefined), { timeoutMs: 3000, what: 'a leader again' });
    expect(performance.now() - removedAt).toBeGreaterThanOrEqual(1000);
    expect(events[0]).toBe('a follower lost 1');
    expect(overlap()).toBe(false);
    expect(leader.token).toBe(seen + 2);
    const other = leader === a ? b : a;
    await waitFor(() => other.leader?.token === seen + 2, { what: 'the other one seeing the new term' });
  });

  (removable ? it : it.skip)('a waiter paused across the removal does not judge the term now at an index it saw by what it saw there', async () => {
    // Lease 5 s: the holder does not renew while the test runs. The waiter's clock only moves when told.
    const a = await elect([], 5000);
    const { clock, pause } = pausableClock();
    const x = createElection({ dir: tmp.path, leaseMs: 5000, pollMs: 5, clock });
    open.push(x);
    await x.start();
    expect(x.leader).toMatchObject({ token: 1 });
    // Removed and made again, and a new term begins there at the same index, 1.
    await rm(lockDir(), { recursive: true });
    const q = new LeaseFiles(lockDir(), noopLogger, false);
    q.invalidate();
    await q.ensure();
    const qTerm = (await q.claim(1, { token: 1, id: 'q', pid: process.pid, hostname: '', since: '' }))!;
    try {
      // Paused for a lease since it saw slot 1 (of the old directory): the new slot 1 is fresh.
      pause(5000);
      await x.checkNow();
      expect(x.isLeader).toBe(false);
      expect(x.leader).toMatchObject({ id: 'q', token: 1 });
      expect(a.isLeader).toBe(true); // until its next renewal, which finds its term gone
    } finally {
      closeQuietly(qTerm);
      q.close();
    }
  });

  (removable ? it : it.skip)('a holder whose directory was removed and made again empty steps down at its next renewal; a lease later the name is held again, above the old tokens', async () => {
    const lines: string[] = [];
    const a = await elect(lines);
    const b = await elect();
    await waitFor(async () => (await slotIndexes()).at(-1)! >= 3, { what: 'a few renewals' });
    const { events, overlap } = watchLeaders({ a, b });
    // One entry at a time, as `rm -rf`: a renewal may write a new slot meanwhile, and the directory is then not
    // empty at its turn (ENOTEMPTY): retried.
    await rm(lockDir(), { recursive: true, maxRetries: 20, retryDelay: 5 });
    await mkdir(lockDir(), { mode: 0o700 });
    await waitFor(() => !a.isLeader, { what: 'the holder stepping down' });
    expect(lines.some((l) => l.includes('the lock directory was removed while held'))).toBe(true);
    const leader = await waitFor(() => (a.isLeader ? a : b.isLeader ? b : undefined), { timeoutMs: 3000, what: 'a leader again' });
    // One object, so that a failure shows the events.
    expect({ first: events[0], overlap: overlap(), tokenAbove: (leader.token ?? 0) > 3, events }).toEqual({ first: 'a follower lost 1', overlap: false, tokenAbove: true, events: expect.any(Array) });
  });

  (removable ? it.skip : it)('on Windows, a removal that fails part-way (files held open keep their names) leaves one leader at a time, and the name is held again above the old tokens', async () => {
    const lines: string[] = [];
    const a = await elect(lines, 500);
    const b = await elect(lines, 500);
    await waitFor(async () => (await slotIndexes()).at(-1)! >= 3, { what: 'a few renewals' });
    const seen = (await slotIndexes()).at(-1)!;
    const { events, overlap } = watchLeaders({ a, b });
    const removal = await rm(lockDir(), { recursive: true }).then(
      () => 'removed',
      (err: NodeJS.ErrnoException) => err.code,
    );
    // Removed whole where Windows deletes open files at once (POSIX delete semantics); part-way otherwise.
    expect(['removed', 'ENOTEMPTY']).toContain(removal);
    // A leader again, with a token above every slot seen before the removal.
    await waitFor(() => [a, b].some((e) => e.isLeader && (e.token ?? 0) > seen), { timeoutMs: 5000, what: 'a leader above the old slots' });
    // One object, so that a failure shows the events.
    const noticed = lines.some((l) => /lost its slots|removed while held/.test(l));
    expect({ overlap: overlap(), noticed, events }).toEqual({ overlap: false, noticed: true, events: expect.any(Array) });
  });
});
