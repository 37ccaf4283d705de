// A TCP proxy that injects the faults of a network between a client and a server (etcd, redis, ...): an answer
// lost after the request was forwarded, every connection reset, a black hole. Tests arm one fault at a time.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface FaultProxy {
  /** Where clients connect (`127.0.0.1:<port>`). */
  readonly port: number;
  readonly url: string;
  /**
   * The next request loses its answer: once a client has sent bytes and the server's first bytes back arrive, they
   * are not passed on and that connection is closed on both sides. The server has seen (and may have acted on)
   * the request; the client sees its connection drop. Resolves when it has happened. Only a chunk of at least
   * `minRequestBytes` (default 64) counts as a request: HTTP/2's own small frames (pings, window updates, settings
   * acknowledgements), which a gRPC client sends at any time, do not, so the answer dropped is a request's.
   */
  dropNextAnswer(options?: { minRequestBytes?: number }): Promise<void>;
  /** Closes every connection now (a reset); new ones are accepted as usual. */
  resetAll(): void;
  /**
   * While on, new and existing connections carry nothing in either direction (a partition that does not reset);
   * turned off, what was held goes through, as TCP would deliver it once the network heals.
   */
  blackhole(on: boolean): void;
  /** Connections dropped by dropNextAnswer so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  type Pair = { client: Socket; server: Socket; held: { toServer: Buffer[]; toClient: Buffer[] } };
  const pairs = new Set<Pair>();
  let armed: { sent: WeakSet<Socket>; minRequestBytes: number; done: () => void } | undefined;
  let holes = false;
  let dropped = 0;

  const drop = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.server.destroy();
  };

  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    const held: Pair['held'] = { toServer: [], toClient: [] };
    const pair: Pair = { client, server: upstream, held };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (holes) return void held.toServer.push(chunk);
      if (armed && chunk.length >= armed.minRequestBytes) armed.sent.add(client);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (holes) return void held.toClient.push(chunk);
      const fault = armed;
      if (fault?.sent.has(client)) {
        armed = undefined;
        dropped++;
        drop(pair);
        fault.done();
        return;
      }
      client.write(chunk);
    });
    const end = () => drop(pair);
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get dropped() {
      return dropped;
    },
    dropNextAnswer({ minRequestBytes = 64 } = {}) {
      return new Promise<void>((resolve) => {
        armed = { sent: new WeakSet(), minRequestBytes, done: resolve };
      });
    },
    resetAll() {
      for (const pair of [...pairs]) drop(pair);
    },
    blackhole(on) {
      holes = on;
      if (on) return;
      for (const pair of pairs) {
        for (const chunk of pair.held.toServer.splice(0)) pair.server.write(chunk);
        for (const chunk of pair.held.toClient.splice(0)) pair.client.write(chunk);
      }
    },
    close() {
      armed = undefined;
      for (const pair of [...pairs]) drop(pair);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
