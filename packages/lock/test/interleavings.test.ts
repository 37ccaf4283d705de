// The renewal/takeover race, forced at its exact window: a process stops itself with SIGSTOP at a
// fault point (between reading its clock and creating the slot) and the test decides who goes on
// first. Whatever the order, exactly one of them creates the slot, and no two lead at once.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { continueWhenStopped, killAllFixtures, makeTempDir, type Fixture, type TempDir } from '@baton/test-utils';
import { isLeaderNow, startContender } from './helpers.js';

const posix = process.platform !== 'win32';
const leaseMs = 400;
let tmp: TempDir;

beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await killAllFixtures();
  await tmp.cleanup();
});

const slotFile = (index: number) => join(tmp.path, 'leader.lock', `${String(index).padStart(15, '0')}.slot`);
/** The slot index at which `fixture` stopped itself at fault point `point`, and when (CLOCK_MONOTONIC ns). */
const pauseOf = async (fixture: Fixture, point: string) => {
  const [, , index, ns] = (await fixture.waitForLine(new RegExp(`^paused ${point} `), 10_000)).split(' ');
  return { index: Number(index), ns: BigInt(ns!) };
};
const pausedAt = async (fixture: Fixture, point: string) => (await pauseOf(fixture, point)).index;
/** Waits (in real time) until CLOCK_MONOTONIC, which the fixtures' clocks read too, has passed `ns`. */
const untilMonotonic = async (ns: bigint) => {
  while (process.hrtime.bigint() <= ns) await new Promise((resolve) => setTimeout(resolve, Math.max(1, Number((ns - process.hrtime.bigint()) / 1_000_000n))));
};

describe('renewal against takeover of the same slot', () => {
  (posix ? it : it.skip)('a holder paused after its clock read resumes after the takeover: its renewal fails and it does not lead', async () => {
    const holder = await startContender({ dir: tmp.path, id: 'holder', leaseMs, pollMs: 5, pause: { beforeRenew: 'once' } });
    expect(isLeaderNow(holder)).toBe(true);
    const waiter = await startContender({ dir: tmp.path, id: 'waiter', leaseMs, pollMs: 5 });
    const index = await pausedAt(holder, 'beforeRenew');
    // The waiter sees no change for a lease and takes over the very slot the holder is about to renew.
    const elected = await waiter.waitForLine(/^role leader elected /, 10_000);
    expect(Number(elected.split(' ')[3])).toBe(index);
    // Resumed inside the window where its lease still looks valid by the clock it read before the pause.
    await continueWhenStopped(holder);
    expect(await holder.waitForLine(/^resumed /, 10_000)).toBe(`resumed beforeRenew ${index} follower false`);
    const lostAt = BigInt((await holder.waitForLine(/^role follower lost 1 /)).split(' ')[4]!);
    expect(lostAt).toBeGreaterThan(BigInt(elected.split(' ')[4]!));
    expect(JSON.parse(await readFile(slotFile(index), 'utf8'))).toMatchObject({ kind: 'term', id: 'waiter', token: index });
    waiter.send('status');
    expect(await waiter.waitForLine(/^status /)).toBe(`status leader true ${index} false`);
  }, 30_000);

  (posix ? it : it.skip)('a waiter paused after deciding to take over resumes after the renewal: its claim fails and the holder keeps the slot', async () => {
    const holder = await startContender({ dir: tmp.path, id: 'holder', leaseMs, pollMs: 5, pause: { beforeRenew: 'once' } });
    const waiter = await startContender({ dir: tmp.path, id: 'waiter', leaseMs, pollMs: 5, pause: { beforeClaim: 'once' } });
    const pause = await pauseOf(holder, 'beforeRenew');
    const index = pause.index;
    // With the holder stopped, the waiter decides after a lease and stops right before creating the slot.
    expect(await pausedAt(waiter, 'beforeClaim')).toBe(index);
    // The holder resumes only once its lease has run out by the clock it read before the pause (its renewal was
    // decided then). The waiter judges by when it last saw a change, so it can decide earlier than that: a holder
    // resumed within its lease keeps the term legitimately, renewing on (the in-process test 'a holder whose renewal
    // is held up ... renews and keeps its term' covers that branch). On a loaded machine the holder's first renewal
    // can start late enough for that to happen here, and nobody then had term index + 1 to win.
    await untilMonotonic(pause.ns + BigInt(leaseMs) * 1_000_000n);
    await continueWhenStopped(holder);
    await holder.waitForLine(/^resumed /, 10_000);
    expect(JSON.parse(await readFile(slotFile(index), 'utf8'))).toEqual({ kind: 'renew', term: 1 });
    await continueWhenStopped(waiter);
    expect(await waiter.waitForLine(/^resumed /, 10_000)).toBe(`resumed beforeClaim ${index} follower false`);
    // The renewal stands; the claim left nothing behind.
    expect(JSON.parse(await readFile(slotFile(index), 'utf8'))).toEqual({ kind: 'renew', term: 1 });
    // The holder's lease (judged by the clock it read before its pause) has run out: it steps down,
    // and the next slot starts a new term (either may win it). Never two leaders at once.
    const elected = await Promise.race([holder, waiter].map((f) => f.waitForLine(new RegExp(`^role leader elected ${index + 1} `), 10_000)));
    const lostAt = BigInt((await holder.waitForLine(/^role follower lost 1 /)).split(' ')[4]!);
    expect(BigInt(elected.split(' ')[4]!)).toBeGreaterThan(lostAt);
  }, 30_000);
});
