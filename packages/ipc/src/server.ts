import { chmodSync, closeSync, fstatSync, lstatSync, openSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createConnection, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import {
  Disposable,
  abortableDelay,
  Emitter,
  InvalidArgumentError,
  UnsafePathError,
  describeValue,
  errorCode,
  ensureSecureDirectory,
  noopLogger,
  onAbort,
  toDisposable,
  tryLockFd,
  type Event,
  type IDisposable,
  type Logger,
} from '@baton/base';
import { tokensMatch } from './auth.js';
import { FramedChannel, type SlowConsumerPolicy } from './channel.js';
import { encodePayload, defaultMaxFrameBytes } from './codec.js';
import { AuthError, HandshakeTimeoutError, MethodNotFoundError, ProtocolError, ServerRunningError } from './errors.js';
import { parseEnvelope, refusal, refuse, supportedVersions } from './protocol.js';
import { RpcConnection, type HeartbeatOptions, type SignalSource } from './rpc.js';

/** The largest frame a peer may send before its hello is accepted (a hello is a few hundred bytes). */
export const helloMaxFrameBytes = 8 * 1024;

/** Options of an IpcServer. */
export interface ServerOptions {
  /** Unix socket path or Windows pipe name (for example `coordinationPaths(...).socketPath('control')`). */
  path: string;
  /** Clients must present this token (see ensureAuthToken). */
  auth: { token: string };
  maxFrameBytes?: number;
  /** Bound on bytes queued to one peer (default 8 MiB). */
  maxQueueBytes?: number;
  /** At the bound: 'disconnect' the peer (default), or 'drop-oldest' pub/sub messages to it. */
  slowConsumer?: SlowConsumerPolicy;
  heartbeat?: HeartbeatOptions;
  /** A connection that has not said hello by then is refused (default 5000 ms). */
  handshakeTimeoutMs?: number;
  /** Send handler errors to clients with their stack traces (file paths of this process); for local debugging. Default false. */
  errorStacks?: boolean;
  logger?: Logger;
  /** Closes the server when aborted. */
  signal?: AbortSignal;
}

/** A connected peer: its id, process id, name, when it connected, and its descriptor. */
export interface PeerInfo {
  readonly id: string;
  readonly pid: number;
  readonly name: string;
  /** Wall-clock time of connection, ISO 8601 (display). */
  readonly connectedAt: string;
  /**
   * The connection's file descriptor in this process, where there is one (not on Windows). When a
   * process dies, Linux closes its descriptors from the highest number down, so the peer on the
   * highest learns of the death first (the coordinator names that peer its standby).
   */
  readonly descriptor?: number;
}

/** What a handler knows of a request: the peer, and a signal aborted when the request is cancelled or the peer goes. */
export interface RequestContext {
  readonly peer: PeerInfo;
  /** Aborted when the caller cancels, times out, or disconnects (never, for a notification). */
  readonly signal: AbortSignal;
}

// Notifications cannot be cancelled: one shared signal that never aborts.
const notificationSignal = new AbortController().signal;

/** A handler of a method: its result (or what it throws) is the answer. */
export type RequestHandler = (params: unknown, context: RequestContext) => unknown;

/**
 * The context handed to a request handler. A class, so the lazy `signal` getter lives on the
 * prototype: an object literal with a getter is built through a slow runtime path on every call.
 */
class HandlerContext implements RequestContext {
  constructor(
    readonly peer: PeerInfo,
    private readonly _signal: SignalSource,
  ) {}

  get signal(): AbortSignal {
    return this._signal();
  }
}

interface Peer {
  readonly info: PeerInfo;
  readonly rpc: RpcConnection;
  readonly topics: Set<string>;
}

/** An IPC server: request handlers, notifications, pub/sub to connected, authenticated peers. */
export class IpcServer extends Disposable {
  private readonly _onDidConnect = this._register(new Emitter<PeerInfo>());
  readonly onDidConnect: Event<PeerInfo> = this._onDidConnect.event;
  private readonly _onDidDisconnect = this._register(new Emitter<PeerInfo & { reason: string }>());
  readonly onDidDisconnect: Event<PeerInfo & { reason: string }> = this._onDidDisconnect.event;

  private readonly _handlers = new Map<string, RequestHandler>();
  private readonly _peers = new Map<string, Peer>();
  private readonly _sockets = new Set<Socket>();
  private readonly _logger: Logger;
  private _net: NetServer | undefined;
  private _lockFd: number | undefined;
  private _socketIno: number | undefined;
  private _nextPeer = 1;
  private _heartbeat: HeartbeatOptions | undefined;
  private _closing: Promise<void> | undefined;

  constructor(private readonly _options: ServerOptions) {
    super();
    if (!_options.auth?.token) throw new InvalidArgumentError('createServer: auth.token is required');
    this._heartbeat = _options.heartbeat;
    this._logger = (_options.logger ?? noopLogger).child({ pkg: 'ipc', path: _options.path });
    if (_options.signal) this._register(onAbort(_options.signal, () => void this.close()));
  }

  get path(): string {
    return this._options.path;
  }

  get peers(): PeerInfo[] {
    return [...this._peers.values()].map((p) => p.info);
  }

  /** One connected peer, by id. */
  peer(id: string): PeerInfo | undefined {
    return this._peers.get(id)?.info;
  }

  /** How many peers are subscribed to `topic`. */
  subscriberCount(topic: string): number {
    let count = 0;
    for (const peer of this._peers.values()) if (peer.topics.has(topic)) count++;
    return count;
  }

  /** Serves `method` (requests and notifications). Dispose the result to stop. */
  handle(method: string, handler: RequestHandler): IDisposable {
    if (this._handlers.has(method)) throw new InvalidArgumentError(`a handler for '${method}' is already registered`);
    this._handlers.set(method, handler);
    return toDisposable(() => {
      if (this._handlers.get(method) === handler) this._handlers.delete(method);
    });
  }

  /** Sends `payload` to every peer subscribed to `topic`; returns how many. Encoded once for all. */
  publish(topic: string, payload: unknown, except?: string): number {
    const peers = [...this._peers.values()].filter((peer) => peer.topics.has(topic) && peer.info.id !== except);
    return this._sendEach(peers, topic, payload);
  }

  /**
   * Writes what is queued to every peer now rather than at the end of this turn (messages are
   * batched per turn): for messages that peers wait on, sent from code with more to do.
   */
  flush(): void {
    for (const peer of this._peers.values()) peer.rpc.channel.flush();
  }

  /**
   * Replaces the heartbeat's periods for every connection, open and future (for example slower
   * while the server only stands by). Silence counts from now or each peer's last frame,
   * whichever is later.
   */
  setHeartbeat(heartbeat: HeartbeatOptions | undefined): void {
    this._heartbeat = heartbeat;
    for (const peer of this._peers.values()) peer.rpc.setHeartbeat(heartbeat);
  }

  /** Sends to one peer on `topic`, subscribed or not. Returns false if no such peer. */
  send(peerId: string, topic: string, payload: unknown): boolean {
    const peer = this._peers.get(peerId);
    if (!peer) return false;
    peer.rpc.send({ t: 'pub', topic, p: payload }, true);
    return true;
  }

  /** Sends `payload` under `topic` to each of the peers `peerIds` that is connected, encoded once; returns how many. */
  sendTo(peerIds: Iterable<string>, topic: string, payload: unknown): number {
    const peers = [...peerIds].flatMap((id) => this._peers.get(id) ?? []);
    return this._sendEach(peers, topic, payload);
  }

  /** One `pub` to each of `peers`, encoded once (and not at all for none). */
  private _sendEach(peers: readonly Peer[], topic: string, payload: unknown): number {
    if (peers.length === 0) return 0;
    const encoded = encodePayload({ t: 'pub', topic, p: payload }, this._options.maxFrameBytes ?? defaultMaxFrameBytes);
    for (const peer of peers) peer.rpc.sendEncoded(encoded, true);
    return peers.length;
  }

  /** Starts listening on the socket (or pipe); refuses if another server listens there. */
  async listen(): Promise<void> {
    const { path } = this._options;
    if (process.platform !== 'win32') await this._takePath(path);
    // Half-open-capable: the channel destroys the socket when the peer ends (see FramedChannel).
    const net = createNetServer({ allowHalfOpen: true }, (socket) => this._accept(socket));
    this._net = net;
    await new Promise<void>((resolve, reject) => {
      net.once('error', (err: NodeJS.ErrnoException) => {
        this._releasePathLock();
        reject(err.code === 'EADDRINUSE' ? new ServerRunningError(`Another server is listening on ${path}`, { cause: err }) : err);
      });
      net.listen(path, () => resolve());
    });
    net.on('error', (err) => this._logger.error({ err }, 'server error'));
    if (process.platform !== 'win32') {
      chmodSync(path, 0o600);
      this._socketIno = statSync(path).ino;
    }
    this._logger.info({}, 'listening');
  }

  /**
   * Makes `path` ours without ever removing a live server's socket. The server holds an OS lock on
   * `<path>.lock` for its lifetime (the kernel drops it if the process dies): a second server that
   * cannot take the lock knows a live one exists. One that takes it still probes the socket, in case
   * something else listens there, and only a refused or missing connection counts as stale.
   */
  private async _takePath(path: string): Promise<void> {
    // The socket's directory must be ours and private (created if missing, as
    // coordinationPaths().ensure() would): whoever can write there could replace the socket.
    await ensureSecureDirectory(dirname(path));
    refuseNonSocket(path);
    this._lockFd = await lockPathFile(path);
    const state = await probe(path);
    if (state === 'live') {
      this._releasePathLock();
      throw new ServerRunningError(`Another process is accepting connections on ${path}; not touching it`, { data: { path } });
    }
    if (state === 'stale') {
      this._logger.warn({}, 'removing a stale socket file left by a server that exited');
      try {
        unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  private _releasePathLock(): void {
    if (this._lockFd === undefined) return;
    try {
      // Removed while still locked: a server that opened it meanwhile sees it gone (lockPathFile
      // checks) rather than lock a file nobody can find.
      if (this._socketIno !== undefined) unlinkIfSame(`${this._options.path}.lock`, this._lockFd);
      closeSync(this._lockFd);
    } catch {
      // Already closed.
    }
    this._lockFd = undefined;
  }

  private _accept(socket: Socket): void {
    if (this._closing) {
      socket.destroy();
      return;
    }
    this._sockets.add(socket);
    socket.once('close', () => this._sockets.delete(socket));
    socket.setNoDelay?.(true);
    const logger = this._logger.child({ remote: this._nextPeer });
    const channel = new FramedChannel(socket, {
      maxFrameBytes: this._options.maxFrameBytes,
      // A stranger costs little before it authenticates: a hello is a few hundred bytes, never megabytes.
      incomingMaxFrameBytes: Math.min(this._options.maxFrameBytes ?? defaultMaxFrameBytes, helloMaxFrameBytes),
      maxQueueBytes: this._options.maxQueueBytes,
      slowConsumer: this._options.slowConsumer,
      farewell: (error) => refusal(error),
      logger,
    });
    const handshakeTimeoutMs = this._options.handshakeTimeoutMs ?? 5000;
    const timer = setTimeout(() => {
      logger.warn({}, 'closing connection: no hello within the handshake timeout');
      refuse(channel, new HandshakeTimeoutError(`No hello within ${handshakeTimeoutMs} ms (handshakeTimeoutMs)`));
    }, handshakeTimeoutMs);
    const hello = channel.onMessage((value) => {
      hello.dispose();
      clearTimeout(timer);
      const refused = this._checkHello(value);
      if (typeof refused === 'object' && 'error' in refused) {
        logger.warn({ code: errorCode(refused.error), reason: refused.error.message }, 'refusing a connection');
        refuse(channel, refused.error, refused.extra);
        return;
      }
      channel.acceptFullFrames();
      this._admit(channel, refused.name, refused.pid, descriptorOf(socket));
    });
    channel.onClose(() => {
      clearTimeout(timer);
      hello.dispose();
    });
  }

  /** The hello's name and pid, or why the connection is refused (every refusal names its cause). */
  private _checkHello(value: unknown): { name: string; pid: number } | { error: Error; extra?: { versions: readonly number[] } } {
    // Version and token first, before the rest of the shape: a client of another version (whose
    // hello may look different) learns which versions to speak, and a missing token is EAUTH.
    const hello = typeof value === 'object' && value !== null && (value as { t?: unknown }).t === 'hello' ? (value as Record<string, unknown>) : undefined;
    if (hello && typeof hello.v === 'number' && !supportedVersions.includes(hello.v)) {
      return { error: new ProtocolError(`Server speaks protocol ${supportedVersions.join(', ')}, client ${hello.v}`), extra: { versions: supportedVersions } };
    }
    if (hello && typeof hello.token !== 'string') return { error: new AuthError('hello has no token: send the auth token as hello.token') };
    // A first message that is not a hello is named as such, whatever else is wrong with it.
    const type = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { t?: unknown }).t : undefined;
    if (type !== 'hello') {
      return { error: new ProtocolError(type === undefined ? `the first message must be a hello object, got ${describeValue(value, 80)}` : `'${typeof type === 'string' ? type : JSON.stringify(type)}' before hello: the first message must be hello`) };
    }
    const envelope = parseEnvelope(value);
    if (typeof envelope === 'string') return { error: new ProtocolError(`Malformed hello: ${envelope}`) };
    if (envelope.t !== 'hello') return { error: new ProtocolError(`'${envelope.t}' before hello: the first message must be hello`) };
    if (!tokensMatch(envelope.token, this._options.auth.token)) {
      const hint = envelope.token !== envelope.token.trim() && tokensMatch(envelope.token.trim(), this._options.auth.token)
        ? ': the token has surrounding whitespace; send the 64 hex characters of the token file without its newline'
        : '';
      return { error: new AuthError(`Wrong auth token${hint}`) };
    }
    return { name: envelope.name, pid: envelope.pid };
  }

  private _admit(channel: FramedChannel, name: string, pid: number, descriptor: number | undefined): void {
    const info: PeerInfo = { id: String(this._nextPeer++), pid, name, connectedAt: new Date().toISOString(), ...(descriptor === undefined ? {} : { descriptor }) };
    const logger = this._logger.child({ peer: info.id, name, pid });
    const topics = new Set<string>();
    const rpc = new RpcConnection(
      channel,
      {
        request: (method, params, signal) => {
          const handler = this._handlers.get(method);
          if (!handler) throw new MethodNotFoundError(`No handler for method '${method}'`, { data: { method } });
          return handler(params, new HandlerContext(info, signal));
        },
        notify: (method, params) => {
          const handler = this._handlers.get(method);
          if (!handler) return logger.debug({ method }, 'notification with no handler');
          const result = handler(params, { peer: info, signal: notificationSignal });
          if (result instanceof Promise) result.catch((err: unknown) => logger.warn({ err, method }, 'notification handler failed'));
        },
        publish: (topic, payload) => void this.publish(topic, payload, info.id),
        subscribe: (topic) => void topics.add(topic),
        unsubscribe: (topic) => void topics.delete(topic),
      },
      logger,
      { side: 'server', heartbeat: this._heartbeat, errorStacks: this._options.errorStacks },
    );
    this._peers.set(info.id, { info, rpc, topics });
    rpc.onDidClose(({ reason }) => {
      this._peers.delete(info.id);
      logger.info({ reason }, 'peer disconnected');
      this._onDidDisconnect.fire({ ...info, reason });
    });
    channel.send({ t: 'welcome', v: supportedVersions[0]!, id: info.id });
    logger.info({}, 'peer connected');
    this._onDidConnect.fire(info);
  }

  /** Stops accepting, closes every connection, removes the socket file if it is still ours. */
  close(): Promise<void> {
    this._closing ??= (async () => {
      const net = this._net;
      const closed = net ? new Promise<void>((resolve) => net.close(() => resolve())) : Promise.resolve();
      for (const peer of this._peers.values()) peer.rpc.close();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
      for (const socket of this._sockets) socket.destroy();
      await closed;
      this._removeSocketFile();
      this._releasePathLock();
      super.dispose();
    })();
    return this._closing;
  }

  /** close(), started synchronously (for `context.subscriptions` and other dispose() owners). */
  override dispose(): void {
    void this.close();
  }

  private _removeSocketFile(): void {
    if (process.platform === 'win32' || this._socketIno === undefined) return;
    try {
      // Only our own socket: never a path another server has bound since.
      if (statSync(this._options.path).ino === this._socketIno) unlinkSync(this._options.path);
    } catch {
      // Already gone.
    }
  }
}

/**
 * The socket's file descriptor, or undefined where it has none (a Windows pipe reports -1). Node
 * has no public accessor for it; its stream handles have carried `fd` since the first releases.
 */
function descriptorOf(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Only a socket may be removed from the path: anything else there (a file, a directory, a link)
 * is somebody's data, or a mistyped path, and is reported rather than replaced.
 */
function refuseNonSocket(path: string): void {
  let stats;
  try {
    stats = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (stats.isSocket()) return;
  const kind = stats.isFile()
    ? 'a regular file'
    : stats.isDirectory()
      ? 'a directory'
      : stats.isSymbolicLink()
        ? 'a symbolic link'
        : stats.isFIFO()
          ? 'a named pipe (FIFO)'
          : stats.isCharacterDevice() || stats.isBlockDevice()
            ? 'a device'
            : 'something else';
  throw new UnsafePathError(`Cannot listen on ${path}: it is ${kind}, not a socket; only a leftover socket is replaced. Remove it or choose another path`, { data: { path } });
}

/**
 * How long a server that finds its lock file held keeps trying: a sweeper (removeStaleSocketFiles)
 * holds a free lock file for a moment and then removes it; a live server holds its lock for good.
 */
const sweeperGraceMs = 200;

/**
 * Opens and OS-locks `<path>.lock`, the token of ownership of the socket `path`. Throws
 * ServerRunningError when the lock stays held for sweeperGraceMs (a live server). A lock file
 * unlinked by its previous owner (or a sweeper) between our open and our lock is not the path's
 * lock any more: open the new one.
 */
async function lockPathFile(path: string): Promise<number> {
  const lockPath = `${path}.lock`;
  const deadline = performance.now() + sweeperGraceMs;
  for (let unlinked = 0; ; ) {
    const fd = openSync(lockPath, 'a+', 0o600);
    if (!tryLockFd(fd)) {
      closeSync(fd);
      if (performance.now() >= deadline) {
        throw new ServerRunningError(`Another server owns ${path} (its lock file ${lockPath} is held); not touching it`, { data: { path } });
      }
      await abortableDelay(2);
      continue;
    }
    if (isSameFile(lockPath, fd) || unlinked++ >= 10) return fd;
    closeSync(fd);
  }
}

function isSameFile(path: string, fd: number): boolean {
  try {
    return statSync(path).ino === fstatSync(fd).ino;
  } catch {
    return false;
  }
}

function unlinkIfSame(path: string, fd: number): void {
  try {
    if (isSameFile(path, fd)) unlinkSync(path);
  } catch {
    // Gone already: nothing to tidy.
  }
}

/**
 * Removes the files of servers that died without closing (SIGKILL, a crash) from `dir`: each
 * `<name>.sock.lock` whose name passes `match` and whose OS lock is free, with its `<name>.sock`.
 * A live server holds its lock, so its files are never touched. Returns how many were removed.
 * Unix only (named pipes leave no files); a no-op elsewhere.
 */
export function removeStaleSocketFiles(dir: string, match: (socketFile: string) => boolean): number {
  if (process.platform === 'win32') return 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.endsWith('.sock.lock')) continue;
    const socketFile = name.slice(0, -'.lock'.length);
    if (!match(socketFile)) continue;
    const lockPath = join(dir, name);
    let fd: number;
    try {
      fd = openSync(lockPath, 'r+');
    } catch {
      continue;
    }
    try {
      if (!tryLockFd(fd) || !isSameFile(lockPath, fd)) continue;
      // Locked by us now: no server can start on this path until the lock file is gone.
      try {
        if (lstatSync(join(dir, socketFile)).isSocket()) unlinkSync(join(dir, socketFile));
      } catch {
        // No socket file: a server that died before listening, or one that closed.
      }
      unlinkSync(lockPath);
      removed++;
    } catch {
      // Raced with another sweeper or a starting server: leave it to them.
    } finally {
      closeSync(fd);
    }
  }
  return removed;
}

/** 'live' if something accepts on `path`, 'stale' if a socket file is there but refuses, 'missing' if none. */
export function probe(path: string, timeoutMs = 1000): Promise<'live' | 'stale' | 'missing'> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    const timer = setTimeout(() => {
      socket.destroy();
      // Accepting nothing in time: treat as live, never steal it.
      resolve('live');
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('live');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code === 'ENOENT' ? 'missing' : err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK' ? 'stale' : 'live');
    });
  });
}

/** Creates a server and starts listening. */
export async function createServer(options: ServerOptions): Promise<IpcServer> {
  const server = new IpcServer(options);
  try {
    await server.listen();
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}
