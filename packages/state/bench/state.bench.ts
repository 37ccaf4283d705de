// pnpm --filter @baton/state bench
// Propagation latency from set() in process A to onDidChange in process B (watch mode, and the 1 s
// polling of the common recipe); update() throughput with 1, 4 and 8 contending processes beside
// proper-lockfile + write-file-atomic; log appends/s.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  type Row,
  importBuilt,
} from '@baton/test-utils';
import type * as State from '../src/index.js';

const { openLog, openStore } = await importBuilt<typeof State>(new URL('..', import.meta.url));

const quick = process.env.BENCH_QUICK === '1';
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const watcherFixture = fileURLToPath(new URL('../test/fixtures/watcher.ts', import.meta.url));
const contenderFixture = fileURLToPath(new URL('./fixtures/contender.ts', import.meta.url));
const progress = (text: string) => process.stderr.write(`${text}\n`);

const writeTimes: number[] = [];

async function propagation(mode: 'auto' | 'poll1s', samples: number): Promise<number[]> {
  const tmp = await makeTempDir();
  try {
    const watcher = spawnFixture(watcherFixture, [tmp.path, mode === 'auto' ? 'auto' : 'poll-1s']);
    await watcher.waitForLine('ready');
    const store = await openStore<number>({ dir: tmp.path, name: 'shared', initial: 0, watch: false });
    const times: number[] = [];
    for (let i = 1; i <= samples; i++) {
      const start = process.hrtime.bigint();
      const seen = watcher.waitForLine(new RegExp(`^change ${i} `), 5000);
      await store.set(i);
      if (mode === 'auto') writeTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
      const line = await seen;
      times.push(Number(BigInt(line.split(' ')[4]!) - start) / 1e6);
      // Writes land at a random point of the poller's period, as they would in use.
      await sleep(mode === 'auto' ? 5 : Math.random() * 1000);
    }
    await store.close();
    return times;
  } finally {
    await killAllFixtures();
    await tmp.cleanup();
  }
}

async function contention(impl: 'baton' | 'baseline', processes: number, perProcess: number): Promise<{ rate: number; final: number }> {
  const tmp = await makeTempDir();
  try {
    const workers = Array.from({ length: processes }, () => spawnFixture(contenderFixture, [impl, tmp.path, String(perProcess)]));
    await Promise.all(workers.map((w) => w.waitForLine('ready')));
    if (impl === 'baseline') writeFileSync(join(tmp.path, 'baseline.json'), '0');
    const start = performance.now();
    for (const w of workers) w.send('go');
    await Promise.all(workers.map((w) => w.waitForLine('done', 300_000)));
    const rate = (processes * perProcess) / ((performance.now() - start) / 1000);
    const final =
      impl === 'baton'
        ? (JSON.parse(readFileSync(join(tmp.path, 'bench.state.json'), 'utf8')) as { payload: number }).payload
        : Number(readFileSync(join(tmp.path, 'baseline.json'), 'utf8'));
    return { rate, final };
  } finally {
    await killAllFixtures();
    await tmp.cleanup();
  }
}

async function appends(count: number): Promise<number> {
  const tmp = await makeTempDir();
  try {
    const log = await openLog<{ n: number; msg: string }>({ dir: tmp.path, name: 'bench', watch: false });
    const start = performance.now();
    for (let n = 0; n < count; n++) await log.append({ n, msg: 'worker restarted' });
    const rate = count / ((performance.now() - start) / 1000);
    await log.close();
    return rate;
  } finally {
    await tmp.cleanup();
  }
}

const rows: Row[] = [];
const raw: Record<string, unknown> = {};
const ms = (values: number[]) => `${round(percentile(values, 50), 2)} / ${round(percentile(values, 99), 2)}`;

progress('propagation, watch mode ...');
const watchTimes = await propagation('auto', quick ? 30 : 200);
progress('propagation, 1 s polling ...');
const pollTimes = await propagation('poll1s', quick ? 4 : 20);
raw.watch = watchTimes;
raw.poll = pollTimes;
rows.push({ measure: 'set() in A -> onDidChange in B, p50 / p99 (ms), durable write included', baton: `${ms(watchTimes)} (directory watch)`, baseline: `${ms(pollTimes)} (1 s polling)`, ratio: `${round(percentile(pollTimes, 50) / percentile(watchTimes, 50), 0)}x faster p50` });
raw.writes = writeTimes;
rows.push({ measure: '...of which the durable set() itself, p50 / p99 (ms)', baton: ms(writeTimes), baseline: '-', ratio: '' });

for (const processes of [1, 4, 8]) {
  const perProcess = quick ? 50 : processes === 1 ? 500 : 250;
  progress(`update() with ${processes} contending processes ...`);
  const ours = await contention('baton', processes, perProcess);
  const theirs = await contention('baseline', processes, perProcess);
  raw[`contention${processes}`] = { ours, theirs };
  const expected = processes * perProcess;
  rows.push({
    measure: `update() with ${processes} process${processes > 1 ? 'es' : ''} (updates/s; lost updates)`,
    baton: `${Math.round(ours.rate)}; lost ${expected - ours.final}`,
    baseline: `${Math.round(theirs.rate)}; lost ${expected - theirs.final}`,
    ratio: `${round(ours.rate / theirs.rate, 2)}x`,
  });
}

progress('log appends ...');
const appendRate = await appends(quick ? 5000 : 50_000);
raw.appends = appendRate;
rows.push({ measure: 'log appends/s (one process, not durable)', baton: Math.round(appendRate), baseline: '-', ratio: '' });

process.stdout.write(`\n${markdownTable(rows)}\n\nmachine: ${machineDescription()}\n`);
progress(`results: ${writeBenchResults(packageDir, 'state', rows, { raw })}`);
