import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { expectNoLeaks, makeTempDir, snapshotResources, type TempDir } from '@baton/test-utils';
import { LockBusyError, LockTimeoutError, acquireLock, withLock, type Lock } from '../src/index.js';
import { pausableClock } from './helpers.js';

let tmp: TempDir;
const held: Lock[] = [];

beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await Promise.all(held.splice(0).map((l) => l.release()));
  await tmp.cleanup();
});

async function take(name: string, extra: Partial<Parameters<typeof acquireLock>[0]> = {}): Promise<Lock> {
  const lock = await acquireLock({ dir: tmp.path, name, pollMs: 2, ttlMs: 200, ...extra });
  held.push(lock);
  return lock;
}

describe('acquireLock', () => {
  it('grants a free lock with a token, and tokens grow with each grant', async () => {
    const first = await take('task:42');
    expect(first.token).toBe(1);
    expect(first.isHeld).toBe(true);
    await first.release();
    expect(first.isHeld).toBe(false);
    expect(first.signal.aborted).toBe(true);
    const second = await take('task:42');
    expect(second.token).toBe(2);
  });

  it('keeps names independent', async () => {
    const a = await take('a');
    const b = await take('b');
    expect([a.token, b.token]).toEqual([1, 1]);
  });

  it('fails at once with ELOCKBUSY naming the holder when wait is false', async () => {
    await take('job', { id: 'holder-1' });
    const err = await acquireLock({ dir: tmp.path, name: 'job', wait: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockBusyError);
    expect((err as LockBusyError).code).toBe('ELOCKBUSY');
    expect((err as Error).message).toContain('holder-1');
  });

  it('fails with ELOCKTIMEOUT after the timeout', async () => {
    await take('job');
    const started = performance.now();
    const err = await acquireLock({ dir: tmp.path, name: 'job', wait: { timeoutMs: 100 }, pollMs: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect((err as LockTimeoutError).code).toBe('ELOCKTIMEOUT');
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('stops waiting when the signal aborts, with the abort reason', async () => {
    await take('job');
    const controller = new AbortController();
    const waiting = acquireLock({ dir: tmp.path, name: 'job', signal: controller.signal, pollMs: 2 });
    setTimeout(() => controller.abort(new Error('user cancelled')), 20);
    await expect(waiting).rejects.toThrow('user cancelled');
  });

  it('serializes many waiters: each gets the lock once, one at a time, in increasing token order', async () => {
    let inside = 0;
    let maxInside = 0;
    const tokens: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withLock({ dir: tmp.path, name: 'counter', pollMs: 1, ttlMs: 1000 }, async (lock) => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          tokens.push(lock.token);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(tokens).toHaveLength(8);
    expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
  });

  it('withLock releases when the work throws', async () => {
    await expect(withLock({ dir: tmp.path, name: 'x' }, () => {
      throw new Error('work failed');
    })).rejects.toThrow('work failed');
    const again = await take('x', { wait: false });
    expect(again.token).toBe(2);
  });
});

describe('release by dispose() and by a look after a pause', () => {
  it('dispose() releases: the signal aborts at once, a waiter gets the lock, nothing is left', async () => {
    const before = snapshotResources();
    const lock = await take('job', { ttlMs: 5000 });
    const waiting = acquireLock({ dir: tmp.path, name: 'job', pollMs: 2, ttlMs: 5000 });
    const disposedAt = performance.now();
    lock.dispose();
    expect(lock.signal.aborted).toBe(true);
    expect(lock.isHeld).toBe(false);
    const next = await waiting;
    // Well within the 5 s lease: the waiter saw the release, it did not wait for expiry.
    expect(performance.now() - disposedAt).toBeLessThan(1000);
    expect(next.token).toBe(2);
    await next.release();
    await expectNoLeaks(before);
  });

  it('reading isHeld or signal after the lease ran out ends the grant before it returns', async () => {
    const { clock, pause } = pausableClock();
    for (const look of ['isHeld', 'signal'] as const) {
      const lock = await take(`paused-${look}`, { clock, ttlMs: 1000 });
      const captured = lock.signal;
      pause(1000); // time moved, no timer ran
      expect(captured.aborted).toBe(false);
      void lock[look];
      expect(captured.aborted).toBe(true);
      expect(captured.reason).toMatchObject({ code: 'ELOCKLOST' });
    }
  });
});
