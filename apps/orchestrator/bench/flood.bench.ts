// pnpm --filter @baton/orchestrator bench (FLOOD_SERVICES=3: three services printing without end)
// The orchestrator as shipped (dist/orchestrator.mjs) with `yes` as a service beside two quiet ones, for
// FLOOD_SECONDS (default 60; BENCH_QUICK=1: 10), the default `logs:` bound: every 100 ms a `status` over the
// control socket, timed; every second the orchestrator's CPU and RSS (/proc) and the bytes under .baton/; then
// `orchestrator stop`, timed until every service is gone; and whether every line of the quiet services was kept.
// Linux only (it reads /proc).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, readAuthToken } from '@baton/ipc';
import { bytesUnder, isAlive, killAllFixtures, machineDescription, makeTempDir, markdownTable, percentile, round, sleep, spawnFixture, waitFor, writeBenchResults, type Row } from '@baton/test-utils';
import { orchestratorPaths, type StatusSnapshot } from '../src/index.js';

if (process.platform !== 'linux') {
  process.stderr.write('flood.bench.ts reads /proc: Linux only\n');
  process.exit(2);
}
const quick = process.env.BENCH_QUICK === '1';
const seconds = Number(process.env.FLOOD_SECONDS ?? (quick ? 10 : 60));
/** How many services print without end (`yes`), beside the two quiet ones. */
const floods = Number(process.env.FLOOD_SERVICES ?? 1);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(packageDir, 'dist', 'orchestrator.mjs');
const worker = join(packageDir, 'test', 'fixtures', 'worker.mjs');
const progress = (text: string) => process.stderr.write(`${text}\n`);
/** Clock ticks per second in /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const ticks = 100;

/** CPU time (ms) and RSS (bytes) of `pid`, from /proc. */
function usage(pid: number): { cpuMs: number; rss: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  return { cpuMs, rss };
}


/** The `tick N` lines of a quiet service in its log files: whether 0..last are all there, in order. */
function quietLinesKept(logs: string, service: string): { lines: number; complete: boolean } {
  const files = readdirSync(logs).filter((f) => f === `${service}.log` || f.startsWith(`${service}.log.`));
  // Oldest first: .3, .2, .1, then the current file.
  files.sort((a, b) => (Number(b.split('.log.')[1] ?? 0) || 0) - (Number(a.split('.log.')[1] ?? 0) || 0));
  const numbers = files.flatMap((f) => readFileSync(join(logs, f), 'utf8').split('\n')).map((l) => /stdout \| tick (\d+)$/.exec(l)?.[1]).filter((n): n is string => n !== undefined).map(Number);
  return { lines: numbers.length, complete: numbers.length > 0 && numbers.every((n, i) => n === i) };
}

const tmp = await makeTempDir('baton-orchestrator-flood-');
try {
  const quiet = (text: string) => `    command: ${process.execPath}\n    args: [${worker}, log, "${text}"]\n`;
  const yes = Array.from({ length: floods }, (_, i) => `  yes${i === 0 ? '' : i + 1}:\n    command: yes\n    args: ["a line that a service prints in a loop"]\n`).join('');
  writeFileSync(join(tmp.path, 'orchestrator.yaml'), `services:\n${yes}  quiet1:\n${quiet('one')}  quiet2:\n${quiet('two')}`);
  const env = { CI: '1' };
  const orchestrator = spawnFixture(bundle, ['start'], { cwd: tmp.path, env });
  await orchestrator.waitForLine('"to":"running"', 30_000);
  const paths = orchestratorPaths(join(tmp.path, 'orchestrator.yaml'));
  const client = await connect({ path: paths.socketPath('control'), auth: { token: (await readAuthToken(paths.tokenFile))! }, name: 'flood-bench', reconnect: false });
  progress(`${floods} x yes beside two quiet services for ${seconds} s: status every 100 ms ...`);
  const answers: number[] = [];
  const cpu: number[] = [];
  let rssMax = 0;
  let diskMax = 0;
  let last = usage(orchestrator.pid);
  let lastAt = performance.now();
  let snapshot: StatusSnapshot | undefined;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const before = performance.now();
    snapshot = (await client.request('status', undefined, { timeoutMs: 10_000 })) as StatusSnapshot;
    answers.push(performance.now() - before);
    if (performance.now() - lastAt >= 1000) {
      const now = usage(orchestrator.pid);
      const at = performance.now();
      cpu.push((now.cpuMs - last.cpuMs) / (at - lastAt));
      rssMax = Math.max(rssMax, now.rss);
      diskMax = Math.max(diskMax, bytesUnder(join(tmp.path, '.baton')));
      last = now;
      lastAt = at;
    }
    await sleep(Math.max(0, 100 - (performance.now() - before)));
  }
  await client.close();
  const dropped = snapshot!.services.filter((s) => s.name.startsWith('yes')).reduce((sum, s) => sum + ((s as { outputDroppedBytes?: number }).outputDroppedBytes ?? 0), 0);
  const pids = snapshot!.services.map((s) => s.pid!).filter(Boolean);
  progress('orchestrator stop ...');
  const stopStarted = performance.now();
  const stop = spawnFixture(bundle, ['stop'], { cwd: tmp.path, env });
  await stop.exited;
  await orchestrator.exited;
  await waitFor(() => pids.every((pid) => !isAlive(pid)), { timeoutMs: 30_000, what: 'every service gone' });
  const stopMs = performance.now() - stopStarted;
  const logs = join(paths.dir, 'logs');
  const kept = [quietLinesKept(logs, 'quiet1'), quietLinesKept(logs, 'quiet2')];
  const mib = (b: number) => round(b / 2 ** 20, 1);
  const rows: Row[] = [
    { measure: `status over the control socket, every 100 ms through ${seconds} s of the flood, p50 / p99 / max (ms), ${answers.length} answers`, orchestrator: `${round(percentile(answers, 50), 2)} / ${round(percentile(answers, 99), 2)} / ${round(Math.max(...answers), 2)}`, target: 'p99 < 200' },
    { measure: 'bytes under .baton/ at most (MiB), the default bound', orchestrator: mib(diskMax), target: '<= 100' },
    { measure: 'the quiet services: lines kept, all of them in order', orchestrator: `${kept.map((k) => k.lines).join(', ')}; ${kept.every((k) => k.complete) ? 'yes' : 'no'}`, target: 'all' },
    { measure: 'orchestrator CPU through the flood, median / max of each second (share of one core)', orchestrator: `${round(percentile(cpu, 50), 2)} / ${round(Math.max(...cpu), 2)}`, target: 'bounded' },
    { measure: 'orchestrator RSS at most (MiB)', orchestrator: mib(rssMax), target: 'reported' },
    { measure: "yes's output dropped (it prints faster than it can be kept), MiB", orchestrator: mib(dropped), target: 'counted, shown' },
    { measure: '`orchestrator stop` until every service is gone (ms)', orchestrator: Math.round(stopMs), target: '< 2000' },
  ];
  process.stdout.write(`\n${markdownTable(rows)}\n\nmachine: ${machineDescription()}\n`);
  progress(`results: ${writeBenchResults(packageDir, 'flood', rows, { raw: { answers, cpu, rssMax, diskMax, stopMs, kept } })}`);
} finally {
  await killAllFixtures();
  await tmp.cleanup();
}
