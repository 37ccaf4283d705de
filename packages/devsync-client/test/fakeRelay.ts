import { WebSocketServer, type WebSocket } from 'ws';
import { MessageLog, byType } from '@baton/test-utils';

export interface Sent {
  type: string;
  sessionId?: string;
  userId?: string;
  payload?: Record<string, unknown>;
}

/** The relay and the desktop in one, played by the test, so it decides what arrives in which order. */
export class FakeRelay {
  /** Everything the client sent but its hellos, in order. */
  get received(): readonly Sent[] {
    return this._log.all;
  }
  private readonly _log = new MessageLog<Sent>();
  readonly hellos: Sent[] = [];
  readonly connectedAt: number[] = [];
  socket: WebSocket | undefined;
  /** Set to refuse hellos: closes each connection at once (to watch the client back off). */
  dropConnections = false;
  /** Answer the next browser_connect with this error instead of an ack. */
  refuseWith: string | undefined;

  private constructor(readonly server: WebSocketServer, readonly url: string) {}

  static async start(port = 0): Promise<FakeRelay> {
    const server = new WebSocketServer({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const relay = new FakeRelay(server, `ws://127.0.0.1:${(server.address() as { port: number }).port}/web-dev-sync/ws`);
    server.on('connection', (socket) => {
      relay.connectedAt.push(performance.now());
      if (relay.dropConnections) {
        socket.terminate();
        return;
      }
      relay.socket = socket;
      socket.on('message', (data) => relay._message(socket, JSON.parse(String(data)) as Sent));
    });
    return relay;
  }

  private _message(socket: WebSocket, message: Sent): void {
    if (message.type === 'browser_connect') {
      this.hellos.push(message);
      if (this.refuseWith) {
        this.send({ type: 'error', payload: { code: this.refuseWith, message: 'refused by the test', retryable: false } });
        socket.close(1008);
        return;
      }
      const sessions = (message.payload?.sessions as Array<{ sessionId: string }> | undefined) ?? [];
      const pairing = message.payload?.pairingToken !== undefined;
      this.send({
        type: 'connection_ack',
        userId: 'user-000000000000001',
        payload: { role: 'browser', heartbeatMs: 60_000, maxCodeBytes: 100_000, ...(pairing ? { secret: 'browser-secret-000000001' } : {}), sessions: sessions.map((s) => s.sessionId) },
      });
      return;
    }
    this._log.push(message);
  }

  send(message: Sent): void {
    this.socket!.send(JSON.stringify(message));
  }

  next(match: string | ((m: Sent) => boolean), timeoutMs = 5000): Promise<Sent> {
    return this._log.next(byType(match), timeoutMs, typeof match === 'string' ? match : undefined);
  }


  /** Drops every connection as a crashed relay would (no close frame). */
  dropAll(): void {
    for (const client of this.server.clients) client.terminate();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
