// Paired comparison of two builds of Baton on the failover: one group of `size` members per build,
// each from its own checkout's built packages, with SIGKILLs of the leader alternating between the
// two groups, so that the machine's load falls on both alike (it moves the absolute figures by half
// or more from one hour to the next here). Measured as the bench does: from the signal until every
// follower has joined the new leader (its `joined` line). Prints p50 / p90 / p99 / mean per build.
//
//   node packages/coordinator/bench/paired.mjs <checkout A> <checkout B> [kills per build = 30] [size = 10]
//
// A checkout is a repository root whose packages are built (`pnpm build`); for an older commit:
// `git worktree add /tmp/a <commit> && cd /tmp/a && pnpm install --offline && pnpm build`.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { percentile, spawnFixture } from '@baton/test-utils';
import { quietMs } from './fixtures/output.mjs';

const [rootA, rootB, killsArg, sizeArg] = process.argv.slice(2);
if (!rootA || !rootB) {
  process.stderr.write('usage: node paired.mjs <checkout A> <checkout B> [kills per build] [size]\n');
  process.exit(2);
}
const kills = Number(killsArg ?? 30);
const size = Number(sizeArg ?? 10);
const builds = [
  { name: 'A', root: resolve(rootA) },
  { name: 'B', root: resolve(rootB) },
];
for (const build of builds) {
  build.fixture = join(build.root, 'packages/coordinator/bench/fixtures/member.mjs');
  build.dist = join(build.root, 'packages/coordinator/dist/index.js');
  if (!existsSync(build.fixture) || !existsSync(build.dist)) {
    process.stderr.write(`${build.root}: no built @baton/coordinator there (run pnpm build in it)\n`);
    process.exit(2);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const processes = [];
function start(build, dir, id) {
  const child = spawnFixture(build.fixture, [JSON.stringify({ dir, id, mode: 'group', leaseMs: 2000 })], { inheritStderr: true });
  processes.push(child);
  return child;
}
/** Waits (woken by each line, not polling) until `done()` holds. */
async function until(children, done, what, timeoutMs = 15_000) {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    let stopListening = [];
    await Promise.race([new Promise((r) => (stopListening = children.map((c) => c.onLine(r)))), sleep(50)]);
    for (const stop of stopListening) stop();
  }
}
const ready = (child) => until([child], () => child.lines.some((l) => l.startsWith('ready ')), 'a member to start');
const isLeader = (child) => /^(role|ready) leader/.test(child.lines.filter((l) => /^(role|ready) /.test(l)).at(-1) ?? '');

try {
  for (const build of builds) {
    build.dir = mkdtempSync(join(tmpdir(), `baton-paired-${build.name}-`));
    build.members = [];
    build.next = 0;
    build.times = [];
    for (let i = 0; i < size; i++) {
      const member = start(build, build.dir, `${build.name}${build.next++}`);
      await ready(member);
      build.members.push(member);
    }
  }
  await sleep(2000);
  for (let k = 0; k < kills; k++) {
    // A then B, then B then A: neither always follows the other's failover.
    for (const build of k % 2 ? [...builds].reverse() : builds) {
      const leader = build.members.find(isLeader);
      const followers = build.members.filter((m) => m !== leader);
      const marks = followers.map((f) => f.lines.length);
      const signalledAt = process.hrtime.bigint();
      leader.kill('SIGKILL');
      // Asleep during the failover: the members print their lines after it (see fixtures/output.mjs).
      await sleep(quietMs);
      await until(followers, () => followers.every((f, i) => f.lines.slice(marks[i]).some((l) => /^(joined|role leader) /.test(l))), 'every follower joined');
      let slowest = 0;
      for (const [i, f] of followers.entries()) {
        const joined = f.lines.slice(marks[i]).find((l) => l.startsWith('joined '));
        if (joined) slowest = Math.max(slowest, Number(BigInt(joined.split(' ')[1]) - signalledAt) / 1e6);
      }
      build.times.push(slowest);
      build.members.splice(build.members.indexOf(leader), 1);
      const member = start(build, build.dir, `${build.name}${build.next++}`);
      await ready(member);
      build.members.push(member);
      // At rest before the next kill, as in the bench.
      await sleep(1000);
    }
    process.stderr.write(`\r${k + 1} / ${kills}`);
  }
  process.stderr.write('\n');
  for (const build of builds) {
    const t = build.times;
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    process.stdout.write(`${build.name} ${build.root}: ${size} members, ${t.length} kills: p50 ${percentile(t, 50).toFixed(2)} / p90 ${percentile(t, 90).toFixed(2)} / p99 ${percentile(t, 99).toFixed(2)} ms, mean ${mean.toFixed(2)}\n`);
  }
  const [a, b] = builds.map((x) => percentile(x.times, 50));
  process.stdout.write(`B / A at p50: ${(b / a).toFixed(2)}\n`);
} finally {
  for (const child of processes) child.kill('SIGKILL');
  await sleep(300);
  for (const build of builds) if (build.dir) rmSync(build.dir, { recursive: true, force: true });
}
