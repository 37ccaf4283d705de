// Chaos on a three-node etcd: 5 client processes contend for one name while a driver SIGKILLs
// (and respawns), SIGSTOPs and SIGCONTs them at random, and now and then SIGKILLs the etcd Raft
// leader member (and starts it again). Each process stops itself at the fault points (before a
// keep-alive, between seeing its key lowest and taking the name). Every process, while it
// believes it leads, writes through the etcd fence; the checker (test/checker.ts) proves that
// accepted writes never go back in token, each token is one process's, and no two terms believed
// they led at the same moment.
// CI runs it for CHAOS_SECONDS (default 20); `CHAOS_SECONDS=600 pnpm --filter @baton/etcd test:chaos` runs longer.
import { afterAll, describe, expect, it } from '@jest/globals';
import { continueWhenStopped, killAllFixtures, sleep, startEtcdCluster, stopAllEtcdClusters, watchObserved, type BeliefSpans, type EtcdMember, type Fixture } from '@baton/test-utils';
import { createEtcdClient } from '../src/index.js';
import { check } from './checker.js';
import { isLeaderNow, startContender } from './helpers.js';

const seconds = Number(process.env.CHAOS_SECONDS ?? 20);
const processes = 5;
const ttlMs = 2000;

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
        proc.stopped = true;
        // Continued only once it has stopped: this line can be read before it raises SIGSTOP.
        setTimeout(() => {
          void continueWhenStopped(fixture).then(() => {
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
      let downMember: EtcdMember | undefined;
      const deadline = performance.now() + seconds * 1000;
      while (performance.now() < deadline) {
        await sleep(300 + Math.random() * 700);
        const roll = Math.random();
        if (roll < 0.3) {
          const victim = victimOf(procs);
          victim.fixture.kill('SIGKILL');
          await victim.fixture.exited;
          counts.kills++;
          procs.splice(procs.indexOf(victim), 1, await spawn());
        } else if (roll < 0.8) {
          const candidates = procs.filter((p) => !p.stopped);
          if (candidates.length > 2) {
            const victim = victimOf(candidates);
            victim.fixture.kill('SIGSTOP');
            victim.stopped = true;
            counts.pauses++;
            setTimeout(() => {
              victim.stopped = false;
              victim.fixture.kill('SIGCONT');
            }, ttlMs * (0.3 + Math.random() * 1.5));
          }
        } else if (roll < 0.9) {
          if (downMember) {
            await cluster.restart(downMember);
            downMember = undefined;
          } else {
            downMember = await cluster.leader();
            await cluster.kill(downMember);
            counts.etcdLeaderKills++;
          }
        }
      }
      if (downMember) await cluster.restart(downMember);
      for (const p of procs) {
        p.stopped = false;
        p.fixture.kill('SIGCONT');
      }
      await sleep(ttlMs);
      await killAllFixtures();
      const result = await check(client, name, spans);
      process.stdout.write(`etcd chaos figures: ${JSON.stringify({ seconds, processes, ttlMs, ...counts, acceptedWrites: result.writes, termsWithWrites: result.terms })}\n`);
      expect(result.violations).toEqual([]);
      expect(result.writes).toBeGreaterThan(0);
      expect(result.terms).toBeGreaterThan(1);
      expect(counts.kills + counts.pauses).toBeGreaterThan(0);
    } finally {
      await killAllFixtures();
      client.close();
      await cluster.stop();
    }
  }, (seconds + 120) * 1000);
});
