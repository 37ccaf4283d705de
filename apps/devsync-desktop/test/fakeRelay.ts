import { WebSocketServer, type WebSocket } from 'ws';
import { MessageLog, byType } from '@baton/test-utils';

export interface Sent {
  type: string;
  sessionId?: string;
  userId?: string;
  payload?: Record<string, unknown>;
}

/**
 * The relay and the page in one, played by the test: it sees every message the agent sends and decides exactly
 * what arrives in which order, which is what the conflict cases need.
 */
export class FakeRelay {
  /** Everything the client sent but its hellos, in order. */
  get received(): readonly Sent[] {
    return this._log.all;
  }
  private readonly _log = new MessageLog<Sent>();
  readonly hellos: Sent[] = [];
  socket: WebSocket | undefined;

  private constructor(readonly server: WebSocketServer, readonly url: string) {}

  static async start(port = 0): Promise<FakeRelay> {
    const server = new WebSocketServer({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const relay = new FakeRelay(server, `ws://127.0.0.1:${(server.address() as { port: number }).port}/web-dev-sync/ws`);
    server.on('connection', (socket) => {
      relay.socket = socket;
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as Sent;
        if (message.type === 'desktop_connect') {
          relay.hellos.push(message);
          const known = message.payload?.userId !== undefined;
          relay.send({
            type: 'connection_ack',
            userId: known ? String(message.payload!.userId) : 'user-000000000000001',
            payload: {
              role: 'desktop',
              heartbeatMs: 60_000,
              maxCodeBytes: 1000,
              ...(known ? {} : { secret: 'desktop-secret-0000000001' }),
              ...(!known || message.payload?.pair ? { pairingToken: 'ABCD-EFGH', pairingExpiresInMs: 600_000 } : {}),
            },
          });
          return;
        }
        relay._log.push(message);
      });
    });
    return relay;
  }

  send(message: Sent): void {
    this.socket!.send(JSON.stringify(message));
  }

  /** The next message of `type` (or matching) the agent sent after the ones already taken. */
  next(match: string | ((m: Sent) => boolean), timeoutMs = 5000): Promise<Sent> {
    return this._log.next(byType(match), timeoutMs, typeof match === 'string' ? match : undefined);
  }


  async close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
