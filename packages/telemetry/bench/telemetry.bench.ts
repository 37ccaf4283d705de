// pnpm --filter @baton/telemetry bench
// add() cost per event; events/s through batcher + NDJSON file exporter beside pino writing the
// same events straight to a file (alternating, same run); memory under a stalled exporter.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { importBuilt, makeTempDir, markdownTable, machineDescription, percentile, round, writeBenchResults, type Row } from '@baton/test-utils';
import type * as Telemetry from '../src/index.js';

const { createBatcher, createFileExporter } = await importBuilt<typeof Telemetry>(new URL('..', import.meta.url));

const quick = process.env.BENCH_QUICK === '1';
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const progress = (text: string) => process.stderr.write(`${text}\n`);
const yieldNow = () => new Promise((r) => setImmediate(r));
const gc = (globalThis as { gc?: () => void }).gc;

interface Event {
  level: number;
  time: number;
  msg: string;
  service: string;
  restarts: number;
}
const event = (i: number): Event => ({ level: 30, time: Date.now(), msg: 'worker restarted', service: 'api', restarts: i });

function addCost(n: number): { normal: number; overflow: number } {
  const discard: Telemetry.Exporter<Event> = { export: async () => {} };
  const stalled: Telemetry.Exporter<Event> = { export: () => new Promise(() => {}) };
  const results = { normal: [] as number[], overflow: [] as number[] };
  const events = Array.from({ length: 1024 }, (_, i) => event(i));
  for (let round = 0; round < 5; round++) {
    for (const [key, exporter] of [['normal', discard], ['overflow', stalled]] as const) {
      const batcher = createBatcher({ exporter, maxQueueSize: 1 << 20, maxBatchSize: 512 });
      if (key === 'overflow') for (let i = 0; i < 1 << 20; i++) batcher.add(events[i & 1023]!);
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) batcher.add(events[i & 1023]!);
      results[key].push(Number(process.hrtime.bigint() - start) / n);
      batcher.dispose();
    }
  }
  return { normal: percentile(results.normal, 50), overflow: percentile(results.overflow, 50) };
}

async function batcherToFile(dir: string, n: number): Promise<{ rate: number; lines: number; dropped: number }> {
  const path = join(dir, `batcher-${Math.random()}.ndjson`);
  const maxQueueSize = 65_536;
  const batcher = createBatcher({ exporter: createFileExporter<Event>({ path, maxBytes: 1 << 30 }), maxBatchSize: 4096, maxQueueSize });
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    batcher.add(event(i));
    // Stay under the bound: a producer with more to send than the sink takes waits a turn.
    if (i % 2048 === 2047) {
      await yieldNow();
      while (batcher.queued > maxQueueSize - 4096) await new Promise((r) => setTimeout(r, 1));
    }
  }
  await batcher.shutdown();
  const rate = n / ((performance.now() - start) / 1000);
  const s = batcher.stats;
  return { rate, lines: readFileSync(path, 'utf8').split('\n').length - 1, dropped: s.dropped.overflow + s.dropped.exportFailed };
}

async function pinoToFile(dir: string, n: number): Promise<{ rate: number; lines: number }> {
  const path = join(dir, `pino-${Math.random()}.ndjson`);
  const destination = pino.destination({ dest: path, sync: false, minLength: 4096 });
  await new Promise((r) => destination.once('ready', r));
  const logger = pino({ base: undefined }, destination);
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    logger.info({ service: 'api', restarts: i }, 'worker restarted');
    if (i % 2048 === 2047) await yieldNow();
  }
  destination.flushSync();
  const rate = n / ((performance.now() - start) / 1000);
  destination.end();
  return { rate, lines: readFileSync(path, 'utf8').split('\n').length - 1 };
}

async function stalledMemory(n: number): Promise<{ adds: number; before: number; after: number; queued: number; dropped: number }> {
  const batcher = createBatcher<Event>({ exporter: { export: () => new Promise(() => {}) }, maxQueueSize: 2048 });
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) {
    batcher.add(event(i));
    if (i % 100_000 === 0) await yieldNow();
  }
  gc?.();
  const after = process.memoryUsage().heapUsed;
  const stats = batcher.stats;
  batcher.dispose();
  return { adds: n, before, after, queued: stats.queued, dropped: stats.dropped.overflow };
}

const tmp = await makeTempDir('baton-telemetry-bench-');
try {
  progress('add() cost ...');
  const cost = addCost(quick ? 1_000_000 : 5_000_000);
  progress('throughput to a file ...');
  const n = quick ? 100_000 : 500_000;
  const ours: number[] = [];
  const theirs: number[] = [];
  let lost = 0;
  for (let r = 0; r < (quick ? 1 : 3); r++) {
    const b = await batcherToFile(tmp.path, n);
    ours.push(b.rate);
    lost += n - b.lines + b.dropped;
    const p = await pinoToFile(tmp.path, n);
    theirs.push(p.rate);
    if (p.lines !== n) throw new Error(`pino wrote ${p.lines} of ${n} lines`);
  }
  progress('memory under a stalled exporter ...');
  const memory = await stalledMemory(quick ? 1_000_000 : 5_000_000);
  const mb = (bytes: number) => round(bytes / 2 ** 20, 1);
  const rows: Row[] = [
    { measure: 'add() cost per event (ns)', baton: `${round(cost.normal)} (queue not full), ${round(cost.overflow)} (full, drop-oldest)`, pino: '-', ratio: '' },
    { measure: `events/s to an NDJSON file (${n.toLocaleString('en-US')} events, p50 of runs)`, baton: Math.round(percentile(ours, 50)).toLocaleString('en-US'), pino: Math.round(percentile(theirs, 50)).toLocaleString('en-US'), ratio: `${round(percentile(ours, 50) / percentile(theirs, 50), 2)}x` },
    { measure: 'events lost under the queue bound', baton: lost, pino: 0, ratio: '' },
    {
      measure: `heap with a stalled exporter: before / after ${memory.adds.toLocaleString('en-US')} adds (MiB)`,
      // What is neither queued nor dropped is the batch handed to the exporter that never returns.
      baton: `${mb(memory.before)} / ${mb(memory.after)} (queued ${memory.queued}, in the stalled export ${memory.adds - memory.queued - memory.dropped}, dropped ${memory.dropped.toLocaleString('en-US')})`,
      pino: '-',
      ratio: '',
    },
  ];
  process.stdout.write(`\n${markdownTable(rows)}\n\nmachine: ${machineDescription()}${gc ? '' : ' (run with --expose-gc for exact heap figures)'}\n`);
  progress(`results: ${writeBenchResults(packageDir, 'telemetry', rows, { raw: { cost, ours, theirs, memory, lost } })}`);
} finally {
  await tmp.cleanup();
}
