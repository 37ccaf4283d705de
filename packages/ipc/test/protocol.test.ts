// The wire protocol as PROTOCOL.md states it, driven from raw sockets: every refusal is a
// `refuse` frame with a code, ids, cancel, the error object, and the limits.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { BatonError } from '@baton/base';
import { makeTempDir, sleep, waitFor, type TempDir } from '@baton/test-utils';
import { createConnection } from 'node:net';
import { connect, encodeFrames, encodePayload, protocolVersion, supportedVersions } from '../src/index.js';
import { Harness, rawPeer, token } from './helpers.js';

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

const hello = (extra: Record<string, unknown> = {}) => ({ t: 'hello', v: protocolVersion, name: 'raw', pid: 4242, token, ...extra });

/** Sends `messages` on a fresh connection and returns what came back before the server closed it. */
async function exchange(...messages: unknown[]) {
  const peer = await rawPeer(h.path);
  peer.send(...messages);
  await peer.closed;
  return peer.messages;
}

describe('handshake refusals are refuse frames with a code', () => {
  beforeEach(async () => {
    await h.server({ handshakeTimeoutMs: 300 });
  });

  it('a wrong token: EAUTH', async () => {
    expect(await exchange(hello({ token: 'b'.repeat(64) }))).toEqual([{ t: 'refuse', code: 'EAUTH', message: 'Wrong auth token' }]);
  });

  it('the token file sent untrimmed (with its newline): EAUTH, saying so', async () => {
    const [refusal] = await exchange(hello({ token: `${token}\n` }));
    expect(refusal).toMatchObject({ t: 'refuse', code: 'EAUTH', message: expect.stringContaining('without its newline') });
  });

  it('no token: EAUTH', async () => {
    const { token: _token, ...noToken } = hello();
    expect(await exchange(noToken)).toEqual([expect.objectContaining({ t: 'refuse', code: 'EAUTH', message: expect.stringContaining('no token') })]);
  });

  it('another protocol version: EPROTOCOL, with the versions the server speaks', async () => {
    expect(await exchange(hello({ v: 2 }))).toEqual([expect.objectContaining({ t: 'refuse', code: 'EPROTOCOL', versions: [...supportedVersions] })]);
  });

  it('a malformed hello: EPROTOCOL naming the field', async () => {
    expect(await exchange(hello({ pid: 'me' }))).toEqual([expect.objectContaining({ t: 'refuse', code: 'EPROTOCOL', message: expect.stringContaining('hello.pid') })]);
  });

  it('a request before hello: EPROTOCOL', async () => {
    expect(await exchange({ t: 'req', id: 1, m: 'echo' })).toEqual([expect.objectContaining({ t: 'refuse', code: 'EPROTOCOL', message: expect.stringContaining("'req' before hello") })]);
    // Named as not a hello even when it is malformed too, and a first message that is no object at all as such.
    expect(await exchange({ t: 'req', id: -1 })).toEqual([expect.objectContaining({ t: 'refuse', code: 'EPROTOCOL', message: expect.stringContaining("'req' before hello") })]);
    expect(await exchange([1, 2])).toEqual([expect.objectContaining({ t: 'refuse', code: 'EPROTOCOL', message: 'the first message must be a hello object, got [1,2]' })]);
  });

  it('nothing within the handshake timeout: EHANDSHAKETIMEOUT', async () => {
    const peer = await rawPeer(h.path);
    await peer.closed;
    expect(peer.messages).toEqual([expect.objectContaining({ t: 'refuse', code: 'EHANDSHAKETIMEOUT' })]);
  });

  it('bytes that are not JSON: EMALFORMEDFRAME', async () => {
    const peer = await rawPeer(h.path);
    const body = Buffer.from('{not json');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    peer.socket.write(Buffer.concat([header, body]));
    await peer.closed;
    expect(peer.messages).toEqual([expect.objectContaining({ t: 'refuse', code: 'EMALFORMEDFRAME' })]);
  });

  it('a refused peer that keeps its side open is cut off 5 s after the refusal (held, unread, no sooner: it would only come back sooner)', async () => {
    const socket = createConnection({ path: h.path, allowHalfOpen: true });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('data', () => {});
    socket.on('error', () => {});
    const ended = new Promise((resolve) => socket.once('end', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(encodeFrames([encodePayload(hello({ token: 'b'.repeat(64) }))]));
    await ended; // the server's half-close, after its refuse
    const endedAt = performance.now();
    // We never end our side and keep writing: the writes fail once the server has destroyed it.
    const ping = encodeFrames([encodePayload({ t: 'ping' })]);
    const writer = setInterval(() => socket.write(ping), 50);
    await closed;
    clearInterval(writer);
    expect(performance.now() - endedAt).toBeGreaterThan(4500);
    expect(performance.now() - endedAt).toBeLessThan(8000);
  }, 15_000);

  it('a stranger refused for a 16 MiB frame before its hello is read no more: what it can write stops at the socket buffers', async () => {
    const socket = createConnection({ path: h.path, allowHalfOpen: true });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('error', () => {});
    const refused = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.subarray(4).toString())));
    const size = 16 * 1024 * 1024;
    const frame = Buffer.alloc(4 + size, 0x20);
    frame.writeUInt32BE(size);
    // As fast as the socket takes them, for half a second (the server keeps a refused peer 5 s before it cuts it).
    const until = performance.now() + 500;
    while (performance.now() < until && !socket.destroyed) {
      if (socket.write(frame)) continue;
      const drained = await Promise.race([new Promise((resolve) => socket.once('drain', () => resolve(true))), sleep(until - performance.now()).then(() => false)]);
      if (!drained) break;
    }
    expect(JSON.parse(await refused)).toMatchObject({ t: 'refuse', code: 'EFRAMETOOLARGE' });
    // What left this process (not what waits in its own buffer): reading and dropping everything, the server took
    // hundreds of megabytes in that time; now only what the kernel's socket buffers hold.
    expect(socket.bytesWritten - socket.writableLength).toBeLessThan(8 * 1024 * 1024);
    socket.destroy();
  });

  it('a hello from a peer that then closes leaves the server serving', async () => {
    const peer = await rawPeer(h.path);
    peer.send(hello());
    expect(await peer.next()).toMatchObject({ t: 'welcome', v: protocolVersion, id: expect.any(String) });
    peer.socket.destroy();
    const client = await h.client();
    expect(client.state).toBe('connected');
  });
});

describe('after the handshake', () => {
  class QuotaError extends BatonError {
    constructor(message: string) {
      super('EQUOTA', message, { data: { limit: 10 } });
    }
  }

  it('a request id in flight may not be reused: EPROTOCOL; one that was answered may', async () => {
    const server = await h.server();
    let release!: () => void;
    server.handle('wait', () => new Promise<string>((resolve) => (release = () => resolve('done'))));
    server.handle('echo', (p) => p);
    const peer = await rawPeer(h.path);
    peer.send(hello(), { t: 'req', id: 7, m: 'echo', p: 'a' });
    await peer.next(); // welcome
    expect(await peer.next()).toEqual({ t: 'res', id: 7, r: 'a' });
    peer.send({ t: 'req', id: 7, m: 'echo', p: 'b' });
    expect(await peer.next()).toEqual({ t: 'res', id: 7, r: 'b' });
    peer.send({ t: 'req', id: 8, m: 'wait' }, { t: 'req', id: 8, m: 'echo', p: 'c' });
    expect(await peer.next()).toMatchObject({ t: 'refuse', code: 'EPROTOCOL', message: expect.stringContaining('Request id 8 is already in flight') });
    await peer.closed;
    release();
  });

  it('a client that half-closes (FIN) after its requests gets every answer in flight, then the server closes its side', async () => {
    const server = await h.server({ heartbeat: { intervalMs: 50, timeoutMs: 150 } });
    let slowSignal: AbortSignal | undefined;
    server.handle('slow', async (p, { signal }) => {
      slowSignal = signal;
      await sleep(400); // longer than the heartbeat timeout: a half-closed peer cannot answer pings
      return p;
    });
    server.handle('echo', (p) => p);
    const peer = await rawPeer(h.path);
    peer.send(hello(), { t: 'req', id: 1, m: 'slow', p: 'late' }, { t: 'req', id: 2, m: 'echo', p: 'now' });
    await peer.next(); // welcome
    await waitFor(() => slowSignal !== undefined);
    peer.socket.end();
    await peer.closed;
    const answers = peer.messages.filter((m) => m.t === 'res');
    expect(answers).toEqual([{ t: 'res', id: 2, r: 'now' }, { t: 'res', id: 1, r: 'late' }]);
    expect(slowSignal!.aborted).toBe(false);
    await waitFor(() => server.peers.length === 0, { what: 'the peer gone once answered' });
  });

  it('a client that half-closes with nothing in flight is closed at once', async () => {
    const server = await h.server();
    server.handle('echo', (p) => p);
    const peer = await rawPeer(h.path);
    peer.send(hello(), { t: 'req', id: 1, m: 'echo', p: 1 });
    await peer.next();
    expect(await peer.next()).toEqual({ t: 'res', id: 1, r: 1 });
    const start = performance.now();
    peer.socket.end();
    await peer.closed;
    expect(performance.now() - start).toBeLessThan(500);
    await waitFor(() => server.peers.length === 0);
  });

  it('a result nested deeper than 128 levels (or too deep for JSON.stringify) is answered with EMALFORMEDFRAME, and the connection stays', async () => {
    const server = await h.server();
    const nest = (depth: number): unknown => {
      let value: unknown = [];
      for (let i = 1; i < depth; i++) value = [value];
      return value;
    };
    server.handle('deep', (p) => nest(p as number));
    const peer = await rawPeer(h.path);
    peer.send(hello(), { t: 'req', id: 1, m: 'deep', p: 127 }, { t: 'req', id: 2, m: 'deep', p: 128 }, { t: 'req', id: 3, m: 'deep', p: 100_000 });
    await peer.next(); // welcome
    expect(await peer.next()).toEqual({ t: 'res', id: 1, r: nest(127) }); // 127 in r, 128 with the envelope
    for (const id of [2, 3]) expect(await peer.next()).toMatchObject({ t: 'res', id, e: { code: 'EMALFORMEDFRAME', data: { max: 128 } } });
    peer.send({ t: 'req', id: 4, m: 'deep', p: 1 });
    expect(await peer.next()).toEqual({ t: 'res', id: 4, r: [] });
    peer.socket.destroy();
  });

  it('a cancelled request is not answered, and its handler sees the abort', async () => {
    const server = await h.server();
    let aborted: Promise<void> | undefined;
    server.handle('slow', (_p, { signal }) => {
      aborted = new Promise((resolve) => signal.addEventListener('abort', () => resolve()));
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve('late')));
    });
    server.handle('echo', (p) => p);
    const peer = await rawPeer(h.path);
    peer.send(hello(), { t: 'req', id: 1, m: 'slow' });
    await peer.next(); // welcome
    await sleep(20);
    peer.send({ t: 'cancel', id: 1 }, { t: 'cancel', id: 99 }, { t: 'req', id: 2, m: 'echo', p: 'after' });
    expect(await peer.next()).toEqual({ t: 'res', id: 2, r: 'after' });
    await aborted;
    await sleep(50);
    expect(peer.messages.filter((m) => m.t === 'res' && m.id === 1)).toEqual([]);
    peer.socket.destroy();
  });

  it('errors cross as { name, message, code, data } without the stack by default; errorStacks adds it', async () => {
    for (const errorStacks of [false, true]) {
      const server = await h.server({ errorStacks });
      server.handle('spend', () => {
        throw new QuotaError('quota of 10 used up');
      });
      const peer = await rawPeer(h.path);
      peer.send(hello(), { t: 'req', id: 1, m: 'spend' }, { t: 'req', id: 2, m: 'nope' });
      await peer.next();
      const spent = await peer.next();
      const missing = await peer.next();
      expect(spent).toEqual({ t: 'res', id: 1, e: { name: 'QuotaError', message: 'quota of 10 used up', code: 'EQUOTA', data: { limit: 10 }, ...(errorStacks ? { stack: expect.stringContaining('protocol.test.ts') } : {}) } });
      expect(missing).toMatchObject({ t: 'res', id: 2, e: { name: 'MethodNotFoundError', code: 'ENOMETHOD' } });
      if (!errorStacks) expect(JSON.stringify(peer.messages)).not.toContain('protocol.test.ts');
      peer.socket.destroy();
      await h.close();
    }
  });

  it('answers ping with pong, and pings a peer that stays quiet', async () => {
    await h.server({ heartbeat: { intervalMs: 50, timeoutMs: 5000 } });
    const peer = await rawPeer(h.path);
    peer.send(hello(), { t: 'ping' });
    await peer.next();
    expect(await peer.next()).toEqual({ t: 'pong' });
    expect(await peer.next(1000, { pings: true })).toEqual({ t: 'ping' });
    peer.socket.destroy();
  });

  it('a server that publishes all the time still pings a peer that only answers pings, and keeps it', async () => {
    const server = await h.server({ heartbeat: { intervalMs: 50, timeoutMs: 300 } });
    const peer = await rawPeer(h.path);
    // The peer answers each ping and sends nothing else, as PROTOCOL.md allows.
    peer.socket.on('data', () => {
      for (const message of peer.messages.splice(0)) if (message.t === 'ping') peer.send({ t: 'pong' });
    });
    peer.send(hello(), { t: 'sub', topic: 'ticks' });
    await waitFor(() => server.subscriberCount('ticks') === 1, { what: 'the subscription' });
    // Publishing every 20 ms for four heartbeat timeouts: the server never idles, so a rule that
    // pinged only after sending nothing for a period would never ask, and would drop the peer.
    for (let i = 0; i < 60; i++) {
      server.publish('ticks', i);
      await sleep(20);
    }
    expect(server.peers).toHaveLength(1);
    peer.socket.destroy();
  });

  it('setHeartbeat() changes the periods of open connections, counting silence from the change', async () => {
    const server = await h.server({ heartbeat: { intervalMs: 60_000, timeoutMs: 120_000 } });
    const peer = await rawPeer(h.path);
    peer.send(hello());
    await peer.next();
    // Quiet for longer than the timeout about to be set: the change must not close it at once.
    await sleep(600);
    const changedAt = performance.now();
    server.setHeartbeat({ intervalMs: 50, timeoutMs: 400 });
    expect(await peer.next(1000, { pings: true })).toEqual({ t: 'ping' });
    await peer.closed;
    expect(performance.now() - changedAt).toBeGreaterThanOrEqual(390);
  });

  it("a client's setHeartbeat() takes effect on its open connection", async () => {
    const server = await h.server({ heartbeat: { intervalMs: 60_000, timeoutMs: 300 } });
    const client = await h.client({ heartbeat: { intervalMs: 50, timeoutMs: 60_000 }, reconnect: false });
    const states: string[] = [];
    client.onDidChangeConnection(({ state }) => states.push(state));
    await sleep(700);
    expect(states).toEqual([]);
    expect(server.peers).toHaveLength(1);
    client.setHeartbeat({ intervalMs: 60_000, timeoutMs: 60_000 });
    await waitFor(() => server.peers.length === 0, { timeoutMs: 3000, what: 'the server to drop the silent client' });
  });

  it('an unknown message type: EPROTOCOL; an unknown field is ignored', async () => {
    const server = await h.server();
    server.handle('echo', (p) => p);
    const peer = await rawPeer(h.path);
    peer.send(hello({ future: true }), { t: 'req', id: 1, m: 'echo', p: 1, future: true }, { t: 'teleport' });
    await peer.closed;
    expect(peer.messages.slice(1)).toEqual([{ t: 'res', id: 1, r: 1 }, expect.objectContaining({ t: 'refuse', code: 'EPROTOCOL', message: expect.stringContaining('teleport') })]);
  });

  it('a frame that started and does not complete within frameTimeoutMs: EFRAMETIMEOUT (one byte at a time is not liveness)', async () => {
    const server = await h.server({ heartbeat: { intervalMs: 50, timeoutMs: 400, frameTimeoutMs: 300 } });
    const closes: string[] = [];
    server.onDidDisconnect(({ reason }) => closes.push(reason));
    const peer = await rawPeer(h.path);
    peer.send(hello());
    await peer.next();
    const frame = Buffer.alloc(4 + 100, 0x20);
    frame.writeUInt32BE(100);
    const started = performance.now();
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < frame.length && !peer.socket.destroyed) peer.socket.write(frame.subarray(sent, ++sent));
    }, 100);
    await peer.closed;
    clearInterval(drip);
    // Dripping a byte every 100 ms kept it "alive" for the 400 ms heartbeat, but not the frame.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(peer.messages.at(-1)).toMatchObject({ t: 'refuse', code: 'EFRAMETIMEOUT' });
    // The server's own event of it (the bound above is on the refusal; on a machine busy with other tests the event
    // took over 5 s once, after the refusal had arrived in time).
    await waitFor(() => closes.length === 1, { timeoutMs: 15_000, what: "the server's disconnect event" });
    expect(closes[0]).toMatch(/not complete/);
  });
});

describe('client timeouts', () => {
  it('timeoutMs 0 means no timeout, connected or waiting for the connection', async () => {
    const server = await h.server();
    server.handle('echo', async (p) => {
      await sleep(100);
      return p;
    });
    const client = await connect({ path: h.path, auth: { token }, reconnect: { initialMs: 20, maxMs: 50 } });
    try {
      await expect(client.request('echo', 'now', { timeoutMs: 0 })).resolves.toBe('now');
      await server.close();
      await waitFor(() => client.state === 'reconnecting');
      // Made while the client reconnects: it waits for the connection rather than failing at once.
      const pending = client.request('echo', 'later', { timeoutMs: 0 });
      await sleep(100);
      const again = await h.server();
      again.handle('echo', (p) => p);
      await expect(pending).resolves.toBe('later');
    } finally {
      await client.close();
    }
  });
});
