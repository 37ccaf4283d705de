// node packages/coordinator/bench/relay-floor.mjs [rounds]   (the package built first)
// An experiment, not part of `pnpm bench`: how fast could a failover be if only the standby held a
// connection that the leader's death closes, and told the others (a relay), against the floor the
// bench compares the group with (every follower sees the death itself and exchanges one message with
// the standby)? 10 processes each: the victim, the standby, 8 clients. Rounds of 5 kills per design,
// the designs alternating; prints the time from the SIGKILL until the last client heard from the standby.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, spawnFixture } from '@baton/test-utils';
import { quietMs } from './fixtures/output.mjs';

const fixture = fileURLToPath(new URL('./fixtures/floor.mjs', import.meta.url));
const rounds = Number(process.argv[2] ?? 3);
const killsPerRound = 5;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(config) {
  const child = spawnFixture(fixture, [JSON.stringify(config)], { inheritStderr: true });
  await child.waitForLine(/^ready$/, 15_000);
  return child;
}

/** `kills` SIGKILLs of the victim; for each, ms from the signal until the last client's answer. */
async function trial(relay, kills) {
  const dir = mkdtempSync(join(tmpdir(), 'baton-relay-floor-'));
  const victimPath = join(dir, 'v.sock');
  const standbyPath = join(dir, 's.sock');
  const all = [];
  const spawnRole = async (role) => {
    const child = await start({ role, victim: victimPath, standby: standbyPath, dir, relay });
    all.push(child);
    return child;
  };
  try {
    await spawnRole('standby');
    let victim = await spawnRole('victim');
    const clients = [];
    for (let i = 0; i < 8; i++) clients.push(await spawnRole('client'));
    await sleep(1000);
    const times = [];
    for (let k = 0; k < kills; k++) {
      const marks = clients.map((c) => c.lines.length);
      const answer = (c, i) => c.lines.slice(marks[i]).find((l) => l.startsWith('answered'));
      const signalledAt = process.hrtime.bigint();
      victim.kill('SIGKILL');
      // Asleep during the failover: the fixtures print their lines after it (see fixtures/output.mjs).
      await sleep(quietMs);
      const deadline = Date.now() + 5000;
      while (!clients.every((c, i) => answer(c, i)) && Date.now() < deadline) await sleep(5);
      if (!clients.every((c, i) => answer(c, i))) throw new Error('a client had no answer within 5 s');
      times.push(Math.max(...clients.map((c, i) => Number(BigInt(answer(c, i).split(' ')[1]) - signalledAt) / 1e6)));
      if (victim.exitCode === null && victim.signalCode === null) await new Promise((resolve) => victim.once('exit', resolve));
      victim = await spawnRole('victim');
      await sleep(1000);
    }
    return times;
  } finally {
    for (const child of all) child.kill('SIGKILL');
    await sleep(100);
    rmSync(dir, { recursive: true, force: true });
  }
}

const floor = [];
const relayed = [];
for (let r = 0; r < rounds; r++) {
  process.stderr.write(`round ${r + 1} of ${rounds} ...\n`);
  floor.push(...(await trial(false, killsPerRound)));
  relayed.push(...(await trial(true, killsPerRound)));
}
const show = (xs) => `p50 ${percentile(xs, 50).toFixed(2)}, p90 ${percentile(xs, 90).toFixed(2)}, p99 ${percentile(xs, 99).toFixed(2)} ms (${xs.length} kills)`;
process.stdout.write(`floor (every client sees the death, asks the standby): ${show(floor)}\n`);
process.stdout.write(`relay (only the standby sees it, tells each client):   ${show(relayed)}\n`);
