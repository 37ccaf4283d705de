// pnpm --filter @baton/supervisor bench
// Beside PM2 (its daemon under a temporary PM2_HOME, killed afterwards), in one run: crash -> first
// line of the new process (zero backoff); crash detection; RSS of the supervisor with 10 idle
// services; starting 30 services (Baton: 3 tiers with log readiness; PM2: no tiers or readiness).
// Baton's supervisor process is bundled into one file, as the orchestrator ships.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync, spawn } from 'node:child_process';
import {
  isAlive,
  killAllFixtures,
  makeTempDir,
  markdownTable,
  machineDescription,
  percentile,
  round,
  sleep,
  spawnFixture,
  waitFor,
  writeBenchResults,
  type Fixture,
  type Row,
} from '@baton/test-utils';

const quick = process.env.BENCH_QUICK === '1';
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const worker = fileURLToPath(new URL('../test/fixtures/worker.mjs', import.meta.url));
const crashloop = fileURLToPath(new URL('./fixtures/crashloop.mjs', import.meta.url));
const batonSource = fileURLToPath(new URL('./fixtures/batonSupervisor.mjs', import.meta.url));
const bundler = fileURLToPath(new URL('../../../tooling/scripts/bundle.mjs', import.meta.url));
// Inside the package's node_modules, so the bundle resolves the package's dependencies.
const bundleDir = fileURLToPath(new URL('../node_modules/.cache/baton-bench/', import.meta.url));
const batonBundle = join(bundleDir, 'batonSupervisor.mjs');
const progress = (text: string) => process.stderr.write(`${text}\n`);
const crashes = quick ? 15 : 60;

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
}

/** Pairs each crash with the next start: restart latencies in ms. */
function restartLatencies(file: string): { restart: number[]; detect: number[] } {
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string]);
  const restart: number[] = [];
  const detect: number[] = [];
  let crash: bigint | undefined;
  for (const [kind, ns] of lines) {
    if (kind === 'crash') crash = BigInt(ns);
    else if (kind === 'detected' && crash !== undefined) detect.push(Number(BigInt(ns) - crash) / 1e6);
    else if (kind === 'start' && crash !== undefined) {
      restart.push(Number(BigInt(ns) - crash) / 1e6);
      crash = undefined;
    }
  }
  return { restart, detect };
}

let running: Fixture | undefined;

async function baton(mode: 'crash' | 'idle' | 'tiers', dir: string, fixture = batonBundle): Promise<{ line: string; pid: number }> {
  const f = spawnFixture(fixture, [mode, dir, worker, crashloop]);
  running = f;
  const line = await f.waitForLine(/^(ready|started)/, 60_000);
  return { line, pid: f.pid };
}

/** Stops the Baton supervisor process gracefully, so its services stop with it. */
async function stopBaton(): Promise<void> {
  const f = running;
  running = undefined;
  if (!f) return;
  f.kill('SIGTERM');
  await f.exited;
}

/** The floor: spawn of a bare node script to its first line, no supervisor involved. */
async function nodeBoot(samples: number, dir: string, env: NodeJS.ProcessEnv = process.env): Promise<number[]> {
  const script = join(dir, 'boot.mjs');
  writeFileSync(script, "process.stdout.write(String(process.hrtime.bigint()) + '\\n');");
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [script], { env });
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    times.push(Number(BigInt(line.trim()) - start) / 1e6);
    await new Promise((r) => child.once('exit', r));
  }
  return times;
}

// Every Node process reads the file named by NODE_EXTRA_CA_CERTS at start; this machine's
// environment sets it, which adds about 55 ms to each start of a service. That cost belongs to
// neither supervisor, so both run without it; the floor is also measured with it, for scale.
const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS;
delete process.env.NODE_EXTRA_CA_CERTS;

mkdirSync(bundleDir, { recursive: true });
execFileSync(process.execPath, [bundler, batonSource, batonBundle], { stdio: 'inherit' });

const tmp = await makeTempDir('baton-supervisor-bench-');
const pm2Home = join(tmp.path, 'pm2');

/**
 * Disconnects, then ends the daemon with SIGTERM (it stops its processes first) and waits for it.
 * pm2.killDaemon() leaves the client reconnecting to the dead daemon's socket forever, which
 * keeps this process from exiting.
 */
async function stopPm2Daemon(): Promise<void> {
  pm2.disconnect();
  let pid: number;
  try {
    pid = Number(readFileSync(join(pm2Home, 'pm2.pid'), 'utf8'));
  } catch {
    return; // never started
  }
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  await waitFor(() => !isAlive(pid), { timeoutMs: 10_000, what: "PM2's daemon to stop" }).catch(() => process.kill(pid, 'SIGKILL'));
}
process.env.PM2_HOME = pm2Home;
const pm2 = (await import('pm2')).default;
// PM2's callbacks come in several shapes; all are (err, value?).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const call = <T>(fn: (cb: any) => void) =>
  new Promise<T>((resolve, reject) => fn((err: Error | null, value: T) => (err ? reject(err) : resolve(value))));

try {
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};

  progress(`Baton: ${crashes} crashes ...`);
  const batonEvents = join(tmp.path, 'baton-events.log');
  writeFileSync(batonEvents, '');
  await baton('crash', tmp.path);
  const deadline = performance.now() + 60_000;
  while (restartLatencies(batonEvents).restart.length < crashes && performance.now() < deadline) await sleep(100);
  await stopBaton();
  const ours = restartLatencies(batonEvents);

  progress(`PM2: ${crashes} crashes ...`);
  await call((cb) => pm2.connect(cb));
  const pmEvents = join(tmp.path, 'pm2-events.log');
  writeFileSync(pmEvents, '');
  await call((cb) => pm2.start({ script: crashloop, args: [pmEvents, '100'], name: 'crash', autorestart: true, restart_delay: 0, max_restarts: 100_000, min_uptime: 100 }, cb));
  // PM2 may stop restarting a fast crash loop on its own; take what it gave within a minute.
  const pmDeadline = performance.now() + 60_000;
  while (restartLatencies(pmEvents).restart.length < crashes && performance.now() < pmDeadline) await sleep(100);
  await call((cb) => pm2.delete('all', cb));
  const theirs = restartLatencies(pmEvents);
  raw.restart = { ours, theirs };
  const p = (v: number[]) => `${round(percentile(v, 50))} / ${round(percentile(v, 95))}`;
  rows.push({ measure: `crash -> first line of the new process, p50 / p95 (ms, zero backoff; restarts measured: Baton ${ours.restart.length}, PM2 ${theirs.restart.length})`, baton: p(ours.restart), pm2: p(theirs.restart), ratio: `${round(percentile(theirs.restart, 50) / percentile(ours.restart, 50), 1)}x faster p50` });
  const boot = await nodeBoot(crashes, tmp.path);
  raw.nodeBoot = boot;
  rows.push({ measure: '...floor: spawn of a bare node script -> its first line, p50 / p95 (ms)', baton: p(boot), pm2: p(boot), ratio: '' });
  if (extraCaCerts !== undefined) {
    const slowBoot = await nodeBoot(crashes, tmp.path, { ...process.env, NODE_EXTRA_CA_CERTS: extraCaCerts });
    raw.nodeBootExtraCaCerts = slowBoot;
    rows.push({ measure: '...floor with NODE_EXTRA_CA_CERTS set, as in this machine\'s environment, p50 / p95 (ms)', baton: p(slowBoot), pm2: p(slowBoot), ratio: '' });
  }
  rows.push({ measure: 'crash detection: last line before exit -> supervisor knows, p50 / p95 (ms)', baton: p(ours.detect), pm2: '-', ratio: '' });

  const burstLines = quick ? 20_000 : 50_000;
  progress(`output kept: ${burstLines} lines of 100 characters printed at once, Baton then PM2 ...`);
  // Below the point where Baton sheds (8 MiB unread): what is measured is how fast every line is kept.
  const burst = spawnFixture(batonBundle, ['burst', tmp.path, worker, crashloop, String(burstLines)]);
  running = burst;
  const keptLine = await burst.waitForLine(/^kept /, 120_000).catch(() => undefined);
  await stopBaton();
  const ourBurstMs = keptLine ? Number(keptLine.split(' ')[2]) : Number.NaN;
  // PM2 appends each line as printed (no time stamp by default) to <PM2_HOME>/logs/<name>-out.log: done when all are there.
  const pmBurstLog = join(pm2Home, 'logs', 'burst-out.log');
  const burstBytes = burstLines * 100;
  const pmBurstStarted = performance.now();
  await call((cb) => pm2.start({ script: worker, args: ['burst', String(burstLines)], name: 'burst', autorestart: false }, cb));
  const size = () => {
    try {
      return statSync(pmBurstLog).size;
    } catch {
      return 0;
    }
  };
  await waitFor(() => size() >= burstBytes, { timeoutMs: 120_000, intervalMs: 5, what: "PM2's log to hold every line" });
  const theirBurstMs = performance.now() - pmBurstStarted;
  const pmKept = readFileSync(pmBurstLog, 'utf8').split('\n').filter((l) => l.startsWith('line ')).length;
  await call((cb) => pm2.delete('all', cb));
  raw.burst = { lines: burstLines, oursMs: ourBurstMs, theirsMs: theirBurstMs, pmKept };
  const perSecond = (ms: number) => Math.round(burstLines / (ms / 1000));
  rows.push({
    measure: `output kept: ${burstLines} lines of 100 characters printed at once, until every one is in the service's log file, lines/s (ms)`,
    baton: keptLine ? `${perSecond(ourBurstMs)} (${Math.round(ourBurstMs)})` : `not all kept within 120 s`,
    pm2: `${perSecond(theirBurstMs)} (${Math.round(theirBurstMs)}; ${pmKept} lines kept)`,
    ratio: keptLine ? `${round(theirBurstMs / ourBurstMs, 2)}x` : '',
  });

  progress('RSS with 10 idle services ...');
  const idle = await baton('idle', tmp.path);
  await sleep(2000);
  const ourRss = rssOf(idle.pid);
  await stopBaton();
  // The same supervisor loaded as separate modules (the packages' dist/), for comparison.
  const unbundled = await baton('idle', tmp.path, batonSource);
  await sleep(2000);
  const unbundledRss = rssOf(unbundled.pid);
  await stopBaton();
  for (let i = 0; i < 10; i++) await call((cb) => pm2.start({ script: worker, args: ['silent'], name: `idle${i}` }, cb));
  await sleep(2000);
  const daemonPid = Number(readFileSync(join(pm2Home, 'pm2.pid'), 'utf8'));
  const theirRss = rssOf(daemonPid);
  await call((cb) => pm2.delete('all', cb));
  raw.rss = { ours: ourRss, unbundled: unbundledRss, theirs: theirRss };
  const mib = (b: number) => round(b / 2 ** 20, 1);
  rows.push({ measure: 'supervisor RSS with 10 idle services (MiB)', baton: `${mib(ourRss)} (bundled, as shipped)`, pm2: `${mib(theirRss)} (daemon)`, ratio: `${round(theirRss / ourRss, 2)}x smaller` });
  rows.push({ measure: '...the same, loaded as separate modules (MiB)', baton: mib(unbundledRss), pm2: '', ratio: '' });

  progress('start 30 services ...');
  const tiers = await baton('tiers', tmp.path);
  const ourStart = Number(tiers.line.split(' ')[1]);
  await stopBaton();
  const started = performance.now();
  await Promise.all(Array.from({ length: 30 }, (_, i) => call((cb) => pm2.start({ script: worker, args: ['log', 'listening', '0'], name: `s${i}` }, cb))));
  for (;;) {
    const list = await call<{ pm2_env?: { status?: string } }[]>((cb) => pm2.list(cb));
    if (list.length === 30 && list.every((p) => p.pm2_env?.status === 'online')) break;
    await sleep(10);
  }
  const theirStart = performance.now() - started;
  raw.start30 = { ours: ourStart, theirs: theirStart };
  rows.push({ measure: 'start 30 services (ms)', baton: `${Math.round(ourStart)} (3 tiers, each waits for log readiness)`, pm2: `${Math.round(theirStart)} (all at once, "online" = spawned)`, ratio: '' });

  process.stdout.write(`\n${markdownTable(rows)}\n\nmachine: ${machineDescription()}\n`);
  progress(`results: ${writeBenchResults(packageDir, 'supervisor', rows, { raw })}`);
} finally {
  await stopBaton();
  await killAllFixtures();
  await stopPm2Daemon();
  await tmp.cleanup();
}
