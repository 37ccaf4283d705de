import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { BatonError, InvalidArgumentError, registerErrorClass, tryLockFd } from '@baton/base';
import { makeTempDir, sleep, waitFor, type TempDir } from '@baton/test-utils';
import {
  AuthError,
  ConnectionLostError,
  FrameTooLargeError,
  MethodNotFoundError,
  RequestTimeoutError,
  ServerRunningError,
  connect,
  createServer,
  encodeFrames,
  encodePayload,
  protocolVersion,
} from '../src/index.js';
import { Harness, rawPeer, token } from './helpers.js';

const posix = process.platform !== 'win32';

class QuotaExceededError extends BatonError {
  constructor(message: string) {
    super('EQUOTA', message);
  }
}
registerErrorClass(QuotaExceededError);

let tmp: TempDir;
let h: Harness;
beforeEach(async () => {
  tmp = await makeTempDir();
  h = new Harness(tmp.path);
});
afterEach(async () => {
  await h.close();
  await tmp.cleanup();
});

describe('requests', () => {
  it('round-trips params and results, and reports the peer to the handler', async () => {
    const server = await h.server();
    server.handle('add', (params, { peer }) => {
      const { a, b } = params as { a: number; b: number };
      return { sum: a + b, peer: peer.name, pid: peer.pid };
    });
    const client = await h.client({ name: 'window-1' });
    await expect(client.request('add', { a: 2, b: 3 })).resolves.toEqual({ sum: 5, peer: 'window-1', pid: process.pid });
    expect(server.peers).toEqual([expect.objectContaining({ name: 'window-1', pid: process.pid })]);
    expect(server.peer(server.peers[0]!.id)).toBe(server.peers[0]);
    expect(server.peer('no-such-peer')).toBeUndefined();
    // The connection's descriptor in this process, where there is one.
    if (process.platform === 'win32') expect(server.peers[0]!.descriptor).toBeUndefined();
    else expect(server.peers[0]!.descriptor).toBeGreaterThan(2);
  });

  (process.platform === 'win32' ? it.skip : it)('close() is a half-close: a request in flight is still answered if the server answers within a second', async () => {
    const server = await h.server();
    server.handle('slow', (p) => new Promise((resolve) => setTimeout(resolve, 200, p)));
    server.handle('stuck', () => new Promise(() => {}));
    const client = await h.client();
    const answered = client.request('slow', 'late');
    const stuck = client.request('stuck').catch((e: Error) => e.constructor.name);
    await waitFor(() => server.peers.length === 1);
    await client.close();
    await expect(answered).resolves.toBe('late');
    expect(await stuck).toBe('ConnectionLostError');
  });

  it('a handler\'s own Error subclass keeps its data, of any JSON type', async () => {
    class LimitError extends Error {
      override name = 'LimitError';
      data = [1, 'two'];
    }
    const server = await h.server();
    server.handle('limit', () => {
      throw new LimitError('over');
    });
    const client = await h.client();
    await expect(client.request('limit')).rejects.toMatchObject({ name: 'LimitError', message: 'over', data: [1, 'two'] });
  });

  it('rethrows a handler error as the same class with its code', async () => {
    const server = await h.server();
    server.handle('spend', () => {
      throw new QuotaExceededError('quota of 10 used up');
    });
    const client = await h.client();
    const err = await client.request('spend').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaExceededError);
    expect(err).toMatchObject({ code: 'EQUOTA', message: 'quota of 10 used up' });
  });

  it('rejects an unknown method with ENOMETHOD', async () => {
    await h.server();
    const client = await h.client();
    const err = await client.request('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MethodNotFoundError);
    expect((err as MethodNotFoundError).code).toBe('ENOMETHOD');
  });

  it('times out a request, and the handler sees its signal aborted', async () => {
    const server = await h.server();
    let handlerSignal: AbortSignal | undefined;
    server.handle('slow', (_p, { signal }) => {
      handlerSignal = signal;
      return new Promise(() => {});
    });
    const client = await h.client();
    const err = await client.request('slow', undefined, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestTimeoutError);
    await waitFor(() => handlerSignal?.aborted, { what: 'the handler signal to abort' });
  });

  it('times out each request at its own deadline, whatever order they were sent in', async () => {
    const server = await h.server();
    server.handle('slow', () => new Promise(() => {}));
    server.handle('later', (p) => new Promise((resolve) => setTimeout(() => resolve(p), 250)));
    const client = await h.client();
    const started = performance.now();
    const settled = (p: Promise<unknown>) =>
      p.then(
        (value) => ({ value, ms: performance.now() - started }),
        (error: unknown) => ({ error, ms: performance.now() - started }),
      );
    const long = settled(client.request('slow', undefined, { timeoutMs: 600 }));
    const short = settled(client.request('slow', undefined, { timeoutMs: 60 }));
    const answered = settled(client.request('later', 'ok', { timeoutMs: 5000 }));
    const middle = settled(client.request('slow', undefined, { timeoutMs: 300 }));
    const [l, s, a, m] = await Promise.all([long, short, answered, middle]);
    expect(s).toMatchObject({ error: expect.any(RequestTimeoutError) });
    expect(m).toMatchObject({ error: expect.any(RequestTimeoutError) });
    expect(l).toMatchObject({ error: expect.any(RequestTimeoutError) });
    expect(a).toMatchObject({ value: 'ok' });
    // Each deadline is honoured: never early, and not held up by another request's deadline.
    expect(s.ms).toBeGreaterThanOrEqual(59);
    expect(s.ms).toBeLessThan(290);
    expect(m.ms).toBeGreaterThanOrEqual(299);
    expect(m.ms).toBeLessThan(590);
    expect(l.ms).toBeGreaterThanOrEqual(599);
    expect((l as { error: Error }).error.message).toContain('within 600 ms');
    // The connection still serves requests after timeouts.
    server.handle('echo', (p) => p);
    await expect(client.request('echo', 7)).resolves.toBe(7);
  });

  it('answers synchronous, async and thenable handlers alike, including a thrown undefined', async () => {
    const server = await h.server();
    server.handle('sync', (p) => p);
    server.handle('async', async (p) => p);
    server.handle('thenable', (p) => ({ then: (resolve: (v: unknown) => void) => resolve(p) }));
    server.handle('badThenable', () => ({
      then: () => {
        throw new Error('then() failed');
      },
    }));
    server.handle('throwsNothing', () => {
      throw undefined;
    });
    const client = await h.client();
    await expect(client.request('sync', 1)).resolves.toBe(1);
    await expect(client.request('async', 2)).resolves.toBe(2);
    await expect(client.request('thenable', 3)).resolves.toBe(3);
    await expect(client.request('throwsNothing')).rejects.toBeInstanceOf(Error);
    await expect(client.request('badThenable')).rejects.toThrow('then() failed');
  });

  it('cancels a request through its AbortSignal, on both sides', async () => {
    const server = await h.server();
    let handlerSignal: AbortSignal | undefined;
    server.handle('slow', (_p, { signal }) => {
      handlerSignal = signal;
      return new Promise(() => {});
    });
    const client = await h.client();
    const controller = new AbortController();
    const pending = client.request('slow', undefined, { signal: controller.signal });
    await waitFor(() => handlerSignal, { what: 'the handler to start' });
    controller.abort(new Error('user closed the panel'));
    await expect(pending).rejects.toThrow('user closed the panel');
    await waitFor(() => handlerSignal!.aborted, { what: 'the handler signal to abort' });
  });

  it('delivers 10,000 requests sent in a burst, complete and in order', async () => {
    const server = await h.server();
    const seen: number[] = [];
    server.handle('n', (p) => {
      seen.push(p as number);
      return p;
    });
    const client = await h.client();
    const results = await Promise.all(Array.from({ length: 10_000 }, (_, i) => client.request('n', i)));
    expect(results).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(seen).toEqual(results);
  });

  it('refuses an oversized message on the sender side with EFRAMETOOLARGE', async () => {
    const server = await h.server({ maxFrameBytes: 1024 });
    server.handle('echo', (p) => p);
    const client = await h.client({ maxFrameBytes: 1024 });
    await expect(client.request('echo', 'x'.repeat(2000))).rejects.toBeInstanceOf(FrameTooLargeError);
    // The connection is still fine for normal messages.
    await expect(client.request('echo', 'ok')).resolves.toBe('ok');
  });

  it('refuses an oversized frame on the receiving side and closes only that connection', async () => {
    const server = await h.server({ maxFrameBytes: 1024 });
    server.handle('echo', (p) => p);
    const good = await h.client();
    const bad = await h.client({ reconnect: false });
    const lost = bad.request('echo', 'y'.repeat(4000)).catch((e: unknown) => e);
    expect(await lost).toBeInstanceOf(ConnectionLostError);
    await expect(good.request('echo', 'still here')).resolves.toBe('still here');
  });

  it('rejects pending requests with ECONNLOST when the server closes', async () => {
    const server = await h.server();
    server.handle('hang', () => new Promise(() => {}));
    const client = await h.client({ reconnect: false });
    const pending = client.request('hang').catch((e: unknown) => e);
    await sleep(20);
    await server.close();
    expect(await pending).toBeInstanceOf(ConnectionLostError);
  });
});

describe('handshake and auth', () => {
  it('refuses a wrong token with EAUTH', async () => {
    await h.server();
    const err = await connect({ path: h.path, auth: { token: 'b'.repeat(64) } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('EAUTH');
  });

  it('refuses another protocol version with EPROTOCOL', async () => {
    await h.server();
    const socket = createConnection(h.path);
    await new Promise((r) => socket.once('connect', r));
    const reply = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.subarray(4).toString())));
    socket.write(encodeFrames([encodePayload({ t: 'hello', v: protocolVersion + 1, name: 'x', pid: 1, token })]));
    expect(JSON.parse(await reply)).toMatchObject({ t: 'refuse', code: 'EPROTOCOL' });
    socket.destroy();
  });

  it('before its hello is accepted a peer may send only small frames: a large one is refused at its header, unread; after the hello the full limit applies', async () => {
    const server = await h.server();
    server.handle('echo', (p) => p);
    const stranger = await rawPeer(h.path);
    // A header announcing 1 MiB, and none of the bytes: refused on the header alone.
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1024 * 1024);
    stranger.socket.write(header);
    await stranger.closed;
    expect(stranger.messages).toEqual([expect.objectContaining({ t: 'refuse', code: 'EFRAMETOOLARGE', message: expect.stringContaining('8192-byte limit') })]);
    // Authenticated, the same size is fine.
    const client = await h.client();
    const big = 'x'.repeat(1024 * 1024);
    await expect(client.request('echo', big)).resolves.toBe(big);
  });

  it('refuses a connection that sends garbage, says why, and keeps serving the others', async () => {
    const server = await h.server();
    server.handle('echo', (p) => p);
    const good = await h.client();
    const http = await rawPeer(h.path);
    http.socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await http.closed;
    // "GET " read as a length is over the frame limit.
    expect(http.messages).toEqual([expect.objectContaining({ t: 'refuse', code: 'EFRAMETOOLARGE' })]);
    // Malformed after the handshake, too.
    const bad = await rawPeer(h.path);
    bad.send({ t: 'hello', v: protocolVersion, name: 'x', pid: 1, token }, { t: 'req', id: -1 });
    await bad.closed;
    expect(bad.messages).toEqual([
      expect.objectContaining({ t: 'welcome' }),
      expect.objectContaining({ t: 'refuse', code: 'EPROTOCOL', message: expect.stringContaining('req.id must be a non-negative integer') }),
    ]);
    await expect(good.request('echo', 1)).resolves.toBe(1);
  });

  it('requires a token', async () => {
    await expect(createServer({ path: h.path, auth: { token: '' } })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('pub/sub', () => {
  it('broadcasts to 20 subscribers, in order, and not to others', async () => {
    const server = await h.server();
    const clients = await Promise.all(Array.from({ length: 20 }, () => h.client()));
    const bystander = await h.client();
    const received = clients.map(() => [] as unknown[]);
    clients.forEach((c, i) => c.subscribe('state.changed', (p) => received[i]!.push(p)));
    const other: unknown[] = [];
    bystander.subscribe('other', (p) => other.push(p));
    await waitFor(() => server.subscriberCount('state.changed') === 20, { what: '20 subscriptions' });
    for (let v = 1; v <= 50; v++) expect(server.publish('state.changed', { version: v })).toBe(20);
    await waitFor(() => received.every((r) => r.length === 50), { what: 'all deliveries' });
    for (const r of received) expect(r).toEqual(Array.from({ length: 50 }, (_, i) => ({ version: i + 1 })));
    expect(other).toEqual([]);
  });

  it('forwards a client publish to the other subscribers, and send() reaches one peer', async () => {
    const server = await h.server();
    const a = await h.client({ name: 'a' });
    const b = await h.client({ name: 'b' });
    const seenA: unknown[] = [];
    const seenB: unknown[] = [];
    a.subscribe('chat', (p) => seenA.push(p));
    b.subscribe('chat', (p) => seenB.push(p));
    await waitFor(() => server.subscriberCount('chat') === 2);
    a.publish('chat', 'hi from a');
    await waitFor(() => seenB.length === 1);
    expect(seenB).toEqual(['hi from a']);
    expect(seenA).toEqual([]);
    const direct: unknown[] = [];
    b.subscribe('direct', (p) => direct.push(p));
    expect(server.send(b.peerId!, 'direct', 42)).toBe(true);
    await waitFor(() => direct.length === 1);
    expect(direct).toEqual([42]);
  });

  it('stops delivering after the subscription is disposed', async () => {
    const server = await h.server();
    const c = await h.client();
    const seen: unknown[] = [];
    const sub = c.subscribe('t', (p) => seen.push(p));
    await waitFor(() => server.subscriberCount('t') === 1);
    server.publish('t', 1);
    await waitFor(() => seen.length === 1);
    sub.dispose();
    await waitFor(() => server.subscriberCount('t') === 0);
    expect(server.publish('t', 2)).toBe(0);
  });

  it('delivers notifications to the handler', async () => {
    const server = await h.server();
    const batches: unknown[] = [];
    server.handle('telemetry.batch', (events) => void batches.push(events));
    const c = await h.client();
    c.notify('telemetry.batch', [{ e: 1 }, { e: 2 }]);
    await waitFor(() => batches.length === 1);
    expect(batches[0]).toEqual([{ e: 1 }, { e: 2 }]);
  });
});

describe('socket path ownership', () => {
  // A file path: on Windows the server listens on a named pipe, where no file can be in the way.
  (posix ? it : it.skip)('refuses a path holding anything but a socket, names it, and leaves it as it was', async () => {
    await writeFile(h.path, 'somebody\'s notes');
    const err = await createServer({ path: h.path, auth: { token } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EUNSAFEPATH', message: expect.stringContaining(`${h.path}: it is a regular file, not a socket`) });
    expect(await readFile(h.path, 'utf8')).toBe('somebody\'s notes');
    // A named pipe is named as one (it read "not a socket, not a socket").
    const fifo = `${h.path}.fifo`;
    execFileSync('mkfifo', [fifo]);
    const refused = await createServer({ path: fifo, auth: { token } }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'EUNSAFEPATH', message: expect.stringContaining(`${fifo}: it is a named pipe (FIFO), not a socket`) });
  });

  it('never steals the path of a live server, and the live one keeps working', async () => {
    const live = await h.server();
    live.handle('who', () => 'first');
    await expect(createServer({ path: h.path, auth: { token } })).rejects.toBeInstanceOf(ServerRunningError);
    const c = await h.client();
    await expect(c.request('who')).resolves.toBe('first');
  });

  // removeStaleSocketFiles locks a lock file it finds free, then removes it: a server starting on
  // that path just then (its file created, not yet locked, or a dead server's file reused) finds
  // the lock held for that moment. It must start, not take the sweeper for a live server.
  (posix ? it : it.skip)('a server starting while a sweeper holds its lock file for a moment starts once the sweeper removed it', async () => {
    const lockPath = `${h.path}.lock`;
    const sweeper = openSync(lockPath, 'a+', 0o600);
    expect(tryLockFd(sweeper)).toBe(true);
    const starting = h.server();
    await sleep(20);
    unlinkSync(lockPath);
    closeSync(sweeper);
    const server = await starting;
    server.handle('who', () => 'started');
    const c = await h.client();
    await expect(c.request('who')).resolves.toBe('started');
  });

  it('two servers racing for one path end with exactly one listening', async () => {
    const results = await Promise.allSettled([0, 1, 2, 3].map(() => createServer({ path: h.path, auth: { token } })));
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ServerRunningError);
    h.servers.push((winners[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof createServer>>>).value);
  });

  it('close() removes its own socket file but not a replacement server\'s', async () => {
    const first = await h.server();
    await first.close();
    h.servers.splice(0);
    await expect(stat(h.path)).rejects.toThrow();
    const second = await h.server();
    second.handle('who', () => 'second');
    await first.close(); // again: a no-op that must not touch the new server's path
    const c = await h.client();
    await expect(c.request('who')).resolves.toBe('second');
  });
});
