// pnpm --filter @baton/ipc bench
// Across two processes, in one run: Baton's IPC beside a raw Unix socket with newline-delimited
// JSON and beside vscode-jsonrpc over the same kind of socket. Round trip p50/p99, pipelined
// requests/s (64 and 1000 in flight), one-way notifications/s (100 B and 4 KiB), and Baton's
// broadcast to 10 and 50 subscribers. The implementations alternate within each measure.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMessageConnection, SocketMessageReader, SocketMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node.js';
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
import type * as Ipc from '../src/index.js';

const { connect } = await importBuilt<typeof Ipc>(new URL('..', import.meta.url));

const quick = process.env.BENCH_QUICK === '1';
// BENCH_ONLY=rtt measures round trips only (for quick iteration on latency).
const only = process.env.BENCH_ONLY;
const rounds = quick ? 1 : 3;
const token = 'b'.repeat(64);
const serverFixture = fileURLToPath(new URL('./fixtures/server.ts', import.meta.url));
const subscribersFixture = fileURLToPath(new URL('./fixtures/subscribers.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const progress = (text: string) => process.stderr.write(`${text}\n`);

type Impl = 'baton' | 'raw' | 'jsonrpc';
const impls: Impl[] = ['baton', 'raw', 'jsonrpc'];

interface BenchClient {
  request(method: string, params?: unknown): Promise<unknown>;
  notify(method: string, params?: unknown): void;
  writable(): Promise<void>;
  close(): void;
}

function rawClient(socket: Socket): BenchClient {
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  let rest = '';
  let blocked = false;
  let drained: (() => void) | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      const msg = JSON.parse(line) as { id: number; r: unknown };
      const resolve = pending.get(msg.id);
      pending.delete(msg.id);
      resolve?.(msg.r);
    }
  });
  socket.on('drain', () => {
    blocked = false;
    drained?.();
  });
  const write = (text: string) => {
    if (!socket.write(text)) blocked = true;
  };
  return {
    request(m, p) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        write(JSON.stringify({ id, m, p }) + '\n');
      });
    },
    notify(m, p) {
      write(JSON.stringify({ m, p }) + '\n');
    },
    writable: () => (blocked ? new Promise<void>((r) => (drained = r)) : Promise.resolve()),
    close: () => socket.destroy(),
  };
}

function jsonrpcClient(socket: Socket): BenchClient {
  const connection: MessageConnection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  connection.listen();
  let last: Promise<void> = Promise.resolve();
  return {
    request: (m, p) => connection.sendRequest(m, p),
    notify(m, p) {
      last = connection.sendNotification(m, p);
    },
    writable: () => last,
    close: () => {
      connection.dispose();
      socket.destroy();
    },
  };
}

function batonClient(client: Ipc.IpcClient): BenchClient {
  return {
    request: (m, p) => client.request(m, p),
    notify: (m, p) => client.notify(m, p),
    writable: () => client.whenWritable(),
    close: () => void client.close(),
  };
}

async function openClient(impl: Impl, path: string): Promise<BenchClient> {
  if (impl === 'baton') return batonClient(await connect({ path, auth: { token }, name: 'bench', maxQueueBytes: 64 << 20 }));
  const socket = createConnection(path);
  await new Promise((r) => socket.once('connect', r));
  return impl === 'raw' ? rawClient(socket) : jsonrpcClient(socket);
}

async function roundTrips(client: BenchClient, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await client.request('echo', i);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return times;
}

/**
 * Pins the given processes (all their threads) to CPU 0 with taskset and returns a function that
 * restores their masks, or undefined where taskset is missing (not Linux). On a VM, waking a
 * process on another idle vCPU costs an inter-processor interrupt, tens of microseconds per
 * direction, which is the machine's cost rather than the protocol's; on one CPU a round trip is
 * two context switches, as on a laptop whose cores are awake.
 */
function pinToOneCpu(pids: readonly number[]): (() => void) | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const masks = pids.map((pid) => execFileSync('taskset', ['-p', String(pid)], { encoding: 'utf8' }).trim().split(' ').at(-1)!);
    for (const pid of pids) execFileSync('taskset', ['-a', '-p', '-c', '0', String(pid)], { stdio: 'ignore' });
    return () => pids.forEach((pid, i) => execFileSync('taskset', ['-a', '-p', masks[i]!, String(pid)], { stdio: 'ignore' }));
  } catch {
    return undefined;
  }
}

/**
 * The guest's idle policy, which sets the cost of a cross-CPU wakeup on a VM: with halt polling
 * off, an idle vCPU halts at once and waking it takes a VM exit. The haltpoll parameters exist
 * whenever the module is built in, but they act only while `haltpoll` is the cpuidle driver.
 * Undefined where neither can be read (bare metal without the module, not Linux).
 */
function vcpuIdle(): { driver: string | undefined; pollNs: number | undefined } | undefined {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const driver = read('/sys/devices/system/cpu/cpuidle/current_driver');
  const poll = read('/sys/module/haltpoll/parameters/guest_halt_poll_ns');
  if (driver === undefined && poll === undefined) return undefined;
  return { driver, pollNs: poll === undefined ? undefined : Number(poll) };
}

function describeIdle(idle: ReturnType<typeof vcpuIdle>): string {
  if (!idle) return '';
  if (idle.pollNs === undefined || idle.driver !== 'haltpoll') return `; vCPU idle: cpuidle driver ${idle.driver ?? 'unknown'}, no guest halt polling`;
  const polling = idle.pollNs > 0 ? `up to ${idle.pollNs / 1000} us` : 'off';
  return `; vCPU idle: guest halt polling ${polling} (/sys/module/haltpoll/parameters/guest_halt_poll_ns = ${idle.pollNs})`;
}

async function pipelined(client: BenchClient, inFlight: number, total: number): Promise<number> {
  let issued = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (issued < total) {
        issued++;
        await client.request('echo', issued);
      }
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

async function notifications(client: BenchClient, count: number, size: number): Promise<number> {
  const payload = 'x'.repeat(size);
  const base = (await client.request('count')) as number;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    client.notify('note', payload);
    if (i % 256 === 255) await client.writable();
  }
  // A request sent after the notifications is answered after they were all handled.
  while (((await client.request('count')) as number) < base + count) await sleep(1);
  return count / ((performance.now() - start) / 1000);
}

const tmp = await makeTempDir('baton-ipc-bench-');
const servers = new Map<Impl, BenchClient>();
const serverPids: number[] = [];
const raw: Record<string, unknown> = {};
try {
  for (const impl of impls) {
    const path = join(tmp.path, `${impl}.sock`);
    const server = spawnFixture(serverFixture, [impl, path, token]);
    await server.waitForLine('listening');
    serverPids.push(server.pid);
    servers.set(impl, await openClient(impl, path));
  }
  const client = (impl: Impl) => servers.get(impl)!;
  for (const impl of impls) await roundTrips(client(impl), quick ? 200 : 2000); // warm up

  const measureRoundTrips = async () => {
    const rtt = new Map<Impl, number[]>(impls.map((i) => [i, []]));
    for (let r = 0; r < rounds * 2; r++) for (const impl of impls) rtt.get(impl)!.push(...(await roundTrips(client(impl), quick ? 500 : 2500)));
    return rtt;
  };
  progress('round trips ...');
  const rtt = await measureRoundTrips();
  progress('round trips, client and servers on one CPU ...');
  const unpin = pinToOneCpu([process.pid, ...serverPids]);
  let rttOneCpu: Map<Impl, number[]> | undefined;
  if (unpin) {
    try {
      for (const impl of impls) await roundTrips(client(impl), quick ? 200 : 1000);
      rttOneCpu = await measureRoundTrips();
    } finally {
      unpin();
    }
  }

  const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
  const latencyRow = (measure: string, m: Map<Impl, number[]>): Row => {
    const lat = (impl: Impl) => `${round(percentile(m.get(impl)!, 50))} / ${round(percentile(m.get(impl)!, 99))}`;
    const p50 = (impl: Impl) => percentile(m.get(impl)!, 50);
    return { measure, baton: lat('baton'), 'raw socket + NDJSON': lat('raw'), 'vscode-jsonrpc': lat('jsonrpc'), 'baton vs raw': `${round(p50('baton') / p50('raw'), 2)}x p50`, 'baton vs vscode-jsonrpc': `${round(p50('jsonrpc') / p50('baton'), 2)}x faster p50` };
  };
  const rows: Row[] = [latencyRow('round trip p50 / p99 (us)', rtt)];
  rows.push(rttOneCpu ? latencyRow('round trip p50 / p99 (us), all processes on one CPU', rttOneCpu) : { measure: 'round trip on one CPU (needs Linux taskset)', baton: '-', 'raw socket + NDJSON': '-', 'vscode-jsonrpc': '-', 'baton vs raw': '', 'baton vs vscode-jsonrpc': '' });
  const summary = (m: Map<Impl, number[]>) => Object.fromEntries([...m].map(([k, v]) => [k, { p50: percentile(v, 50), p90: percentile(v, 90), p99: percentile(v, 99), p999: percentile(v, 99.9) }]));
  Object.assign(raw, { rtt: summary(rtt), rttOneCpu: rttOneCpu && summary(rttOneCpu) });
  for (const [label, m] of [['default scheduling', rtt], ['one CPU', rttOneCpu]] as const) {
    for (const [impl, q] of m ? Object.entries(summary(m)) : []) progress(`  round trip, ${label}, ${impl}: p50 ${round(q.p50)} p90 ${round(q.p90)} p99 ${round(q.p99)} p99.9 ${round(q.p999)} us`);
  }

  if (only !== 'rtt') {
    const throughput = async (fn: (c: BenchClient) => Promise<number>) => {
      const results = new Map<Impl, number[]>(impls.map((i) => [i, []]));
      for (let r = 0; r < rounds; r++) for (const impl of impls) results.get(impl)!.push(await fn(client(impl)));
      return new Map([...results].map(([impl, values]) => [impl, percentile(values, 50)]));
    };
    progress('pipelined, 64 in flight ...');
    const p64 = await throughput((c) => pipelined(c, 64, quick ? 20_000 : 100_000));
    progress('pipelined, 1000 in flight ...');
    const p1000 = await throughput((c) => pipelined(c, 1000, quick ? 20_000 : 100_000));
    progress('notifications, 100 B ...');
    const n100 = await throughput((c) => notifications(c, quick ? 50_000 : 300_000, 100));
    progress('notifications, 4 KiB ...');
    const n4k = await throughput((c) => notifications(c, quick ? 10_000 : 50_000, 4096));
    for (const [label, values] of [['pipelined requests/s, 64 in flight', p64], ['pipelined requests/s, 1000 in flight', p1000], ['notifications/s, 100 B', n100], ['notifications/s, 4 KiB', n4k]] as const) {
      rows.push({ measure: label, baton: fmt(values.get('baton')!), 'raw socket + NDJSON': fmt(values.get('raw')!), 'vscode-jsonrpc': fmt(values.get('jsonrpc')!), 'baton vs raw': `${round(values.get('baton')! / values.get('raw')!, 2)}x`, 'baton vs vscode-jsonrpc': `${round(values.get('baton')! / values.get('jsonrpc')!, 2)}x` });
    }
    Object.assign(raw, { p64: Object.fromEntries(p64), p1000: Object.fromEntries(p1000), n100: Object.fromEntries(n100), n4k: Object.fromEntries(n4k) });
  }

  if (only !== 'rtt') progress('broadcast ...');
  for (const subscribers of only === 'rtt' ? [] : [10, 50]) {
    const path = join(tmp.path, 'baton.sock');
    const subs = spawnFixture(subscribersFixture, [path, token, String(subscribers), `b${subscribers}`]);
    await subs.waitForLine('ready');
    while (((await client('baton').request('subscribers', `b${subscribers}`)) as number) < subscribers) await sleep(5);
    const messages = quick ? 500 : 4000;
    const start = performance.now();
    await client('baton').request('broadcast', { topic: `b${subscribers}`, n: messages, size: 100 });
    let received = 0;
    while (received < messages * subscribers) {
      subs.send('count');
      received = Number((await subs.waitForLine(/^received /, 5000).then(() => subs.lines.at(-1)!)).split(' ')[1]);
      if (received < messages * subscribers) await sleep(2);
    }
    const rate = (messages * subscribers) / ((performance.now() - start) / 1000);
    raw[`broadcast${subscribers}`] = rate;
    rows.push({ measure: `broadcast to ${subscribers} subscribers, messages/s delivered (100 B)`, baton: fmt(rate), 'raw socket + NDJSON': '-', 'vscode-jsonrpc': '-', 'baton vs raw': '', 'baton vs vscode-jsonrpc': '' });
    subs.kill('SIGKILL');
  }

  const vcpu = vcpuIdle();
  raw.guestHaltPollNs = vcpu?.driver === 'haltpoll' ? vcpu.pollNs : undefined;
  raw.cpuidleDriver = vcpu?.driver;
  const idle = describeIdle(vcpu);
  process.stdout.write(`\n${markdownTable(rows)}\n\nmachine: ${machineDescription()}${idle}\n`);
  // A partial run (BENCH_ONLY) does not overwrite the full results.
  if (!only) progress(`results: ${writeBenchResults(packageDir, 'ipc', rows, { raw })}`);
} finally {
  for (const c of servers.values()) c.close();
  await killAllFixtures();
  await tmp.cleanup();
}
