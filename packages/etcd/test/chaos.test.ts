// Chaos on a three-node etcd: 5 client processes contend for one name while a driver SIGKILLs
// (and respawns), SIGSTOPs and SIGCONTs them at random, and now and then SIGKILLs the etcd Raft
// leader member (and starts it again). Each process stops itself at the fault points (before a
// keep-alive, between seeing its key lowest and taking the name). Every process, while it
// believes it leads, writes through the etcd fence; the checker (test/checker.ts) proves that
// accepted writes never go back in token, each token is one process's, and no two terms believed
// they led at the same moment.
// CI runs it for CHAOS_SECONDS (default 20); `CHAOS_SECONDS=600 pnpm --filter @baton/etcd test:chaos` runs longer.
import { afterAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { continueWhenStopped, killAllFixtures, sleep, spawnFixture, waitFor, startEtcdCluster, stopAllEtcdClusters, watchObserved, type BeliefSpans, type EtcdCluster, type EtcdMember, type Fixture } from '@baton/test-utils';
import type { IKeyValue } from 'etcd3';
import { createEtcdClient, type Etcd3 } from '../src/index.js';
import { check } from './checker.js';
import { isLeaderNow, startContender } from './helpers.js';

const seconds = Number(process.env.CHAOS_SECONDS ?? 20);
const processes = 5;
const ttlMs = 2000;
/** After the last fault, a leader within the TTL plus a few seconds (an etcd leader election, a session's new lease). */
const leaderBoundMs = ttlMs + 5000;
const counterFixture = fileURLToPath(new URL('./fixtures/counter.ts', import.meta.url));

afterAll(async () => {
  await killAllFixtures();
  await stopAllEtcdClusters();
});

describe('chaos on etcd', () => {
  (process.platform === 'win32' ? it.skip : it)(`keeps one leader and fenced writes in order under SIGKILL/SIGSTOP of clients and of the etcd leader for ${seconds} s`, async () => {
    const cluster = await startEtcdCluster(3);
    const client = createEtcdClient({ hosts: cluster.endpoints });
    const name = 'chaos';
    const spans: BeliefSpans = new Map();
    let generation = 0;
    const counts = { kills: 0, pauses: 0, faultPauses: 0, etcdLeaderKills: 0, elections: 0 };
    /** When each fault began or ended (CLOCK_MONOTONIC, as the processes' spans): a leader is due within the bound of the last. */
    const faultEvents: bigint[] = [];
    const fault = () => void faultEvents.push(process.hrtime.bigint());
    interface Proc {
      fixture: Fixture;
      id: string;
      stopped: boolean;
    }
    const spawn = async (): Promise<Proc> => {
      const id = `p${generation++}`;
      const fixture = await startContender({ hosts: cluster.endpoints, id, name, ttlMs, chaos: true, writeEveryMs: 10, pause: { beforeAcquire: 0.2, beforeKeepAlive: 0.01 } });
      const proc = { fixture, id, stopped: false };
      watchObserved(spans, fixture, id);
      const handle = (line: string) => {
        if (line.startsWith('role leader')) counts.elections++;
        if (!line.startsWith('paused ')) return;
        counts.faultPauses++;
        fault();
        proc.stopped = true;
        // Continued only once it has stopped: this line can be read before it raises SIGSTOP.
        setTimeout(() => {
          void continueWhenStopped(fixture).then(() => {
            fault();
            proc.stopped = false;
          });
        }, Math.random() * ttlMs * 1.5);
      };
      fixture.lines.forEach(handle);
      fixture.onLine(handle);
      return proc;
    };
    try {
      const procs: Proc[] = [];
      for (let i = 0; i < processes; i++) procs.push(await spawn());
      const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;
      // The leader most of the time: that is where a kill or a pause tests something.
      const victimOf = (items: Proc[]) => {
        const leader = items.find((p) => !p.stopped && isLeaderNow(p.fixture));
        return leader && Math.random() < 0.7 ? leader : pick(items);
      };
      const etcdLeader = leaderKiller(cluster);
      const deadline = performance.now() + seconds * 1000;
      while (performance.now() < deadline) {
        await sleep(300 + Math.random() * 700);
        const roll = Math.random();
        if (roll < 0.3) {
          const victim = victimOf(procs);
          fault();
          victim.fixture.kill('SIGKILL');
          await victim.fixture.exited;
          counts.kills++;
          procs.splice(procs.indexOf(victim), 1, await spawn());
          fault();
        } else if (roll < 0.8) {
          const candidates = procs.filter((p) => !p.stopped);
          if (candidates.length > 2) {
            const victim = victimOf(candidates);
            fault();
            victim.fixture.kill('SIGSTOP');
            victim.stopped = true;
            counts.pauses++;
            setTimeout(() => {
              victim.stopped = false;
              victim.fixture.kill('SIGCONT');
              fault();
            }, ttlMs * (0.3 + Math.random() * 1.5));
          }
        } else if (roll < 0.9) {
          fault();
          if ((await etcdLeader.toggle()) === 'killed') counts.etcdLeaderKills++;
          fault();
        }
      }
      await etcdLeader.restore();
      for (const p of procs) {
        p.stopped = false;
        p.fixture.kill('SIGCONT');
      }
      fault();
      // The faults are over: a leader within the bound, found by the processes themselves.
      const quietFrom = performance.now();
      await waitFor(() => procs.some((p) => isLeaderNow(p.fixture)), { timeoutMs: leaderBoundMs, intervalMs: 20, what: `a leader within ${leaderBoundMs} ms of the last fault` });
      const leaderAfterQuietMs = Math.round(performance.now() - quietFrom);
      await sleep(ttlMs);
      await killAllFixtures();
      const result = await check(client, name, spans);
      const gaps = leaderlessGaps(spans, faultEvents);
      process.stdout.write(`etcd chaos figures: ${JSON.stringify({ seconds, processes, ttlMs, ...counts, acceptedWrites: result.writes, termsWithWrites: result.terms, leaderAfterQuietMs, longestGapAfterAFaultMs: Math.round(Math.max(0, ...gaps.map((g) => g.ms))) })}\n`);
      expect(result.violations).toEqual([]);
      // Never without a leader for longer than the bound after the last fault (a stuck election: a key kept alive
      // behind nobody, a watch cancelled for good).
      expect(gaps.filter((g) => g.ms > leaderBoundMs)).toEqual([]);
      expect(result.writes).toBeGreaterThan(0);
      expect(result.terms).toBeGreaterThan(1);
      expect(counts.kills + counts.pauses).toBeGreaterThan(0);
    } finally {
      await killAllFixtures();
      client.close();
      await cluster.stop();
    }
  }, (seconds + 120) * 1000);

  // Jepsen-style: writers increment one counter in a store while the driver SIGKILLs writers and kills (and starts
  // again) the etcd Raft leader member, which loses the answers of writes in flight to it. The key's whole history
  // then shows, per writer, how many writes it made: at least its acknowledged updates, and at most those plus the
  // ones reported unknown plus one in flight when it was killed. A write applied twice (an updater run again on top
  // of its own lost write) breaks the upper bound; each write id appears once.
  (process.platform === 'win32' ? it.skip : it)(`applies every acknowledged store update once, under SIGKILL of writers and of the etcd leader, for ${seconds} s`, async () => {
    const cluster = await startEtcdCluster(3);
    const client = createEtcdClient({ hosts: cluster.endpoints });
    const name = 'chaos-counter';
    const outcomes = new Map<string, { acks: number; unknown: number; failed: number; killedInFlight: number }>();
    let generation = 0;
    const counts = { writerKills: 0, etcdLeaderKills: 0 };
    const spawnWriter = async (): Promise<{ id: string; fixture: Fixture }> => {
      const id = `w${generation++}`;
      const fixture = spawnFixture(counterFixture, [JSON.stringify({ hosts: cluster.endpoints, id, name })]);
      const outcome = { acks: 0, unknown: 0, failed: 0, killedInFlight: 0 };
      outcomes.set(id, outcome);
      fixture.onLine((line) => {
        if (line.startsWith('ack ')) outcome.acks++;
        else if (line === 'unknown') outcome.unknown++;
        else if (line.startsWith('failed ')) outcome.failed++;
      });
      await fixture.waitForLine(/^ready$/, 30_000);
      return { id, fixture };
    };
    try {
      const writers = [];
      for (let i = 0; i < 4; i++) writers.push(await spawnWriter());
      const etcdLeader = leaderKiller(cluster);
      const deadline = performance.now() + seconds * 1000;
      while (performance.now() < deadline) {
        await sleep(500 + Math.random() * 1000);
        if (Math.random() < 0.5) {
          const victim = writers[Math.floor(Math.random() * writers.length)]!;
          victim.fixture.kill('SIGKILL');
          await victim.fixture.exited;
          // Its update in flight, if any, may have landed unacknowledged.
          outcomes.get(victim.id)!.killedInFlight = 1;
          counts.writerKills++;
          writers.splice(writers.indexOf(victim), 1, await spawnWriter());
        } else if ((await etcdLeader.toggle()) === 'killed') counts.etcdLeaderKills++;
      }
      await etcdLeader.restore();
      await sleep(1000);
      await killAllFixtures();
      for (const { id } of writers) outcomes.get(id)!.killedInFlight = 1;

      // The key's history, from its first write (nothing compacts it here).
      const key = `baton/state/${name}`;
      const history = await readHistory(client, key);
      const ids = history.map((h) => h.writeId);
      expect(new Set(ids).size).toBe(ids.length);
      const byWriter = new Map<string, number>();
      for (const h of history) byWriter.set(h.writer, (byWriter.get(h.writer) ?? 0) + 1);
      const violations: string[] = [];
      for (const [id, o] of outcomes) {
        const made = byWriter.get(id) ?? 0;
        if (made < o.acks || made > o.acks + o.unknown + o.killedInFlight) violations.push(`${id}: ${made} writes for ${JSON.stringify(o)}`);
      }
      // Each write is one increment of the value it read: the counter is the number of writes.
      expect(history.at(-1)?.n).toBe(history.length);
      const acks = [...outcomes.values()].reduce((sum, o) => sum + o.acks, 0);
      const unknown = [...outcomes.values()].reduce((sum, o) => sum + o.unknown, 0);
      process.stdout.write(`etcd store chaos figures: ${JSON.stringify({ seconds, ...counts, writes: history.length, acknowledged: acks, unknown })}\n`);
      expect(violations).toEqual([]);
      expect(acks).toBeGreaterThan(0);
    } finally {
      await killAllFixtures();
      client.close();
      await cluster.stop();
    }
  }, (seconds + 120) * 1000);
});

/**
 * The spans in which nobody believed it led (between one term's last moment and the next term's first), each
 * measured from its start or from the last fault event before its end, whichever is later.
 */
function leaderlessGaps(spans: BeliefSpans, faultEvents: readonly bigint[]): { from: bigint; ms: number }[] {
  const ordered = [...spans.values()].sort((a, b) => (a.first < b.first ? -1 : 1));
  const gaps: { from: bigint; ms: number }[] = [];
  for (let i = 1; i < ordered.length; i++) {
    const end = ordered[i]!.first;
    let from = ordered[i - 1]!.last;
    for (const at of faultEvents) if (at <= end && at > from) from = at;
    if (end > from) gaps.push({ from, ms: Number(end - from) / 1e6 });
  }
  return gaps;
}

/** Each toggle() kills the etcd Raft leader member, or starts again the one it killed last; restore() starts it again. */
function leaderKiller(cluster: EtcdCluster) {
  let down: EtcdMember | undefined;
  return {
    async toggle(): Promise<'killed' | 'restarted'> {
      if (down) {
        await cluster.restart(down);
        down = undefined;
        return 'restarted';
      }
      down = await cluster.leader();
      await cluster.kill(down);
      return 'killed';
    },
    async restore(): Promise<void> {
      if (down) await cluster.restart(down);
      down = undefined;
    },
  };
}

/** Every write of `key` from the start of etcd's history, in order: the envelope's writer id, write id and counter. */
async function readHistory(client: Etcd3, key: string): Promise<{ writer: string; writeId: string; n: number }[]> {
  const latest = Number((await client.get(key).exec()).header.revision);
  const watcher = await client.watch().key(key).startRevision('1').create();
  const history: { writer: string; writeId: string; n: number }[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the history of ${key} did not arrive within 20 s`)), 20_000);
      watcher.on('put', (kv: IKeyValue) => {
        const envelope = JSON.parse(kv.value.toString()) as { writer: { id: string }; writeId: string; payload: { n: number } };
        history.push({ writer: envelope.writer.id, writeId: envelope.writeId, n: envelope.payload.n });
        if (Number(kv.mod_revision) >= latest) {
          clearTimeout(timer);
          resolve();
        }
      });
      watcher.on('error', reject);
    });
  } finally {
    await watcher.cancel();
  }
  return history;
}
