// pnpm --filter @baton/lock bench
// Baton's lock against proper-lockfile, in one run: uncontended acquire+release per second,
// failover after SIGKILL of the holder, handoff after release, takeover after SIGSTOP, and how
// soon a paused holder learns it lost. Prints a markdown table; writes bench/results/lock.json.
import { mkdir } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import lockfile from 'proper-lockfile';
import {
  killAllFixtures,
  makeTempDir,
  markdownTable,
  machineDescription,
  percentile,
  round,
  sleep,
  spawnFixture,
  writeBenchResults,
  type Fixture,
  type Row,
  importBuilt,
  measureIdle,
} from '@baton/test-utils';
import type * as LockPackage from '../src/index.js';

const { acquireLock } = await importBuilt<typeof LockPackage>(new URL('..', import.meta.url));

const quick = process.env.BENCH_QUICK === '1';
// BENCH_ONLY=failover (or throughput, handoff, pause, idle; IDLE_SECONDS sets its window) runs one part; BENCH_KILLS sets the number of kills.
const only = process.env.BENCH_ONLY;
const runs = (part: string) => !only || only.split(',').includes(part);
const holderFixture = fileURLToPath(new URL('./fixtures/holder.ts', import.meta.url));
const idleFixture = fileURLToPath(new URL('./fixtures/idleElection.mjs', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const now = () => process.hrtime.bigint();
const msSince = (start: bigint, endNs: string | bigint) => Number(BigInt(endNs) - start) / 1e6;
const progress = (text: string) => process.stderr.write(`${text}\n`);

interface Impl {
  label: string;
  impl: 'baton-lock' | 'baton-election' | 'proper-lockfile';
  settings: Record<string, number>;
}

const batonLock: Impl = { label: 'Baton lock (ttl 2 s)', impl: 'baton-lock', settings: { leaseMs: 2000 } };
const batonElection: Impl = { label: 'Baton election (lease 2 s)', impl: 'baton-election', settings: { leaseMs: 2000 } };
const plDefault: Impl = { label: 'proper-lockfile default (stale 10 s, retry 100 ms)', impl: 'proper-lockfile', settings: { stale: 10_000, retryMs: 100 } };
const plFast: Impl = { label: 'proper-lockfile fastest (stale 2 s, update 1 s, retry 1 ms)', impl: 'proper-lockfile', settings: { stale: 2000, update: 1000, retryMs: 1 } };

async function participant(impl: Impl, dir: string): Promise<Fixture> {
  const f = spawnFixture(holderFixture, [impl.impl, dir, JSON.stringify(impl.settings)]);
  await f.waitForLine('ready');
  return f;
}

function nextLine(f: Fixture, prefix: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no '${prefix}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = f.onLine((line) => {
      if (!line.startsWith(prefix)) return;
      clearTimeout(timer);
      off();
      resolve(line.split(' ')[1] ?? '');
    });
  });
}

async function holderAndWaiter(impl: Impl, dir: string): Promise<[Fixture, Fixture]> {
  const holder = await participant(impl, dir);
  if (impl.impl !== 'baton-election') holder.send('acquire');
  // An election's first participant may lead before it prints 'ready': look at past lines too.
  await holder.waitForLine(/^acquired /, 30_000);
  const waiter = await participant(impl, dir);
  if (impl.impl !== 'baton-election') waiter.send('acquire');
  await sleep(50);
  return [holder, waiter];
}

/** Kill the holder, time until the waiter holds; repeat with a fresh waiter. */
async function failover(impl: Impl, kills: number): Promise<number[]> {
  const tmp = await makeTempDir();
  const times: number[] = [];
  try {
    let [holder, waiter] = await holderAndWaiter(impl, tmp.path);
    for (let i = 0; i < kills; i++) {
      const acquired = nextLine(waiter, 'acquired', 60_000);
      const start = now();
      holder.kill('SIGKILL');
      times.push(msSince(start, await acquired));
      holder = waiter;
      waiter = await participant(impl, tmp.path);
      if (impl.impl !== 'baton-election') waiter.send('acquire');
      await sleep(30);
    }
  } finally {
    await killAllFixtures();
    await tmp.cleanup();
  }
  return times;
}

/** Release (or resign), time until the waiter holds; the two processes take turns. */
async function handoff(impl: Impl, rounds: number): Promise<number[]> {
  const tmp = await makeTempDir();
  const times: number[] = [];
  try {
    let [holder, waiter] = await holderAndWaiter(impl, tmp.path);
    for (let i = 0; i < rounds; i++) {
      const acquired = nextLine(waiter, 'acquired', 30_000);
      const released = impl.impl === 'baton-election' ? undefined : nextLine(holder, 'released', 30_000);
      const start = now();
      holder.send(impl.impl === 'baton-election' ? 'resign' : 'release');
      times.push(msSince(start, await acquired));
      if (released) {
        await released;
        holder.send('acquire');
      }
      await sleep(impl.impl === 'baton-election' ? 5 : 20);
      [holder, waiter] = [waiter, holder];
    }
  } finally {
    await killAllFixtures();
    await tmp.cleanup();
  }
  return times;
}

/** SIGSTOP the holder: time until the waiter holds, then SIGCONT and time until the old holder knows. */
async function pauseTakeover(impl: Impl, rounds: number): Promise<{ takeover: number[]; lostNotice: number[] }> {
  const takeover: number[] = [];
  const lostNotice: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const tmp = await makeTempDir();
    try {
      const [holder, waiter] = await holderAndWaiter(impl, tmp.path);
      const acquired = nextLine(waiter, 'acquired', 60_000);
      const start = now();
      holder.kill('SIGSTOP');
      takeover.push(msSince(start, await acquired));
      const lost = nextLine(holder, 'lost', 15_000);
      const resumed = now();
      holder.kill('SIGCONT');
      const at = await lost.catch(() => undefined);
      if (at) lostNotice.push(msSince(resumed, at));
    } finally {
      await killAllFixtures();
      await tmp.cleanup();
    }
  }
  return { takeover, lostNotice };
}

/** Uncontended acquire+release per second, in this process; the two libraries alternate. */
async function throughput(rounds: number, iterations: number): Promise<{ baton: number; batonDurable: number; pl: number }> {
  const tmp = await makeTempDir();
  const results = { baton: [] as number[], batonDurable: [] as number[], pl: [] as number[] };
  try {
    const file = join(tmp.path, 'resource');
    writeFileSync(file, '');
    await mkdir(join(tmp.path, 'b'), { mode: 0o700 });
    for (let r = 0; r < rounds; r++) {
      let start = performance.now();
      for (let i = 0; i < iterations; i++) await (await acquireLock({ dir: join(tmp.path, 'b'), name: 'x', wait: false })).release();
      results.baton.push(iterations / ((performance.now() - start) / 1000));
      start = performance.now();
      for (let i = 0; i < iterations; i++) await (await acquireLock({ dir: join(tmp.path, 'b'), name: 'y', wait: false, durable: true })).release();
      results.batonDurable.push(iterations / ((performance.now() - start) / 1000));
      start = performance.now();
      for (let i = 0; i < iterations; i++) await (await lockfile.lock(file, { realpath: false }))();
      results.pl.push(iterations / ((performance.now() - start) / 1000));
    }
  } finally {
    await tmp.cleanup();
  }
  return { baton: percentile(results.baton, 50), batonDurable: percentile(results.batonDurable, 50), pl: percentile(results.pl, 50) };
}

/** Baton's p50 against proper-lockfile at its fastest settings (which polls every 1 ms). */
function versusFastest(fastest: number[], baton: number[]): string {
  const ratio = percentile(fastest, 50) / percentile(baton, 50);
  return ratio >= 1 ? `${round(ratio, ratio >= 10 ? 0 : 1)}x faster than fastest` : `${round(1 / ratio, 1)}x slower than fastest (which polls every 1 ms)`;
}

const summary = (values: number[]) => (values.length ? `${round(percentile(values, 50))} / ${round(percentile(values, 99))}` : 'n/a');

const rows: Row[] = [];
const raw: Record<string, unknown> = {};
const n = Number(process.env.BENCH_KILLS ?? (quick ? 10 : 50));

if (runs('throughput')) {
  progress('uncontended acquire+release ...');
  const tp = await throughput(5, quick ? 200 : 1000);
  rows.push({ measure: 'uncontended acquire+release (ops/s)', baton: `${Math.round(tp.baton)} (default), ${Math.round(tp.batonDurable)} (durable: true, fsync per grant)`, 'proper-lockfile default': Math.round(tp.pl), 'proper-lockfile fastest': 'same as default', ratio: `${round(tp.baton / tp.pl, 2)}x, ${round(tp.batonDurable / tp.pl, 2)}x` });
  raw.tp = tp;
}

if (runs('failover')) {
  progress(`failover after SIGKILL, ${n} kills ...`);
  const foBaton = await failover(batonLock, n);
  const foElection = await failover(batonElection, n);
  progress('failover, proper-lockfile (3 kills at default, 5 at fastest: each waits for its stale timeout) ...');
  const foPlDefault = await failover(plDefault, quick ? 1 : 3);
  const foPlFast = await failover(plFast, quick ? 2 : 5);
  rows.push({ measure: 'failover after SIGKILL of the holder, p50 / p99 (ms)', baton: `lock ${summary(foBaton)}; election ${summary(foElection)} (${n} kills each)`, 'proper-lockfile default': `${summary(foPlDefault)} (${foPlDefault.length} kills)`, 'proper-lockfile fastest': `${summary(foPlFast)} (${foPlFast.length} kills)`, ratio: versusFastest(foPlFast, foBaton) });
  Object.assign(raw, { foBaton, foElection, foPlDefault, foPlFast });
}

if (runs('handoff')) {
  progress(`handoff after release/resign, ${n} rounds ...`);
  const hoBaton = await handoff(batonLock, n);
  const hoElection = await handoff(batonElection, n);
  const hoPlDefault = await handoff(plDefault, quick ? 5 : 20);
  const hoPlFast = await handoff(plFast, quick ? 5 : 20);
  rows.push({ measure: 'handoff after release / resign, p50 / p99 (ms)', baton: `lock ${summary(hoBaton)}; election resign ${summary(hoElection)}`, 'proper-lockfile default': summary(hoPlDefault), 'proper-lockfile fastest': summary(hoPlFast), ratio: versusFastest(hoPlFast, hoBaton) });
  Object.assign(raw, { hoBaton, hoElection, hoPlDefault, hoPlFast });
}

if (runs('pause')) {
  progress('takeover after SIGSTOP of the holder ...');
  const psBaton = await pauseTakeover(batonElection, quick ? 2 : 10);
  const psPlFast = await pauseTakeover(plFast, quick ? 1 : 3);
  const psPlDefault = await pauseTakeover(plDefault, 1);
  rows.push({ measure: 'takeover after SIGSTOP of the holder, p50 / p99 (ms)', baton: `${summary(psBaton.takeover)} (lease 2000 ms)`, 'proper-lockfile default': summary(psPlDefault.takeover), 'proper-lockfile fastest': summary(psPlFast.takeover), ratio: 'by design: the lease / the stale time' });
  rows.push({ measure: 'paused holder learns it lost, after SIGCONT, p50 / p99 (ms)', baton: `${summary(psBaton.lostNotice)} (isLeader false at once)`, 'proper-lockfile default': `${summary(psPlDefault.lostNotice)} (ECOMPROMISED)`, 'proper-lockfile fastest': `${summary(psPlFast.lostNotice)} (ECOMPROMISED)`, ratio: '' });
  Object.assign(raw, { psBaton, psPlFast, psPlDefault });
}

if (runs('idle')) {
  const seconds = Number(process.env.IDLE_SECONDS ?? (quick ? 10 : 60));
  progress(`idle cost of an election's leader and follower (lease 2 s, defaults), ${seconds} s per window ...`);
  const dir = await makeTempDir();
  try {
    const leader = spawnFixture(idleFixture, [dir.path]);
    await leader.waitForLine('ready leader');
    const follower = spawnFixture(idleFixture, [dir.path]);
    await follower.waitForLine('ready follower');
    // Past start-up: V8 runs a few idle-time collections in the first seconds of a process.
    await sleep(5000);
    const [lead, follow] = await measureIdle([leader.pid, follower.pid], seconds);
    const show = (c: typeof lead) =>
      `${round(c!.cpuPercent, 3)}% CPU, ${round(c!.wakeupsPerSecond, 1)} wakeups/s, ${c!.fileOpsPerSecond === undefined ? 'file ops not counted (no strace)' : `${round(c!.fileOpsPerSecond, 2)} file ops/s`}`;
    rows.push({ measure: `idle election over ${seconds} s: follower; leader`, baton: `${show(follow)}; ${show(lead)}`, 'proper-lockfile default': '', 'proper-lockfile fastest': '', ratio: 'target: follower <= 0.3% CPU, <= 10 file ops/s' });
    raw.idle = { leader: lead, follower: follow };
  } finally {
    await killAllFixtures();
    await dir.cleanup();
  }
}

const table = markdownTable(rows);
process.stdout.write(`\n${table}\n\nmachine: ${machineDescription()}\n`);
const file = writeBenchResults(packageDir, only ? `lock-${only.replaceAll(',', '-')}` : 'lock', rows, { raw });
progress(`results: ${file}`);
