// pnpm --filter @baton/extension bench
// What the coordinated windows cost and give, with real processes running the built core:
// probes per interval with 5 windows and 5 endpoints, beside 5 uncoordinated windows (each
// probing everything itself, as five copies of an extension do), in one run; a result recorded
// by the leader -> shown in each follower; an idle follower's CPU, wakeups and file operations;
// closing the probing window -> another window leads;
// heap added per window. The windows run the core bundled as the extension ships it.
// BENCH_QUICK=1 for a short run; BENCH_ONLY=probes,latency,idle,handover,heap; IDLE_SECONDS, IDLE_INTERVAL_SECONDS (30), PROBE_SECONDS.
import { build } from 'esbuild';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { killAllFixtures, machineDescription, makeTempDir, markdownTable, measureIdle, percentile, round, sleep, spawnFixture, waitFor, writeBenchResults, type Fixture, type Row } from '@baton/test-utils';

const quick = process.env.BENCH_QUICK === '1';
const only = process.env.BENCH_ONLY;
const runs = (part: string) => !only || only.split(',').includes(part);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/window.mjs', import.meta.url));
const progress = (text: string) => process.stderr.write(`${text}\n`);
const rows: Row[] = [];

// The core as the extension ships it: one bundle (dist/window.cjs holds it with the VS Code
// adapter; here without the adapter, which needs VS Code), not the many small modules of dist/.
const coreBundle = fileURLToPath(new URL('./results/core.cjs', import.meta.url));
await build({ entryPoints: [fileURLToPath(new URL('../src/core/index.ts', import.meta.url))], outfile: coreBundle, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['fs-native-extensions'], logLevel: 'warning' });
const raw: Record<string, unknown> = {};

// The endpoints: one local HTTP server, five paths, counting the probes it answers.
const hits: string[] = [];
const server = createServer((request, response) => {
  hits.push(request.url ?? '');
  response.end('ok');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const endpoints = (intervalSeconds: number) => Array.from({ length: 5 }, (_, i) => ({ type: 'http', name: `e${i}`, url: `${base}/e${i}`, intervalSeconds }));

async function windows(dir: string, mode: 'group' | 'naive', intervalSeconds: number, count = 5): Promise<Fixture[]> {
  const started: Fixture[] = [];
  for (let i = 0; i < count; i++) {
    const f = spawnFixture(fixture, [JSON.stringify({ dir, id: `w${i}`, mode, endpoints: endpoints(intervalSeconds), core: coreBundle })], { env: { NODE_OPTIONS: '--expose-gc' } });
    await f.waitForLine('ready', 20_000);
    started.push(f);
  }
  return started;
}

/** One more group window, numbered `i`. */
async function windowsFrom(dir: string, i: number): Promise<Fixture[]> {
  const f = spawnFixture(fixture, [JSON.stringify({ dir, id: `w${i}`, mode: 'group', endpoints: endpoints(30), core: coreBundle })]);
  await f.waitForLine('ready', 20_000);
  return [f];
}

try {
  if (runs('probes')) {
    const seconds = Number(process.env.PROBE_SECONDS ?? (quick ? 6 : 20));
    progress(`probes: 5 windows, 5 endpoints every 1 s, ${seconds} s each for the group and for 5 uncoordinated windows ...`);
    const perInterval: Record<string, number> = {};
    for (const mode of ['group', 'naive'] as const) {
      const dir = await makeTempDir();
      try {
        await windows(dir.path, mode, 1);
        await sleep(1500);
        const from = hits.length;
        const startedAt = performance.now();
        await sleep(seconds * 1000);
        perInterval[mode] = (hits.length - from) / ((performance.now() - startedAt) / 1000);
      } finally {
        await killAllFixtures();
        await dir.cleanup();
      }
    }
    rows.push({ measure: 'probes per 1 s interval, 5 windows, 5 endpoints', baton: String(round(perInterval.group!, 2)), 'beside it': `5 uncoordinated windows: ${round(perInterval.naive!, 2)} (${round(perInterval.naive! / perInterval.group!, 1)}x)`, target: 'the number of endpoints (5), whatever the number of windows' });
    raw.probesPerInterval = perInterval;
  }

  if (runs('latency')) {
    const seconds = quick ? 10 : 40;
    progress(`latency: 5 windows, 5 endpoints every 1 s, ${seconds} s: the leader's result -> each follower ...`);
    const dir = await makeTempDir();
    try {
      const all = await windows(dir.path, 'group', 1);
      await sleep(seconds * 1000);
      const latencies: number[] = [];
      const parse = (l: string) => l.split(' ') as [string, string, string, string];
      const local = new Map<string, bigint>();
      for (const f of all) for (const [, origin, ns, checks] of f.lines.filter((l) => l.startsWith('results ')).map(parse)) if (origin === 'local') local.set(checks, BigInt(ns));
      for (const f of all) {
        for (const [, origin, ns, checks] of f.lines.filter((l) => l.startsWith('results ')).map(parse)) {
          const at = local.get(checks);
          if (origin === 'remote' && at !== undefined) latencies.push(Number(BigInt(ns) - at) / 1e6);
        }
      }
      rows.push({ measure: "result recorded by the leader -> shown in a follower (the results store's change event), p50 / p99 (ms), 4 followers", baton: `${round(percentile(latencies, 50), 2)} / ${round(percentile(latencies, 99), 2)} (${latencies.length} deliveries)`, 'beside it': '', target: '< 10 ms' });
      raw.latency = latencies;
    } finally {
      await killAllFixtures();
      await dir.cleanup();
    }
  }

  if (runs('idle')) {
    const seconds = Number(process.env.IDLE_SECONDS ?? (quick ? 10 : 60));
    const every = Number(process.env.IDLE_INTERVAL_SECONDS ?? 30);
    progress(`idle: 3 windows, 5 endpoints every ${every} s, ${seconds} s ...`);
    const dir = await makeTempDir();
    try {
      const [, ...followers] = await windows(dir.path, 'group', every, 3);
      await sleep(5000);
      const costs = await measureIdle(followers.map((f) => f.pid), seconds);
      const show = (c: (typeof costs)[number]) => `${round(c.cpuPercent, 3)}% CPU, ${round(c.wakeupsPerSecond, 1)} wakeups/s${c.fileOpsPerSecond === undefined ? '' : `, ${round(c.fileOpsPerSecond, 2)} file ops/s`}`;
      rows.push({ measure: `idle follower window over ${seconds} s (5 endpoints every ${every} s probed by the leader)`, baton: costs.map(show).join('; '), 'beside it': '', target: '< 0.1% of a core' });
      raw.idle = costs;
    } finally {
      await killAllFixtures();
      await dir.cleanup();
    }
  }

  if (runs('handover')) {
    const closes = quick ? 5 : 20;
    progress(`handover: 3 windows, the probing window closed ${closes} times ...`);
    const dir = await makeTempDir();
    try {
      let all = await windows(dir.path, 'group', 30, 3);
      let next = 3;
      const times: number[] = [];
      const role = (f: Fixture) => f.lines.filter((l) => l.startsWith('role ')).at(-1)?.split(' ')[1];
      for (let k = 0; k < closes; k++) {
        const leader = all.find((f) => role(f) === 'leader')!;
        const others = all.filter((f) => f !== leader);
        const marks = others.map((f) => f.lines.length);
        const closedAt = process.hrtime.bigint();
        leader.send('close');
        const took = await waitFor(() => {
          const line = others.flatMap((f, i) => f.lines.slice(marks[i]!)).find((l) => l.startsWith('role leader '));
          return line ? Number(BigInt(line.split(' ')[2]!) - closedAt) / 1e6 : undefined;
        }, { timeoutMs: 10_000, what: 'another window leading' });
        times.push(took);
        await leader.exited;
        all = [...others, ...(await windowsFrom(dir.path, next++))];
        await sleep(500);
      }
      rows.push({ measure: `closing the probing window (deactivate: close()) -> another window leads, p50 / max (ms), ${closes} closes`, baton: `${round(percentile(times, 50), 1)} / ${round(Math.max(...times), 1)}`, 'beside it': '', target: '< 100 ms' });
      raw.handover = times;
    } finally {
      await killAllFixtures();
      await dir.cleanup();
    }
  }

  if (runs('heap')) {
    progress('heap added per window ...');
    const dir = await makeTempDir();
    try {
      const all = await windows(dir.path, 'group', 30, 4);
      const heaps = all.map((f) => Number(f.lines.find((l) => l.startsWith('heap '))!.split(' ')[1]) / 1024 / 1024);
      rows.push({ measure: 'heap added by a window, modules included (MB, after gc): leader; followers', baton: heaps.map((h) => round(h, 2)).join('; '), 'beside it': '', target: '< 5 MB' });
      raw.heap = heaps;
    } finally {
      await killAllFixtures();
      await dir.cleanup();
    }
  }
} finally {
  await killAllFixtures();
  server.close();
}

process.stdout.write(`\n${markdownTable(rows)}\n\nmachine: ${machineDescription()}\n`);
const file = writeBenchResults(packageDir, only ? `extension-${only.replaceAll(',', '-')}` : 'extension', rows, { raw });
progress(`results: ${file}`);
