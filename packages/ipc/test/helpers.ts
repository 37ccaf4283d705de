import { createConnection, type Socket } from 'node:net';
import { socketPathIn } from '@baton/base';
import { FrameDecoder, encodeFrames, encodePayload, createServer, connect, type ClientOptions, type IpcClient, type IpcServer, type ServerOptions } from '../src/index.js';

export const token = 'a'.repeat(64);

export class Harness {
  readonly servers: IpcServer[] = [];
  readonly clients: IpcClient[] = [];
  constructor(readonly dir: string) {}

  /** `<dir>/test.sock`; a named pipe on Windows, where a server cannot listen on a file path. */
  get path(): string {
    return socketPathIn(this.dir, 'test');
  }

  async server(options: Partial<ServerOptions> = {}): Promise<IpcServer> {
    const server = await createServer({ path: this.path, auth: { token }, ...options });
    this.servers.push(server);
    return server;
  }

  async client(options: Partial<ClientOptions> = {}): Promise<IpcClient> {
    const client = await connect({ path: this.path, auth: { token }, name: 'test', ...options });
    this.clients.push(client);
    return client;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    await Promise.all(this.servers.splice(0).map((s) => s.close()));
  }
}

/** A hand-driven peer on a raw socket: what a client in another language would see. */
export interface RawPeer {
  readonly socket: Socket;
  /** Every message received so far, decoded. */
  readonly messages: Array<Record<string, unknown>>;
  /** Resolves when the server has closed the connection. */
  readonly closed: Promise<void>;
  send(...messages: unknown[]): void;
  /** The next message not yet taken by next(), within `timeoutMs`; heartbeat pings are skipped unless `pings`. */
  next(timeoutMs?: number, options?: { pings?: boolean }): Promise<Record<string, unknown>>;
}

export async function rawPeer(path: string): Promise<RawPeer> {
  const socket = createConnection(path);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return rawSocketPeer(socket);
}

/** A RawPeer on a connected socket (either end: a fake server's accepted socket too). */
export function rawSocketPeer(socket: Socket): RawPeer {
  const messages: Array<Record<string, unknown>> = [];
  let cursor = 0;
  let wake: (() => void) | undefined;
  const decoder = new FrameDecoder();
  socket.on('data', (chunk: Buffer) =>
    decoder.push(chunk, (value) => {
      messages.push(value as Record<string, unknown>);
      wake?.();
    }),
  );
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    messages,
    closed,
    send: (...values) => socket.write(encodeFrames(values.map((v) => encodePayload(v)))),
    async next(timeoutMs = 5000, options = {}) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        while (cursor < messages.length) {
          const message = messages[cursor++]!;
          if (message.t !== 'ping' || options.pings) return message;
        }
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`no message within ${timeoutMs} ms; received so far: ${JSON.stringify(messages)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          };
        });
      }
    },
  };
}
