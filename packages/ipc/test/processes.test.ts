import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllFixtures, makeTempDir, sleep, spawnFixture, waitFor, type TempDir } from '@baton/test-utils';
import { connect, encodeFrames, encodePayload, protocolVersion, removeStaleSocketFiles, type ConnectionState } from '../src/index.js';
import { Harness, token } from './helpers.js';

const serverFixture = fileURLToPath(new URL('./fixtures/server.ts', import.meta.url));
const watchersFixture = fileURLToPath(new URL('./fixtures/watchers.ts', import.meta.url));
const posix = process.platform !== 'win32';

let tmp: TempDir;
let h: Harness;
beforeEach(async () => {
  tmp = await makeTempDir();
  h = new Harness(tmp.path);
});
afterEach(async () => {
  await h.close();
  await killAllFixtures();
  await tmp.cleanup();
});

async function startServerProcess(heartbeatMs = 100) {
  const server = spawnFixture(serverFixture, [h.path, token, String(heartbeatMs)]);
  await server.waitForLine('listening');
  return server;
}

describe('with a server in another process', () => {
  (posix ? it : it.skip)('clients see reconnecting at once when the server is killed, then reconnect to a new server with their subscriptions', async () => {
    const first = await startServerProcess();
    const clients = await Promise.all([0, 1, 2].map(() => h.client({ reconnect: { initialMs: 10, maxMs: 100 } })));
    const states = clients.map(() => [] as ConnectionState[]);
    clients.forEach((c, i) => c.onDidChangeConnection(({ state }) => states[i]!.push(state)));
    const ticks = clients.map(() => [] as unknown[]);
    clients.forEach((c, i) => c.subscribe('tick', (p) => ticks[i]!.push(p)));
    await waitFor(async () => (await clients[0]!.request<number>('publish-now', 'before')) === 3, { what: 'three subscribers' });
    await waitFor(() => ticks.every((t) => t.length >= 1));

    const killedAt = performance.now();
    first.kill('SIGKILL');
    await waitFor(() => states.every((s) => s.includes('reconnecting')), { timeoutMs: 2000, what: 'reconnecting' });
    // Seen from the socket closing, not from a heartbeat timeout (5 s by default).
    expect(performance.now() - killedAt).toBeLessThan(1500);
    // The dead server left its socket file; the new one must take it over.
    expect((await lstat(h.path)).isSocket()).toBe(true);

    const second = await startServerProcess();
    await waitFor(() => clients.every((c) => c.state === 'connected'), { timeoutMs: 5000, what: 'reconnected' });
    const secondPid = await clients[0]!.request<number>('pid');
    expect(secondPid).toBe(second.pid);
    await waitFor(async () => (await clients[1]!.request<number>('publish-now', 'after')) === 3, { what: 'subscriptions restored' });
    await waitFor(() => ticks.every((t) => t.includes('after')), { what: 'ticks after reconnect' });
  });

  (process.platform === 'linux' ? it : it.skip)('a killed server\'s peers learn of its death from the highest descriptor down, as PeerInfo.descriptor promises', async () => {
    // Long heartbeats: the server's pings, answered as it dies, would end connections with EPIPE.
    const server = await startServerProcess(600_000);
    const watchers = spawnFixture(watchersFixture, [h.path, token, '6']);
    const descriptors = (await watchers.waitForLine(/^descriptors /)).split(' ').slice(1).map(Number);
    expect(new Set(descriptors).size).toBe(6);
    for (const d of descriptors) expect(d).toBeGreaterThan(2);
    // The watchers' process is stopped while the server dies, so that every end of file waits in its epoll
    // queue in the order the kernel closed the connections, and is taken in that order when it continues.
    // (A process that is collecting events as more become ready may take those in another order.)
    watchers.kill('SIGSTOP');
    server.kill('SIGKILL');
    await server.exited;
    watchers.kill('SIGCONT');
    await waitFor(() => watchers.lines.filter((l) => l.startsWith('lost ')).length === 6, { timeoutMs: 5000, what: 'every connection saw the death' });
    const order = watchers.lines.filter((l) => l.startsWith('lost ')).map((l) => Number(l.split(' ')[1]));
    expect(order).toEqual([...descriptors].sort((a, b) => b - a));
  });

  (posix ? it : it.skip)('detects a frozen (SIGSTOPped) server by heartbeat and reconnects when it wakes', async () => {
    const server = await startServerProcess();
    const client = await h.client({ heartbeat: { intervalMs: 100, timeoutMs: 600 }, reconnect: { initialMs: 10, maxMs: 50 } });
    const states: ConnectionState[] = [];
    client.onDidChangeConnection(({ state }) => states.push(state));
    const pending = client.request('echo', 1, { timeoutMs: 10_000 }).then(() => 'answered');
    await pending;
    server.kill('SIGSTOP');
    const hung = client.request('echo', 2, { timeoutMs: 10_000 }).catch((e: Error) => e.constructor.name);
    await waitFor(() => states.includes('reconnecting'), { timeoutMs: 3000, what: 'heartbeat timeout' });
    expect(await hung).toBe('ConnectionLostError');
    server.kill('SIGCONT');
    await waitFor(() => client.state === 'connected', { timeoutMs: 5000, what: 'reconnected' });
    await expect(client.request('echo', 3)).resolves.toBe(3);
  });
});

describe('a client process that dies with a request in flight', () => {
  (posix ? it : it.skip)('is dropped at once and its handler\'s signal aborts: its end of file is not taken for a half-close', async () => {
    const server = await h.server();
    let signal: AbortSignal | undefined;
    server.handle('slow', (_p, context) => {
      signal = context.signal;
      return new Promise((resolve) => setTimeout(resolve, 20_000, 'never read').unref());
    });
    const disconnected = new Promise<void>((resolve) => server.onDidDisconnect(() => resolve()));
    // A client in another language, in effect: raw frames from a plain node process.
    const frames = encodeFrames([
      encodePayload({ t: 'hello', v: protocolVersion, name: 'doomed', pid: 0, token }),
      encodePayload({ t: 'req', id: 1, m: 'slow' }),
    ]).toString('base64');
    const script = `const s=require('net').createConnection(process.argv[1],()=>s.write(Buffer.from(process.argv[2],'base64')));s.on('data',()=>{});setInterval(()=>{},1000)`;
    const child = spawn(process.execPath, ['-e', script, h.path, frames], { stdio: 'ignore' });
    try {
      await waitFor(() => signal !== undefined, { what: 'the slow request arrived' });
      const killedAt = performance.now();
      child.kill('SIGKILL');
      await disconnected;
      expect(signal!.aborted).toBe(true);
      expect(performance.now() - killedAt).toBeLessThan(1000);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('a server that stalls', () => {
  (posix ? it : it.skip)('keeps every healthy peer when its event loop was blocked for longer than its heartbeat timeout', async () => {
    // The server's heartbeat timeout is 1000 ms; it blocks for 2500 ms. The peers kept pinging
    // all along: their pings were waiting on the sockets, not missing.
    await startServerProcess();
    const clients = await Promise.all([0, 1, 2, 3].map(() => h.client({ heartbeat: { intervalMs: 100, timeoutMs: 10_000 } })));
    const changes: string[] = [];
    clients.forEach((c, i) => c.onDidChangeConnection(({ state }) => changes.push(`${i} ${state}`)));
    await expect(clients[0]!.request('block', 2500, { timeoutMs: 10_000 })).resolves.toBe('unblocked');
    await sleep(300); // a few heartbeat rounds after the stall
    expect(changes).toEqual([]);
    await expect(clients[1]!.request('peers')).resolves.toBe(4);
  }, 20_000);
});

describe('connect and disconnect cycles', () => {
  (posix ? it : it.skip)('leave the server heap flat after GC (no per-connection leak)', async () => {
    await startServerProcess();
    const probe = await h.client();
    const heaps: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 200; i++) {
        const c = await connect({ path: h.path, auth: { token }, reconnect: false });
        await c.request('echo', i);
        await c.close();
      }
      heaps.push(await probe.request<number>('heap'));
    }
    // The first round warms caches and code; after it, 800 more connections add nothing that stays.
    expect(heaps.at(-1)! - heaps[1]!).toBeLessThan(1 << 20);
  }, 60_000);
});

describe('socket files', () => {
  (posix ? it : it.skip)('a server that closes leaves no file behind; one that is SIGKILLed leaves its files to removeStaleSocketFiles, which never touches a live one', async () => {
    const paths = (name: string) => [join(tmp.path, `${name}.sock`), join(tmp.path, `${name}.sock.lock`)];
    const files = async () => (await readdir(tmp.path)).filter((f) => f.includes('.sock')).sort();

    const closing = spawnFixture(serverFixture, [paths('closing')[0]!, token]);
    await closing.waitForLine('listening');
    expect(await files()).toEqual(['closing.sock', 'closing.sock.lock']);
    closing.kill('SIGTERM');
    await waitFor(async () => (await files()).length === 0, { what: 'the closed server to remove its socket and lock files' });

    const dead = spawnFixture(serverFixture, [paths('dead')[0]!, token]);
    const live = spawnFixture(serverFixture, [paths('live')[0]!, token]);
    await Promise.all([dead.waitForLine('listening'), live.waitForLine('listening')]);
    dead.kill('SIGKILL');
    await dead.exited;
    expect(await files()).toEqual(['dead.sock', 'dead.sock.lock', 'live.sock', 'live.sock.lock']);
    expect(removeStaleSocketFiles(tmp.path, () => true)).toBe(1);
    expect(await files()).toEqual(['live.sock', 'live.sock.lock']);
    // The live server still serves, and a new server can take the swept path.
    const client = await h.client({ path: paths('live')[0]! });
    await expect(client.request('echo', 'still here')).resolves.toBe('still here');
    const again = spawnFixture(serverFixture, [paths('dead')[0]!, token]);
    await again.waitForLine('listening');
  });
});

describe('slow consumers', () => {
  async function rawSubscriber(topic: string) {
    const socket = createConnection(h.path);
    await new Promise((r) => socket.once('connect', r));
    socket.write(encodeFrames([encodePayload({ t: 'hello', v: protocolVersion, name: 'sloth', pid: 1, token }), encodePayload({ t: 'sub', topic })]));
    // Read the welcome, then never read again.
    await new Promise((r) => socket.once('data', r));
    socket.pause();
    return socket;
  }

  it('disconnects a subscriber that never reads, with memory bounded', async () => {
    const server = await h.server({ maxQueueBytes: 1 << 20 });
    const reasons: string[] = [];
    server.onDidDisconnect(({ reason }) => reasons.push(reason));
    const socket = await rawSubscriber('firehose');
    await waitFor(() => server.subscriberCount('firehose') === 1);
    const before = process.memoryUsage().rss;
    const payload = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 2000 && reasons.length === 0; i++) {
      server.publish('firehose', payload);
      if (i % 50 === 0) await sleep(1);
    }
    await waitFor(() => reasons.length === 1, { what: 'the slow consumer to be dropped' });
    expect(reasons[0]).toMatch(/did not read/);
    // 2000 x 64 KiB = 125 MiB offered; what the server held stayed near the 1 MiB bound.
    expect(process.memoryUsage().rss - before).toBeLessThan(60 * 1024 * 1024);
    socket.destroy();
  });

  it('with drop-oldest, keeps the subscriber and drops messages instead', async () => {
    const server = await h.server({ maxQueueBytes: 1 << 20, slowConsumer: 'drop-oldest' });
    const reasons: string[] = [];
    server.onDidDisconnect(({ reason }) => reasons.push(reason));
    const socket = await rawSubscriber('firehose');
    await waitFor(() => server.subscriberCount('firehose') === 1);
    const payload = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 500; i++) {
      server.publish('firehose', payload);
      if (i % 50 === 0) await sleep(1);
    }
    await sleep(50);
    expect(reasons).toEqual([]);
    expect(server.subscriberCount('firehose')).toBe(1);
    socket.destroy();
  });
});
