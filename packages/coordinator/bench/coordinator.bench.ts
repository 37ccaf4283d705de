// pnpm --filter @baton/coordinator bench
// What a group costs and gives, with real processes: idle CPU, wakeups and file operations of a
// group follower beside a plain election follower and the floor (plain Node processes with the
// same traffic and nothing else); failover after SIGKILL of the leader until
// every follower is joined to the new leader with the latest version, and takeover after SIGSTOP
// (within the lease), beside the floor (plain processes doing only the least a failover needs);
// set() in one member -> onDidChange in the others with 10 members, pushed
// (group) beside the directory watch alone and the 1 s polling recipe, in one run; heap added
// per member.
// BENCH_QUICK=1 for a short run; BENCH_ONLY=idle,failover,pause,push,heap for parts; IDLE_SECONDS, BENCH_KILLS, BENCH_STOPS, BENCH_SETS;
// BENCH_REST_MS (rest before each kill, default 1000); BENCH_NODE_ARGS (node options for every member and floor
// process, e.g. --no-lazy, to see what compiling the failover path costs).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  killAllFixtures,
  makeTempDir,
  markdownTable,
  machineDescription,
  measureIdle,
  percentile,
  round,
  sleep,
  spawnFixture,
  waitFor,
  writeBenchResults,
  type Fixture,
  type IdleCost,
  type Row,
} from '@baton/test-utils';

const quick = process.env.BENCH_QUICK === '1';
const only = process.env.BENCH_ONLY;
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const runs = (part: string) => !only || only.split(',').includes(part);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const memberFixture = fileURLToPath(new URL('./fixtures/member.mjs', import.meta.url));
const floorFixture = fileURLToPath(new URL('./fixtures/floor.mjs', import.meta.url));
const idleFloorFixture = fileURLToPath(new URL('./fixtures/idle-floor.mjs', import.meta.url));
const progress = (text: string) => process.stderr.write(`${text}\n`);
const nowNs = () => process.hrtime.bigint();

type Mode = 'group' | 'watch' | 'poll' | 'election';

/** `leaseMs` undefined: the package's default. */
async function start(dir: string, id: string, mode: Mode, leaseMs?: number): Promise<Fixture> {
  const f = spawnFixture(memberFixture, [JSON.stringify({ dir, id, mode, leaseMs })], { env: { NODE_OPTIONS: '--expose-gc' }, nodeArgs });
  await f.waitForLine(/^ready /);
  return f;
}

function after(f: Fixture, pattern: RegExp, from: number): string | undefined {
  return f.lines.slice(from).find((l) => pattern.test(l));
}

const summary = (xs: number[]) => `${round(percentile(xs, 50), 2)} / ${round(percentile(xs, 99), 2)}`;
const rows: Row[] = [];
const raw: Record<string, unknown> = {};

if (runs('idle')) {
  const seconds = Number(process.env.IDLE_SECONDS ?? (quick ? 10 : 60));
  // The group's defaults (lease 5 s, heartbeat 5 s), and a lease of 2 s (the plain election's
  // default) with the default heartbeat; all measured in one window, under the same conditions.
  const configs = [
    { label: 'defaults: lease 5 s, heartbeat 5 s', leaseMs: undefined, shownLeaseMs: 5000 },
    { label: 'lease 2 s, heartbeat 5 s', leaseMs: 2000, shownLeaseMs: 2000 },
  ];
  const heartbeatMs = 5000;
  progress(`idle: two groups of 3 (one store each; ${configs.map((c) => c.label).join(' / ')}), a plain election of 2 and the floor, ${seconds} s per window ...`);
  const dirs = [await makeTempDir(), await makeTempDir(), await makeTempDir()];
  try {
    const followers: Fixture[][] = [];
    const floors: Fixture[][] = [];
    for (const [i, config] of configs.entries()) {
      const dir = dirs[i]!.path;
      await start(dir, 'leader', 'group', config.leaseMs);
      followers.push([await start(dir, 'f1', 'group', config.leaseMs), await start(dir, 'f2', 'group', config.leaseMs)]);
      // The floor: plain Node processes with a follower's traffic at rest and nothing else. The
      // leader renews every 40% of the lease; the standby hears of every renewal, and every
      // follower of one per half heartbeat, which it answers.
      const renewMs = config.shownLeaseMs * 0.4;
      const k = Math.ceil(heartbeatMs / 2 / renewMs);
      const pair: Fixture[] = [];
      for (const [everyMs, answerEvery] of [[renewMs, k], [renewMs * k, 1]] as const) {
        const path = join(dir, `idle-floor-${everyMs}.sock`);
        const server = spawnFixture(idleFloorFixture, [JSON.stringify({ role: 'server', path, everyMs })]);
        await server.waitForLine(/^ready/);
        const client = spawnFixture(idleFloorFixture, [JSON.stringify({ role: 'client', path, answerEvery })]);
        await client.waitForLine(/^ready/);
        pair.push(client);
      }
      floors.push(pair);
    }
    const electionDir = dirs[2]!.path;
    await start(electionDir, 'e-leader', 'election', 2000);
    const electionFollower = await start(electionDir, 'e-follower', 'election', 2000);
    // Past start-up: V8 runs a few idle-time collections in the first seconds of a process.
    await sleep(5000);
    const pids = [electionFollower.pid, ...followers.flat().map((f) => f.pid), ...floors.flat().map((f) => f.pid)];
    const costs = await measureIdle(pids, seconds);
    const cost = (pid: number) => costs.find((c) => c.pid === pid)!;
    // CPU from the clock ticks (the target's measure), and in brackets from the scheduler's run time (finer).
    const showCpu = (c: IdleCost) => `${round(c.cpuPercent, 3)}% CPU${c.runPercent === undefined ? '' : ` (${round(c.runPercent, 3)}%)`}, ${round(c.wakeupsPerSecond, 1)} wakeups/s`;
    const show = (c: IdleCost) => `${showCpu(c)}, ${c.fileOpsPerSecond === undefined ? 'file ops not counted (no strace)' : `${round(c.fileOpsPerSecond, 2)} file ops/s`}`;
    for (const [i, config] of configs.entries()) {
      // The leader names the standby (the follower on its highest descriptor): ask, rather than assume.
      const named = followers[i]!.map((f) => f.lines.filter((l) => l.startsWith('standby ')).at(-1)?.split(' ')[1]);
      const standbyIndex = ['f1', 'f2'].indexOf(named[0] ?? '');
      if (standbyIndex < 0 || named[1] !== named[0]) throw new Error(`idle: the followers name different standbys, or neither of them: ${named.join(', ')}`);
      const standby = followers[i]![standbyIndex]!;
      const other = followers[i]![1 - standbyIndex]!;
      const [standbyFloor, otherFloor] = floors[i]!;
      rows.push({
        measure: `idle follower over ${seconds} s (${config.label}): the standby; another follower`,
        group: `${show(cost(standby.pid))}; ${show(cost(other.pid))}`,
        'plain election / peers': `${i === 0 ? `plain election follower (lease 2 s): ${show(cost(electionFollower.pid))}; ` : ''}floor, a plain Node process with the same traffic and nothing else: ${showCpu(cost(standbyFloor!.pid))}; ${showCpu(cost(otherFloor!.pid))}`,
        target: 'group <= 0.1% and <= 2 file ops/s; election <= 0.3% and <= 10',
      });
    }
    raw.idle = costs;
  } finally {
    await killAllFixtures();
    for (const dir of dirs) await dir.cleanup();
  }
}

/** Before each kill: every process started a second or more before it (as in use, where members start long before a failover). */
const restMs = Number(process.env.BENCH_REST_MS ?? 1000);
/**
 * After each kill the bench sleeps this long before it looks at the members' lines, which they
 * print after the failover (`quietMs` in fixtures/output.mjs, the same value): looking every 5 ms,
 * with the members printing at once, put about twenty wakeups of this process into each failover.
 */
const failoverQuietMs = 150;

interface Failovers {
  /** From the signal until the last follower is done (ms). */
  readonly fromSignal: number[];
  /** From the first follower seeing the leader's connection end (the kernel tearing the killed process down comes before it). */
  readonly fromDeath: number[];
}

/**
 * Stops the leader of `size` members `count` times with `signal` and measures, from the signal,
 * until every other member is joined to the new leader with the latest version. A SIGSTOPped
 * leader is continued afterwards and must come back as a follower; a SIGKILLed one is replaced.
 */
async function failovers(signal: 'SIGKILL' | 'SIGSTOP', count: number, leaseMs: number, size = 10): Promise<Failovers> {
  const dir = await makeTempDir();
  const result: Failovers = { fromSignal: [], fromDeath: [] };
  try {
    const members: Fixture[] = [];
    for (let i = 0; i < size; i++) members.push(await start(dir.path, `m${i}`, 'group', leaseMs));
    let next = size;
    // One write, so "has the latest version" means something.
    members[1]!.send('set');
    await waitFor(() => members[1]!.lines.some((l) => l.startsWith('set ')), { what: 'first write' });
    const version = () => Number(members.flatMap((m) => m.lines.filter((l) => l.startsWith('set '))).map((l) => l.split(' ')[1]).sort((a, b) => Number(b) - Number(a))[0] ?? 0);
    // At rest before the first kill as before every other (see below).
    await sleep(restMs);
    for (let k = 0; k < count; k++) {
      const leaderIndex = members.findIndex((m) => /^role leader|^ready leader/.test(m.lines.filter((l) => /^(role|ready) /.test(l)).at(-1) ?? ''));
      const leader = members[leaderIndex]!;
      const followers = members.filter((m) => m !== leader);
      const marks = followers.map((f) => f.lines.length);
      const latest = version();
      const leaderMark = leader.lines.length;
      const signalledAt = nowNs();
      leader.kill(signal);
      // Asleep while the members fail over (they print their lines afterwards; see member.mjs).
      await sleep(failoverQuietMs);
      await waitFor(() => followers.every((f, i) => after(f, /^joined /, marks[i]!) || after(f, /^role leader /, marks[i]!)), { timeoutMs: leaseMs + 10_000, intervalMs: 20, what: 'every follower joined to the new leader' });
      let slowest = 0;
      let firstLost = Infinity;
      for (const [i, f] of followers.entries()) {
        const lost = after(f, /^lost /, marks[i]!);
        if (lost) firstLost = Math.min(firstLost, Number(BigInt(lost.split(' ')[1]!) - signalledAt) / 1e6);
        const joined = after(f, /^joined /, marks[i]!);
        if (!joined) continue; // the new leader itself
        const [, at, v] = joined.split(' ');
        if (Number(v) < latest) throw new Error(`a follower joined with version ${v}, below ${latest}`);
        slowest = Math.max(slowest, Number(BigInt(at!) - signalledAt) / 1e6);
      }
      result.fromSignal.push(slowest);
      if (Number.isFinite(firstLost)) result.fromDeath.push(slowest - firstLost);
      if (signal === 'SIGSTOP') {
        leader.kill('SIGCONT');
        await waitFor(() => after(leader, /^joined /, leaderMark) !== undefined, { timeoutMs: 10_000, what: 'the continued leader to rejoin as a follower' });
      } else {
        members.splice(leaderIndex, 1);
        members.push(await start(dir.path, `m${next++}`, 'group', leaseMs));
      }
      // A group at rest, not one still starting a member: a new process spends its first second
      // compiling and collecting, on the same two cores.
      await sleep(restMs);
    }
  } finally {
    await killAllFixtures();
    await dir.cleanup();
  }
  return result;
}

/**
 * The same kill with nothing but the least a failover needs: `size` processes, the victim (a
 * group leader's size, so the kernel takes as long to tear it down), a standby and the clients,
 * connected to both from the start, which each exchange one message with the standby when the
 * victim's connection ends. Measured like the group, until the last client has its answer.
 */
async function floorFailovers(count: number, size = 10): Promise<Failovers> {
  const dir = await makeTempDir();
  const result: Failovers = { fromSignal: [], fromDeath: [] };
  const victim = join(dir.path, 'victim.sock');
  const standby = join(dir.path, 'standby.sock');
  const spawnRole = async (role: string) => {
    const f = spawnFixture(floorFixture, [JSON.stringify({ role, victim, standby, dir: dir.path })], { nodeArgs });
    await f.waitForLine(/^ready/);
    return f;
  };
  try {
    await spawnRole('standby');
    let current = await spawnRole('victim');
    const clients: Fixture[] = [];
    for (let i = 0; i < size - 2; i++) clients.push(await spawnRole('client'));
    await sleep(restMs);
    for (let k = 0; k < count; k++) {
      await waitFor(() => clients.every((c) => c.lines.at(-1) === 'watching'), { what: 'every client watching the victim' });
      const marks = clients.map((c) => c.lines.length);
      const signalledAt = nowNs();
      current.kill('SIGKILL');
      await sleep(failoverQuietMs);
      await waitFor(() => clients.every((c, i) => after(c, /^answered /, marks[i]!)), { timeoutMs: 10_000, intervalMs: 20, what: 'every client answered' });
      const at = (c: Fixture, i: number, pattern: RegExp) => Number(BigInt(after(c, pattern, marks[i]!)!.split(' ')[1]!) - signalledAt) / 1e6;
      const slowest = Math.max(...clients.map((c, i) => at(c, i, /^answered /)));
      result.fromSignal.push(slowest);
      result.fromDeath.push(slowest - Math.min(...clients.map((c, i) => at(c, i, /^lost /))));
      await current.exited;
      current = await spawnRole('victim');
      await sleep(restMs);
    }
  } finally {
    await killAllFixtures();
    await dir.cleanup();
  }
  return result;
}

if (runs('failover')) {
  const kills = Number(process.env.BENCH_KILLS ?? (quick ? 10 : 30));
  for (const size of [10, 3]) {
    progress(`failover: ${size} members, ${kills} SIGKILLs of the leader; the floor (${size} plain processes, one message each) alternating ...`);
    const group: Failovers = { fromSignal: [], fromDeath: [] };
    const floor: Failovers = { fromSignal: [], fromDeath: [] };
    // The first failover a set of processes goes through runs cold code (lazily compiled, no
    // type feedback), in the floor as in the group; later ones find it warm. Shown apart.
    const first = { group: [] as number[], floor: [] as number[] };
    const later = { group: [] as number[], floor: [] as number[] };
    // Alternating rounds, so a change in the machine's load falls on both.
    const rounds = Math.min(kills, 10);
    for (let r = 0; r < rounds; r++) {
      const share = Math.floor(kills / rounds) + (r < kills % rounds ? 1 : 0);
      const g = await failovers('SIGKILL', share, 2000, size);
      const f = await floorFailovers(share, size);
      for (const [k, xs] of [['group', g.fromSignal], ['floor', f.fromSignal]] as const) {
        first[k].push(...xs.slice(0, 1));
        later[k].push(...xs.slice(1));
      }
      group.fromSignal.push(...g.fromSignal);
      group.fromDeath.push(...g.fromDeath);
      floor.fromSignal.push(...f.fromSignal);
      floor.fromDeath.push(...f.fromDeath);
    }
    const ratio = round(percentile(group.fromSignal, 99) / percentile(floor.fromSignal, 99), 2);
    rows.push({
      measure: `failover after SIGKILL of the leader, ${size} members, until every follower is joined with the latest version, p50 / p99 (ms), ${kills} kills; in brackets from the first follower seeing the death`,
      group: `${summary(group.fromSignal)} (${summary(group.fromDeath)}); first failover of the processes ${summary(first.group)}, later ones ${summary(later.group)}`,
      'plain election / peers': `floor, ${size} plain processes exchanging one message: ${summary(floor.fromSignal)} (${summary(floor.fromDeath)}); first ${summary(first.floor)}, later ${summary(later.floor)}; group p99 / floor p99 ${ratio}x`,
      target: 'p99 < 20 ms',
    });
    raw[`failover${size}`] = { group, floor, first, later };
  }
}

if (runs('pause')) {
  const stops = Number(process.env.BENCH_STOPS ?? (quick ? 3 : 10));
  const leaseMs = 2000;
  progress(`pause: 10 members, ${stops} SIGSTOPs of the leader (lease ${leaseMs} ms) ...`);
  const times = (await failovers('SIGSTOP', stops, leaseMs)).fromSignal;
  rows.push({ measure: `takeover after SIGSTOP of the leader (lease ${leaseMs} ms), 10 members, until every follower is joined to the new leader, p50 / max (ms), ${stops} stops`, group: `${round(percentile(times, 50), 1)} / ${round(Math.max(...times), 1)}`, 'plain election / peers': '', target: `within the lease: about ${leaseMs} ms, the paused leader's last renewal being up to 40% of the lease old` });
  raw.pause = times;
}

if (runs('push')) {
  const sets = Number(process.env.BENCH_SETS ?? (quick ? 30 : 200));
  progress(`push: 10 members, ${sets} set()s each for group / watch / 1 s poll, alternating ...`);
  const latencies: Record<'group' | 'watch' | 'poll', number[]> = { group: [], watch: [], poll: [] };
  // The same deliveries counted from the set() call: never negative, and it includes the write itself.
  const fromCall: Record<'group' | 'watch' | 'poll', number[]> = { group: [], watch: [], poll: [] };
  const dirs = { group: await makeTempDir(), watch: await makeTempDir(), poll: await makeTempDir() };
  try {
    const sets10: Record<string, Fixture[]> = {};
    for (const mode of ['group', 'watch', 'poll'] as const) {
      sets10[mode] = [];
      for (let i = 0; i < 10; i++) sets10[mode]!.push(await start(dirs[mode].path, `${mode}${i}`, mode));
    }
    const pollSets = Math.min(sets, quick ? 5 : 20);
    for (let i = 0; i < sets; i++) {
      for (const mode of ['group', 'watch', 'poll'] as const) {
        if (mode === 'poll' && i >= pollSets) continue;
        const members = sets10[mode]!;
        const writer = members[i % members.length]!;
        const readers = members.filter((m) => m !== writer);
        const marks = readers.map((r) => r.lines.length);
        const mark = writer.lines.length;
        writer.send('set');
        await waitFor(() => after(writer, /^set /, mark) !== undefined, { what: 'set' });
        const [, version, at, called] = after(writer, /^set /, mark)!.split(' ');
        const changed = new RegExp(`^changed ${version} `);
        await waitFor(() => readers.every((r, j) => after(r, changed, marks[j]!)), { timeoutMs: 5000, what: `version ${version} in every ${mode} member` });
        for (const [j, r] of readers.entries()) {
          const seen = BigInt(after(r, changed, marks[j]!)!.split(' ')[2]!);
          latencies[mode].push(Number(seen - BigInt(at!)) / 1e6);
          fromCall[mode].push(Number(seen - BigInt(called!)) / 1e6);
        }
      }
    }
    rows.push({
      measure: `set() resolved in one member -> onDidChange in each of the 9 others, p50 / p99 (ms)`,
      group: `${summary(latencies.group)} (${latencies.group.length} deliveries); from the set() call ${summary(fromCall.group)}`,
      'plain election / peers': `watch only ${summary(latencies.watch)}, from the call ${summary(fromCall.watch)}; 1 s polling ${summary(latencies.poll)} (${latencies.poll.length} deliveries)`,
      target: "p50 < 1, p99 < 5 (negative: the change arrived before the writer's set() resolved)",
    });
    raw.push = { fromResolved: latencies, fromCall };
  } finally {
    await killAllFixtures();
    for (const d of Object.values(dirs)) await d.cleanup();
  }
}

if (runs('heap')) {
  progress('heap added per member ...');
  const dir = await makeTempDir();
  try {
    const heaps: number[] = [];
    for (let i = 0; i < 5; i++) {
      const f = await start(dir.path, `h${i}`, 'group');
      heaps.push(Number(f.lines.find((l) => l.startsWith('heap '))!.split(' ')[1]) / 1024 / 1024);
    }
    rows.push({ measure: 'heap added by joining a group with one store (MB, after gc), leader; followers', group: heaps.map((h) => round(h, 2)).join('; '), 'plain election / peers': '', target: '< 5 MB' });
    raw.heap = heaps;
  } finally {
    await killAllFixtures();
    await dir.cleanup();
  }
}

process.stdout.write(`\n${markdownTable(rows)}\n\nmachine: ${machineDescription()}\n`);
const file = writeBenchResults(packageDir, only ? `coordinator-${only.replaceAll(',', '-')}` : 'coordinator', rows, { raw });
progress(`results: ${file}`);
