import { join } from 'node:path';
import { createServer, connect, type ClientOptions, type IpcClient, type IpcServer, type ServerOptions } from '../src/index.js';

export const token = 'a'.repeat(64);

export class Harness {
  readonly servers: IpcServer[] = [];
  readonly clients: IpcClient[] = [];
  constructor(readonly dir: string) {}

  get path(): string {
    return join(this.dir, 'test.sock');
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
