import { createConnection, type Socket } from 'node:net';
import { dirname } from 'node:path';
import {
  checkSecureDirectorySync,
  Disposable,
  Emitter,
  createBackoff,
  noopLogger,
  onAbort,
  throwIfAborted,
  toDisposable,
  type Backoff,
  type Event,
  type IDisposable,
  type Logger,
} from '@baton/base';
import { FramedChannel } from './channel.js';
import { AuthError, ConnectionLostError, ProtocolError, RequestTimeoutError } from './errors.js';
import { parseEnvelope, protocolVersion, refusal } from './protocol.js';
import { RpcConnection, type HeartbeatOptions, type RequestOptions } from './rpc.js';

/** Where an IpcClient stands. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Options of an IpcClient. */
export interface ClientOptions {
  path: string;
  auth: { token: string };
  /** Shown to the server (peer name). */
  name?: string;
  /** Reconnect with exponential backoff and full jitter (default { initialMs: 50, maxMs: 5000 }); false to stay closed. */
  reconnect?: { initialMs?: number; maxMs?: number } | false;
  /** Default per-request timeout (default 30000 ms). */
  requestTimeoutMs?: number;
  maxFrameBytes?: number;
  maxQueueBytes?: number;
  heartbeat?: HeartbeatOptions;
  logger?: Logger;
  /** Closes the client when aborted. */
  signal?: AbortSignal;
}

/** A subscriber of a topic: called with each payload published on it. */
export type Listener = (payload: unknown) => void;

/** A client of an IpcServer: requests, notifications, subscriptions that survive reconnects. */
export class IpcClient extends Disposable {
  private readonly _onDidChangeConnection = this._register(new Emitter<{ state: ConnectionState }>());
  readonly onDidChangeConnection: Event<{ state: ConnectionState }> = this._onDidChangeConnection.event;

  private readonly _logger: Logger;
  private readonly _topics = new Map<string, Set<Listener>>();
  private readonly _backoff: Backoff | undefined;
  private _rpc: RpcConnection | undefined;
  private _state: ConnectionState = 'connecting';
  private _peerId: string | undefined;
  private _retryTimer: NodeJS.Timeout | undefined;
  private readonly _waiting = new Set<() => void>();
  private _closing: Promise<void> | undefined;
  private _heartbeat: HeartbeatOptions | undefined;

  constructor(private readonly _options: ClientOptions) {
    super();
    this._heartbeat = _options.heartbeat;
    this._logger = (_options.logger ?? noopLogger).child({ pkg: 'ipc', role: 'client', path: _options.path });
    const reconnect = _options.reconnect ?? {};
    this._backoff = reconnect === false ? undefined : createBackoff({ initialMs: reconnect.initialMs ?? 50, maxMs: reconnect.maxMs ?? 5000 });
    if (_options.signal) this._register(onAbort(_options.signal, () => void this.close()));
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** The id the server gave this connection. */
  get peerId(): string | undefined {
    return this._peerId;
  }

  /** First connection: resolves when connected; rejects on refusal (EAUTH, EPROTOCOL) or when no server answers. */
  async connect(): Promise<void> {
    throwIfAborted(this._options.signal);
    await this._attempt();
  }

  private async _attempt(): Promise<void> {
    if (process.platform !== 'win32') checkSocketDirectory(this._options.path);
    const socket = await openSocket(this._options.path);
    socket.setNoDelay?.(true);
    const channel = new FramedChannel(socket, {
      maxFrameBytes: this._options.maxFrameBytes,
      maxQueueBytes: this._options.maxQueueBytes,
      farewell: (error) => refusal(error),
      logger: this._logger,
    });
    // Established from inside the welcome's delivery, not after an await: frames that came in the
    // same read as the welcome (a publication, a ping, a refuse) go to the connection, not nowhere.
    await handshake(channel, this._options, (id) => this._established(channel, id));
  }

  private _established(channel: FramedChannel, id: string): void {
    if (this._closing) {
      channel.destroy();
      return;
    }
    const rpc = new RpcConnection(
      channel,
      {
        publish: (topic, payload) => {
          for (const listener of [...(this._topics.get(topic) ?? [])]) {
            try {
              listener(payload);
            } catch (err) {
              this._logger.warn({ err, topic }, 'subscriber threw');
            }
          }
        },
      },
      this._logger,
      { side: 'client', heartbeat: this._heartbeat },
    );
    this._rpc = rpc;
    this._peerId = id;
    for (const topic of this._topics.keys()) rpc.send({ t: 'sub', topic });
    this._backoff?.reset();
    rpc.onDidClose(({ reason }) => this._onLost(rpc, reason));
    this._setState('connected');
    for (const wake of [...this._waiting]) wake();
  }

  private _onLost(rpc: RpcConnection, reason: string): void {
    if (this._rpc !== rpc) return;
    this._rpc = undefined;
    if (this._closing) return;
    this._logger.warn({ reason }, 'connection lost');
    if (!this._backoff) {
      this._setState('closed');
      for (const wake of [...this._waiting]) wake();
      return;
    }
    this._setState('reconnecting');
    this._scheduleRetry();
  }

  private _scheduleRetry(): void {
    const delay = this._backoff!.next();
    this._retryTimer = setTimeout(() => {
      this._retryTimer = undefined;
      if (this._closing) return;
      this._attempt().catch((err: unknown) => {
        if (this._closing) return;
        if (err instanceof AuthError || err instanceof ProtocolError) {
          // A refusal will not change by retrying.
          this._logger.error({ err }, 'server refused the connection; giving up');
          this._setState('closed');
          for (const wake of [...this._waiting]) wake();
          return;
        }
        this._logger.debug({ err, attempt: this._backoff!.attempt }, 'reconnect failed');
        this._scheduleRetry();
      });
    }, delay);
  }

  private _setState(state: ConnectionState): void {
    if (this._state === state) return;
    this._state = state;
    this._onDidChangeConnection.fire({ state });
  }

  /**
   * Sends a request and resolves with the result, or rejects with the handler's error (same class
   * where known), ECONNLOST, EREQUESTTIMEOUT or the abort reason. While reconnecting, the request
   * waits for the connection (within its timeout).
   */
  request<T = unknown>(method: string, params?: unknown, options: RequestOptions = {}): Promise<T> {
    const defaultTimeoutMs = this._options.requestTimeoutMs ?? 30_000;
    // Connected: straight to the connection, without an extra async frame per request.
    if (this._rpc && !options.signal?.aborted) {
      return this._rpc.request(method, params, { signal: options.signal, timeoutMs: options.timeoutMs, defaultTimeoutMs }) as Promise<T>;
    }
    return this._requestWhenConnected(method, params, options, defaultTimeoutMs);
  }

  private async _requestWhenConnected<T>(method: string, params: unknown, options: RequestOptions, defaultTimeoutMs: number): Promise<T> {
    throwIfAborted(options.signal);
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    // 0 (or Infinity) is "no timeout" here as in every request: waiting for the connection too.
    const bounded = timeoutMs > 0 && Number.isFinite(timeoutMs);
    if (!this._rpc) await this._waitForConnection(method, bounded ? timeoutMs : undefined, options.signal);
    const remaining = bounded ? Math.max(1, timeoutMs - (performance.now() - started)) : 0;
    return (await this._rpc!.request(method, params, { signal: options.signal, timeoutMs: remaining, defaultTimeoutMs })) as T;
  }

  private _waitForConnection(method: string, timeoutMs: number | undefined, signal?: AbortSignal): Promise<void> {
    if (this._closing || this._state === 'closed') {
      return Promise.reject(new ConnectionLostError(`Cannot send '${method}': the client is closed`));
    }
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        this._waiting.delete(wake);
        clearTimeout(timer);
        abort.dispose();
      };
      const wake = () => {
        done();
        if (this._rpc) resolve();
        else reject(new ConnectionLostError(`Cannot send '${method}': the client is closed`));
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        done();
        reject(new RequestTimeoutError(`Request '${method}' timed out after ${timeoutMs} ms waiting for the connection`));
      }, timeoutMs);
      const abort = onAbort(signal, (reason) => {
        done();
        reject(reason);
      });
      this._waiting.add(wake);
    });
  }

  /**
   * Resolves when the connection can take more without buffering. A producer sending many
   * notifications awaits it now and then, so its queue stays under maxQueueBytes.
   */
  whenWritable(): Promise<void> {
    return this._rpc?.channel.whenWritable() ?? Promise.resolve();
  }

  /** Fire-and-forget to the server. Dropped (with a debug log) while disconnected. */
  /**
   * Replaces the heartbeat's periods, for this connection and the ones after a reconnect (for
   * example a connection kept in reserve can beat slowly). Silence counts from now or the last
   * frame received, whichever is later.
   */
  setHeartbeat(heartbeat: HeartbeatOptions | undefined): void {
    this._heartbeat = heartbeat;
    this._rpc?.setHeartbeat(heartbeat);
  }

  /** Sends a notification (no answer). */
  notify(method: string, params?: unknown): void {
    if (!this._rpc) return this._logger.debug({ method }, 'notification dropped: not connected');
    this._rpc.notify(method, params);
  }

  /** Publishes to the other subscribers of `topic`, through the server. */
  publish(topic: string, payload?: unknown): void {
    if (!this._rpc) return this._logger.debug({ topic }, 'publication dropped: not connected');
    this._rpc.send({ t: 'pub', topic, p: payload });
  }

  /** Receives messages on `topic` (published, or sent to this peer). Kept across reconnects. */
  subscribe(topic: string, listener: Listener): IDisposable {
    let listeners = this._topics.get(topic);
    if (!listeners) {
      listeners = new Set();
      this._topics.set(topic, listeners);
      this._rpc?.send({ t: 'sub', topic });
    }
    listeners.add(listener);
    return toDisposable(() => {
      const set = this._topics.get(topic);
      if (!set?.delete(listener) || set.size > 0) return;
      this._topics.delete(topic);
      if (this._rpc && !this._rpc.isClosed) this._rpc.send({ t: 'unsub', topic });
    });
  }

  /**
   * Closes the connection with a half-close (PROTOCOL.md section 8): requests in flight that the
   * server answers within a second still settle; the rest fail with ECONNLOST.
   */
  close(): Promise<void> {
    this._closing ??= (async () => {
      if (this._retryTimer) clearTimeout(this._retryTimer);
      const rpc = this._rpc;
      this._rpc = undefined;
      if (rpc) {
        const closed = new Promise<void>((resolve) => rpc.onDidClose(() => resolve()));
        rpc.close();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
        rpc.channel.destroy();
      }
      this._setState('closed');
      for (const wake of [...this._waiting]) wake();
      super.dispose();
    })();
    return this._closing;
  }

  /** close(), started synchronously (for `context.subscriptions` and other dispose() owners). */
  override dispose(): void {
    void this.close();
  }
}

function openSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // Half-open-capable: the channel destroys the socket when the peer ends (see FramedChannel).
    const socket = createConnection({ path, allowHalfOpen: true });
    const onError = (err: NodeJS.ErrnoException) => {
      socket.destroy();
      reject(
        err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
          ? new ConnectionLostError(`No server is accepting on ${path} (${err.code})`, { cause: err })
          : err,
      );
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/** Says hello; on welcome calls `established` at once (before the next frame is delivered), then resolves. */
function handshake(channel: FramedChannel, options: ClientOptions, established: (id: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      channel.destroy();
      reject(new ConnectionLostError(`Server at ${options.path} did not answer the handshake`));
    }, 5000);
    const finish = () => {
      clearTimeout(timer);
      onMessage.dispose();
      onClose.dispose();
    };
    const onMessage = channel.onMessage((value) => {
      finish();
      const envelope = parseEnvelope(value);
      if (typeof envelope !== 'string' && envelope.t === 'welcome') {
        established(envelope.id);
        return resolve();
      }
      channel.destroy();
      if (typeof envelope !== 'string' && envelope.t === 'refuse') {
        const message = `Server at ${options.path} refused the connection (${envelope.code}): ${envelope.message}`;
        const data = { code: envelope.code, versions: envelope.versions };
        return reject(envelope.code === 'EAUTH' ? new AuthError(message, { data }) : new ProtocolError(message, { data }));
      }
      reject(new ProtocolError(`Unexpected handshake answer from ${options.path}`));
    });
    const onClose = channel.onClose(({ reason }) => {
      finish();
      reject(new ConnectionLostError(`Connection to ${options.path} closed during the handshake: ${reason}`));
    });
    channel.send({ t: 'hello', v: protocolVersion, name: options.name ?? '', pid: process.pid, token: options.auth.token });
  });
}

/** Connects to an IpcServer; resolves once the handshake is done. */
/**
 * The client sends its token to whatever listens on the path: refuse a socket in a directory that
 * another user owns or that others can write to, where someone could have put their own server.
 * A missing directory is left to the connect, which fails with a clear ENOENT.
 */
function checkSocketDirectory(path: string): void {
  try {
    // One lstat of a hot directory: cheaper here than a round trip through the thread pool, which
    // a failover (every follower connecting at once) would queue behind the others' file work.
    checkSecureDirectorySync(dirname(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Creates a client and connects it. */
export async function connect(options: ClientOptions): Promise<IpcClient> {
  const client = new IpcClient(options);
  try {
    await client.connect();
  } catch (err) {
    await client.close();
    throw err;
  }
  return client;
}
