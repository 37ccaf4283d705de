import { WebSocketServer, type WebSocket } from 'ws';
import { MessageLog, byType } from './messageLog.js';

/** A JSON message of a protocol with a `type` field (WebDevSync's, for one). */
export interface ScriptedMessage {
  type: string;
  sessionId?: string;
  userId?: string;
  connectionId?: string;
  payload?: Record<string, unknown>;
}

/**
 * The other end of a WebSocket protocol, played by the test: it logs what the client under test sends and sends
 * exactly what the test says, in the order it says, which is what interleaving cases need. A subclass answers
 * the messages it must (a hello) in `intercept`; everything else goes to the log that `next()` reads.
 */
export class ScriptedWebSocketServer<T extends ScriptedMessage = ScriptedMessage> {
  private readonly _log = new MessageLog<T>();
  private _server: WebSocketServer | undefined;
  /** The client's socket of its latest connection. */
  socket: WebSocket | undefined;
  url = '';
  /** When each connection arrived (performance.now()). */
  readonly connectedAt: number[] = [];
  /** Set to cut every new connection at once (to watch a client back off). */
  dropConnections = false;

  /** Everything the client sent that `intercept` did not take, in order. */
  get received(): readonly T[] {
    return this._log.all;
  }

  /** Listens on loopback (`port` 0: a free one); `url` is then `ws://127.0.0.1:<port><path>`. */
  async listen(port = 0, path = '/'): Promise<this> {
    const server = new WebSocketServer({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', reject);
    });
    this._server = server;
    this.url = `ws://127.0.0.1:${(server.address() as { port: number }).port}${path}`;
    server.on('connection', (socket) => {
      this.connectedAt.push(performance.now());
      if (this.dropConnections) {
        socket.terminate();
        return;
      }
      this.socket = socket;
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as T;
        if (!this.intercept(message, socket)) this._log.push(message);
      });
    });
    return this;
  }

  /** Answers a message itself (true) instead of logging it (false, the default). */
  protected intercept(_message: T, _socket: WebSocket): boolean {
    return false;
  }

  send(message: T | ScriptedMessage): void {
    this.socket!.send(JSON.stringify(message));
  }

  /** The next logged message of `type` (or matching) after the ones already taken. */
  next(match: string | ((m: T) => boolean), timeoutMs = 5000): Promise<T> {
    return this._log.next(byType(match), timeoutMs, typeof match === 'string' ? match : undefined);
  }

  /** Cuts every connection as a crashed server would (no close frame). */
  dropAll(): void {
    for (const client of this._server?.clients ?? []) client.terminate();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise((resolve) => (this._server ? this._server.close(resolve) : resolve(undefined)));
  }
}
