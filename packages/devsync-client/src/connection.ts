import { Disposable, Emitter, createBackoff, onUnexpectedError, systemClock, type Backoff, type Clock, type IDisposable } from '@baton/base/portable';
import { encodeMessage, parseMessage, type Message, type MessageOf, type MessageType, type PayloadOf } from './protocol.js';

/** What the connection needs of a WebSocket: the browser's, or the `ws` package's in Node. */
export interface WebSocketLike {
  readonly readyState: number;
  /** Sends one text frame. */
  send(data: string): void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Called when the socket is open. */
  onopen: ((event: unknown) => void) | null;
  /** Called with each frame received. */
  onmessage: ((event: { data: unknown }) => void) | null;
  /** Called when the socket closes. */
  onclose: ((event: { code: number; reason: string }) => void) | null;
  /** Called on a socket error. */
  onerror: ((event: unknown) => void) | null;
}
/** A WebSocket constructor (the browser's, or `ws` in Node). */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Where a RelayConnection stands. */
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** How the connection reconnects after it drops: the first delay and the cap. */
export interface ReconnectOptions {
  /** First delay after a lost connection (ms, default 250). */
  initialMs?: number;
  /** Cap (ms, default 10000). */
  maxMs?: number;
}

/** Options of a RelayConnection. */
export interface RelayConnectionOptions {
  url: string;
  /** The connect message, built anew for every (re)connect: credentials and open sessions change. */
  hello: () => MessageOf<'browser_connect'> | MessageOf<'desktop_connect'>;
  /** Default: the platform's WebSocket (browsers; Node 22). Node 20 passes the `ws` package's. */
  WebSocket?: WebSocketConstructor;
  reconnect?: ReconnectOptions;
  clock?: Clock;
}

/** Error codes after which reconnecting with the same credentials cannot help. */
const finalCodes = new Set(['AUTH_FAILED', 'PAIRING_FAILED', 'UNSUPPORTED_PROTOCOL', 'FORBIDDEN']);
const OPEN = 1;
const ignoreError = (): void => undefined;

/** Closes `socket` and stops hearing from it. */
function abandon(socket: WebSocketLike, code: number, reason: string): void {
  socket.onopen = socket.onmessage = socket.onclose = null;
  // Not null: closing a socket still connecting makes `ws` report the aborted handshake as an
  // 'error' on a later tick, and an 'error' nobody listens to is an uncaught exception.
  socket.onerror = ignoreError;
  try {
    socket.close(code, reason);
  } catch {
    // Closing a socket that never opened (or is closing) throws in some implementations; it is gone either way.
  }
}

/** An error the relay sent: its code, message, and whether sending again may succeed. */
export interface RelayError {
  code: string;
  message: string;
  retryable: boolean;
  sessionId?: string;
  inReplyTo?: string;
}

/**
 * One logical connection to the relay: connects, says hello, and reconnects with capped, jittered exponential
 * backoff until closed. Liveness: a heartbeat every `heartbeatMs` the relay names; nothing heard for 2.5 periods
 * means the socket is dead (browsers cannot see WebSocket pings), so it is dropped and dialled again.
 */
export class RelayConnection extends Disposable {
  private readonly _onDidChangeStatus = this._register(new Emitter<ConnectionStatus>());
  readonly onDidChangeStatus = this._onDidChangeStatus.event;
  private readonly _onDidConnect = this._register(new Emitter<MessageOf<'connection_ack'>>());
  /** Each accepted hello (the first connect and every reconnect). */
  readonly onDidConnect = this._onDidConnect.event;
  private readonly _onDidReceive = this._register(new Emitter<Message>());
  /** Every message after the hello was accepted, heartbeats and errors excluded. */
  readonly onDidReceive = this._onDidReceive.event;
  private readonly _onDidError = this._register(new Emitter<RelayError>());
  readonly onDidError = this._onDidError.event;

  private readonly _WebSocket: WebSocketConstructor;
  private readonly _clock: Clock;
  private readonly _backoff: Backoff;
  private _socket: WebSocketLike | undefined;
  private _status: ConnectionStatus = 'idle';
  private _timer: IDisposable | undefined;
  private _heartbeat: IDisposable | undefined;
  private _lastHeard = 0;
  private _heartbeatMs = 15_000;
  private _ack: MessageOf<'connection_ack'> | undefined;
  private _lastError: RelayError | undefined;

  constructor(private readonly _options: RelayConnectionOptions) {
    super();
    const ctor = _options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!ctor) throw new Error('no WebSocket in this environment: pass the `ws` package as the WebSocket option');
    this._WebSocket = ctor;
    this._clock = _options.clock ?? systemClock;
    this._backoff = createBackoff({ initialMs: _options.reconnect?.initialMs ?? 250, maxMs: _options.reconnect?.maxMs ?? 10_000, jitter: 0.5 });
    this._register({ dispose: () => this._shutdown() });
  }

  get status(): ConnectionStatus {
    return this._status;
  }
  /** The relay's answer to the current connection's hello. */
  get ack(): MessageOf<'connection_ack'> | undefined {
    return this._status === 'connected' ? this._ack : undefined;
  }
  /** The error that ended the connection for good (wrong credentials, ...), if that is why it is closed. */
  get lastError(): RelayError | undefined {
    return this._lastError;
  }

  /** Starts connecting (and keeps reconnecting); a no-op when already started. */
  open(): void {
    if (this._status !== 'idle' && this._status !== 'closed') return;
    this._lastError = undefined;
    this._backoff.reset();
    this._dial('connecting');
  }

  /** Sends when connected; false when not (the caller keeps what must survive a reconnect). */
  send<T extends MessageType>(type: T, payload: PayloadOf<T>, sessionId?: string): boolean {
    if (this._status !== 'connected' || this._socket?.readyState !== OPEN) return false;
    const message = { type, payload, ...(sessionId ? { sessionId } : {}) } as MessageOf<T>;
    this._socket.send(encodeMessage(message));
    return true;
  }

  /** Stops for good (until `open()`); the socket closes with 1000. */
  close(): void {
    this._shutdown();
    this._setStatus('closed');
  }

  private _shutdown(): void {
    this._timer?.dispose();
    this._timer = undefined;
    this._heartbeat?.dispose();
    this._heartbeat = undefined;
    const socket = this._socket;
    this._socket = undefined;
    if (socket) abandon(socket, 1000, 'client closed');
  }

  private _setStatus(status: ConnectionStatus): void {
    if (this._status === status) return;
    this._status = status;
    this._onDidChangeStatus.fire(status);
  }

  private _dial(status: 'connecting' | 'reconnecting'): void {
    this._setStatus(status);
    let socket: WebSocketLike;
    try {
      socket = new this._WebSocket(this._options.url);
    } catch (err) {
      // A malformed URL throws synchronously; that cannot heal by retrying.
      this._lastError = { code: 'INVALID_URL', message: String((err as Error)?.message ?? err), retryable: false };
      this._onDidError.fire(this._lastError);
      this._setStatus('closed');
      return;
    }
    this._socket = socket;
    socket.onopen = () => {
      this._lastHeard = this._clock.now();
      socket.send(encodeMessage(this._options.hello()));
    };
    socket.onmessage = (event) => this._receive(socket, event.data);
    socket.onerror = () => {
      // onclose follows; that is where reconnecting happens.
    };
    socket.onclose = () => {
      if (socket !== this._socket) return;
      this._socket = undefined;
      this._heartbeat?.dispose();
      this._heartbeat = undefined;
      if (this._lastError && !this._lastError.retryable) {
        this._setStatus('closed');
        return;
      }
      this._scheduleReconnect();
    };
  }

  private _scheduleReconnect(): void {
    this._setStatus('reconnecting');
    const delay = this._backoff.next();
    this._timer?.dispose();
    this._timer = this._clock.setTimeout(() => {
      this._timer = undefined;
      this._dial('reconnecting');
    }, delay);
  }

  private _receive(socket: WebSocketLike, data: unknown): void {
    if (socket !== this._socket) return;
    this._lastHeard = this._clock.now();
    const parsed = parseMessage(typeof data === 'string' ? data : String(data), { maxCodeBytes: Number.MAX_SAFE_INTEGER });
    if (!parsed.ok) {
      onUnexpectedError(new Error(`the relay sent a message this client cannot read: ${parsed.error}`));
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'connection_ack':
        this._ack = message;
        this._heartbeatMs = message.payload.heartbeatMs;
        this._backoff.reset();
        this._startHeartbeat(socket);
        this._setStatus('connected');
        this._onDidConnect.fire(message);
        return;
      case 'heartbeat':
        return;
      case 'error': {
        const error: RelayError = { ...message.payload, ...(message.sessionId ? { sessionId: message.sessionId } : {}) };
        if (finalCodes.has(error.code) && this._status !== 'connected') {
          // The hello was refused: the same hello would be refused again.
          this._lastError = { ...error, retryable: false };
        }
        this._onDidError.fire(error);
        return;
      }
      default:
        this._onDidReceive.fire(message);
    }
  }

  private _startHeartbeat(socket: WebSocketLike): void {
    this._heartbeat?.dispose();
    this._heartbeat = this._clock.setInterval(() => {
      if (socket !== this._socket) return;
      if (this._clock.now() - this._lastHeard > this._heartbeatMs * 2.5) {
        // Silent for too long: the path is dead even if the socket does not know it yet.
        this._socket = undefined;
        abandon(socket, 4000, 'heartbeat timeout');
        this._heartbeat?.dispose();
        this._heartbeat = undefined;
        this._scheduleReconnect();
        return;
      }
      if (socket.readyState === OPEN) socket.send(encodeMessage({ type: 'heartbeat', payload: { at: Date.now() } }));
    }, this._heartbeatMs);
  }
}
