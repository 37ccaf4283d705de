// Chaos run of a group of real processes, for its figures: `size` members (bench/fixtures/member.mjs in chaos mode)
// for `seconds`, the leader SIGKILLed or SIGSTOPped (then SIGCONTed) again and again at random, with store increments
// and calls from the followers running throughout. Prints, for every SIGKILL, the time from the signal until every
// survivor had joined the next leader (the members' own CLOCK_MONOTONIC times), and for every SIGSTOP until the
// others followed a new leader; then checks, and counts, what must never happen: a fence regression (a write of an
// older term accepted after a newer one), a term written by two members, an acknowledged increment lost, a call run
// twice. Exits 1 if any count is not 0 or a failover after a SIGKILL took more than 1 s.
//
//   node packages/coordinator/bench/chaos.mjs [seconds = 180] [size = 10] [leaseMs = 2000] [seed]
//
// Run it on a quiet machine: figures that wake ten processes move with the load.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, spawnFixture } from '@baton/test-utils';
import { quietMs } from './fixtures/output.mjs';

const out = (line) => process.stdout.write(line + '\n');

const seconds = Number(process.argv[2] ?? 180);
const size = Number(process.argv[3] ?? 10);
const leaseMs = Number(process.argv[4] ?? 2000);
let seed = Number(process.argv[5] ?? Date.now() % 1_000_000);
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const fixture = fileURLToPath(new URL('./fixtures/member.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'baton-chaos-'));
const sharedFile = join(dir, 'shared.log');
const callsFile = join(dir, 'calls.log');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const members = [];
let nextId = 0;

function start() {
  const child = spawnFixture(fixture, [JSON.stringify({ dir, id: `m${nextId++}`, mode: 'group', leaseMs, chaos: { sharedFile, callsFile } })], { inheritStderr: true });
  const member = { child, id: `m${nextId - 1}`, dead: false, stopped: false };
  members.push(member);
  return member;
}
/** Waits (woken by each line) until `done()` holds. */
async function until(done, what, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    let stops = [];
    await Promise.race([new Promise((r) => (stops = members.map((m) => m.child.onLine(r)))), sleep(50)]);
    for (const stop of stops) stop();
  }
}
const awake = () => members.filter((m) => !m.dead && !m.stopped);
const roleOf = (m) => (m.child.lines.filter((l) => /^(role|ready) /.test(l)).at(-1) ?? '').split(' ')[1];
const lineAfter = (m, mark, pattern) => m.child.lines.slice(mark).find((l) => pattern.test(l));
async function send(m, command, answer) {
  const mark = m.child.lines.length;
  m.child.send(command);
  await until(() => lineAfter(m, mark, answer) !== undefined, `${m.id}: ${command}`);
  return lineAfter(m, mark, answer);
}

const kills = [];
const stops = [];
let acknowledged = 0;
let callId = 0;
const callLines = [];
const started = performance.now();
try {
  for (let i = 0; i < size; i++) {
    const m = start();
    await until(() => m.child.lines.some((l) => l.startsWith('ready ')), `${m.id} to start`);
  }
  await sleep(1000);
  process.stderr.write(`chaos: ${size} members, lease ${leaseMs} ms, ${seconds} s, seed ${seed}\n`);
  while (performance.now() - started < seconds * 1000) {
    await until(() => awake().filter((m) => roleOf(m) === 'leader').length === 1, 'one leader among the awake members');
    const leader = awake().find((m) => roleOf(m) === 'leader');
    const followers = awake().filter((m) => m !== leader);
    // An acknowledged write before the fault, and calls in flight across it.
    const writer = followers[Math.floor(random() * followers.length)];
    if ((await send(writer, 'incr', /^incremented /)) !== undefined) acknowledged++;
    for (const m of followers.slice(0, 3)) {
      const id = `c${callId++}`;
      const mark = m.child.lines.length;
      m.child.send(`call ${id}`);
      callLines.push(until(() => lineAfter(m, mark, new RegExp(`^called ${id} `)) !== undefined, `call ${id}`, 30_000).then(() => lineAfter(m, mark, new RegExp(`^called ${id} `))));
    }
    await sleep(random() * 200);
    const marks = new Map(followers.map((m) => [m, m.child.lines.length]));
    const signalled = process.hrtime.bigint();
    const joinedAt = (m) => {
      const line = lineAfter(m, marks.get(m), /^(joined|leading) /);
      return line === undefined ? undefined : BigInt(line.split(' ')[1]);
    };
    if (random() < 0.6) {
      leader.child.kill('SIGKILL');
      leader.dead = true;
      await sleep(quietMs);
      await until(() => followers.every((m) => joinedAt(m) !== undefined), `every survivor of ${leader.id} joined`);
      kills.push(Number(followers.reduce((max, m) => (joinedAt(m) > max ? joinedAt(m) : max), 0n) - signalled) / 1e6);
      const replacement = start();
      await until(() => replacement.child.lines.some((l) => l.startsWith('ready ')), `${replacement.id} to start`);
    } else {
      leader.child.kill('SIGSTOP');
      leader.stopped = true;
      await until(() => followers.every((m) => joinedAt(m) !== undefined), `every follower of paused ${leader.id} on a new leader`, leaseMs * 4 + 10_000);
      stops.push(Number(followers.reduce((max, m) => (joinedAt(m) > max ? joinedAt(m) : max), 0n) - signalled) / 1e6);
      const mark = leader.child.lines.length;
      leader.child.kill('SIGCONT');
      leader.stopped = false;
      await until(() => lineAfter(leader, mark, /^joined /) !== undefined, `${leader.id} back as a follower`);
    }
    process.stderr.write(`\r${kills.length} kills, ${stops.length} stops, ${Math.round((performance.now() - started) / 1000)} s`);
  }
  process.stderr.write('\n');
  const answers = await Promise.all(callLines);
  // Settle, then the last write everywhere.
  const last = awake()[0];
  const final = Number((await send(last, 'incr', /^incremented /)).split(' ')[1]);
  acknowledged++;
  await until(() => awake().every((m) => m.child.lines.some((l) => l.startsWith('changed ') && Number(l.split(' ')[1]) >= final) || m === last), 'the last version everywhere');
  const values = await Promise.all(awake().map(async (m) => Number((await send(m, 'status', /^status /)).split(' ')[3])));

  const writes = readFileSync(sharedFile, 'utf8').trim().split('\n').map((l) => l.split(' '));
  let regressions = 0;
  const holders = new Map();
  for (let i = 0; i < writes.length; i++) {
    const [token, id] = writes[i];
    if (i > 0 && Number(token) < Number(writes[i - 1][0])) regressions++;
    holders.set(token, (holders.get(token) ?? new Set()).add(id));
  }
  const sharedTerms = [...holders.values()].filter((ids) => ids.size > 1).length;
  const ran = readFileSync(callsFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' ')[0]);
  const twice = ran.length - new Set(ran).size;
  const lost = values.filter((n) => n !== acknowledged).length;
  const ok = answers.filter((l) => / ok /.test(l)).length;
  const summary = (xs) => (xs.length === 0 ? '-' : `p50 ${percentile(xs, 50).toFixed(1)} / p99 ${percentile(xs, 99).toFixed(1)} / max ${Math.max(...xs).toFixed(1)} ms`);
  const late = kills.filter((ms) => ms > 1000).length;
  out(`chaos ${seconds} s, ${size} members, lease ${leaseMs} ms:`);
  out(`  SIGKILL of the leader: ${kills.length}, until every survivor joined the next: ${summary(kills)}; over 1 s: ${late}`);
  out(`  SIGSTOP of the leader: ${stops.length}, until the others followed a new leader: ${summary(stops)}`);
  out(`  fence regressions ${regressions}, terms written by two members ${sharedTerms}, acknowledged increments ${acknowledged} (members short of them: ${lost}), calls ${answers.length} (ok ${ok}, run twice ${twice})`);
  process.exitCode = regressions + sharedTerms + lost + twice + late === 0 ? 0 : 1;
} finally {
  for (const m of members) {
    if (m.stopped) m.child.kill('SIGCONT');
    m.child.kill('SIGKILL');
  }
  await sleep(200);
  rmSync(dir, { recursive: true, force: true });
}
