import { WebSocketServer, type WebSocket } from 'ws';

export interface Sent {
  type: string;
  sessionId?: string;
  userId?: string;
  payload?: Record<string, unknown>;
}

/** The relay and the desktop in one, played by the test, so it decides what arrives in which order. */
export class FakeRelay {
  readonly received: Sent[] = [];
  readonly hellos: Sent[] = [];
  readonly connectedAt: number[] = [];
  socket: WebSocket | undefined;
  /** Set to refuse hellos: closes each connection at once (to watch the client back off). */
  dropConnections = false;
  /** Answer the next browser_connect with this error instead of an ack. */
  refuseWith: string | undefined;
  private readonly _waiters: Array<{ match: (m: Sent) => boolean; resolve: (m: Sent) => void }> = [];
  private _taken = 0;

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
    this.received.push(message);
    const index = this._waiters.findIndex((w) => w.match(message));
    if (index >= 0) this._waiters.splice(index, 1)[0]!.resolve(message);
  }

  send(message: Sent): void {
    this.socket!.send(JSON.stringify(message));
  }

  next(match: string | ((m: Sent) => boolean), timeoutMs = 5000): Promise<Sent> {
    const predicate = typeof match === 'string' ? (m: Sent) => m.type === match : match;
    for (let i = this._taken; i < this.received.length; i++) {
      if (predicate(this.received[i]!)) {
        this._taken = i + 1;
        return Promise.resolve(this.received[i]!);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the client sent no ${String(match)} within ${timeoutMs} ms; it sent ${JSON.stringify(this.received.slice(-3))}`)), timeoutMs);
      this._waiters.push({
        match: predicate,
        resolve: (m) => {
          clearTimeout(timer);
          this._taken = this.received.length;
          resolve(m);
        },
      });
    });
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
