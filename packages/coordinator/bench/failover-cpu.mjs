// Where a failover's CPU goes: a group of `size` members (bench/fixtures/member.mjs on the built
// package), the leader SIGKILLed `kills` times. For each survivor, the CPU its threads ran
// (`/proc/<pid>/task/*/schedstat`) and its page faults, in the first 40 ms after the signal (about
// the failover itself here) and in the first 400 ms (with the new leader's member list and the
// reserve connections to the new standby). On two cores, the survivors' CPU in the first window
// over two is the least wall time a failover can take once the dying leader's sockets are closed.
//
//   node packages/coordinator/bench/failover-cpu.mjs [size = 10] [kills = 10]
//
// Linux only (it reads /proc). Prints one line per kill and the medians, with the machine's cost
// of a system call and of a page fault (see machineDescription in @baton/test-utils).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineDescription, spawnFixture } from '@baton/test-utils';
import { quietMs } from './fixtures/output.mjs';

if (process.platform !== 'linux') {
  process.stderr.write('failover-cpu.mjs reads /proc: Linux only\n');
  process.exit(2);
}
const size = Number(process.argv[2] ?? 10);
const kills = Number(process.argv[3] ?? 10);
if (!(size >= 3) || !(kills >= 1)) {
  process.stderr.write('usage: node failover-cpu.mjs [size >= 3] [kills >= 1]\n');
  process.exit(2);
}
const fixture = fileURLToPath(new URL('./fixtures/member.mjs', import.meta.url));
const windowsMs = [40, 400];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const children = [];
function start(dir, id) {
  const child = Object.assign(spawnFixture(fixture, [JSON.stringify({ dir, id, mode: 'group', leaseMs: 2000 })], { inheritStderr: true }), { id });
  children.push(child);
  return child;
}
const ready = (child) => child.waitForLine(/^ready /, 15_000);
/** CPU of all the process's threads (ms) and its minor page faults, now. */
function usage(pid) {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const faults = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  return { ms: ns / 1e6, faults };
}
const lastRole = (child) => child.lines.filter((l) => /^(role|ready) /.test(l)).at(-1) ?? '';
const standbyNamed = (child) => child.lines.filter((l) => l.startsWith('standby ')).at(-1)?.split(' ')[1];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(1);

const dir = mkdtempSync(join(tmpdir(), 'baton-failover-cpu-'));
const figures = windowsMs.map(() => ({ standby: [], follower: [], total: [], faults: [] }));
try {
  const members = [];
  let next = 0;
  for (let i = 0; i < size; i++) {
    const member = start(dir, `m${next++}`);
    await ready(member);
    members.push(member);
  }
  await sleep(2000);
  process.stdout.write(`${size} members, ${kills} SIGKILLs of the leader; CPU (ms) of each survivor's threads after the signal\n`);
  for (let k = 0; k < kills; k++) {
    const leader = members.find((m) => /^(role|ready) leader/.test(lastRole(m)));
    if (!leader) throw new Error('no member says it leads');
    const survivors = members.filter((m) => m !== leader);
    const standby = standbyNamed(survivors[0]);
    const before = survivors.map((m) => usage(m.pid));
    const signalledAt = performance.now();
    leader.kill('SIGKILL');
    const parts = [];
    for (const [w, windowMs] of windowsMs.entries()) {
      await sleep(Math.max(0, signalledAt + windowMs - performance.now()));
      const now = survivors.map((m) => usage(m.pid));
      const cpu = survivors.map((m, i) => ({ standby: m.id === standby, ms: now[i].ms - before[i].ms, faults: now[i].faults - before[i].faults }));
      const own = cpu.find((c) => c.standby);
      const others = cpu.filter((c) => !c.standby);
      const total = cpu.reduce((sum, c) => sum + c.ms, 0);
      if (own) figures[w].standby.push(own.ms);
      figures[w].follower.push(...others.map((c) => c.ms));
      figures[w].total.push(total);
      figures[w].faults.push(...cpu.map((c) => c.faults));
      parts.push(`${windowMs} ms: standby ${own ? fmt(own.ms) : '?'}, others ${others.map((c) => fmt(c.ms)).join(' ')}, all ${fmt(total)}`);
    }
    process.stdout.write(`kill ${k + 1}: ${parts.join('; ')}\n`);
    // Its lines are printed a moment after the failover (fixtures/output.mjs): the roles are current after quietMs.
    await sleep(quietMs);
    members.splice(members.indexOf(leader), 1);
    const member = start(dir, `m${next++}`);
    await ready(member);
    members.push(member);
    await sleep(1500);
  }
  process.stdout.write('\nmedians:\n');
  for (const [w, windowMs] of windowsMs.entries()) {
    const f = figures[w];
    process.stdout.write(`  first ${windowMs} ms: standby ${fmt(median(f.standby))}, another follower ${fmt(median(f.follower))}, all survivors ${fmt(median(f.total))} ms of CPU; page faults per survivor ${median(f.faults)}\n`);
  }
  process.stdout.write(`machine: ${machineDescription()}\n`);
} finally {
  for (const child of children) child.kill('SIGKILL');
  await sleep(300);
  rmSync(dir, { recursive: true, force: true });
}
