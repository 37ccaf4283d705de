import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { createHash, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { Disposable, noopLogger, systemClock, type Clock, type IDisposable, type Logger } from '@baton/base';
import {
  PROTOCOL_VERSION,
  WS_PATH,
  encodeMessage,
  isCodeTooLarge,
  parseMessage,
  randomId,
  type ErrorCode,
  type Message,
  type MessageOf,
  type MessageType,
  type PayloadOf,
} from '@baton/devsync-client';
import { createMetrics, type Metrics } from '@baton/telemetry';
import type { RelayConfig } from './config.js';
import { PairingStore, RegistrationLimitError } from './pairings.js';
import { GuessThrottle, TokenBucket } from './rateLimit.js';

export const BASE_PATH = '/web-dev-sync';

export interface RelayOptions {
  config: RelayConfig;
  logger?: Logger;
  clock?: Clock;
  metrics?: Metrics;
}

interface Connection {
  readonly id: string;
  readonly socket: WebSocket;
  readonly remote: string;
  readonly origin: string | undefined;
  readonly bucket: TokenBucket;
  readonly connectedAt: number;
  role: 'browser' | 'desktop' | undefined;
  userId: string | undefined;
  /** A message or a pong came since the last heartbeat round. */
  heard: boolean;
  /** Pinged in the last heartbeat round. */
  pinged: boolean;
  received: number;
  dropped: number;
  lastRateErrorAt: number;
  /** A hello is being checked (pairing writes the store): later messages wait for it. */
  pending: Promise<void> | undefined;
}

interface Session {
  readonly id: string;
  readonly userId: string;
  fieldId: string;
  type: string;
  browser: Connection | undefined;
  readonly createdAt: number;
  lastActivity: number;
  orphanedAt: number | undefined;
}

/** Connections that broke the rate limit this many times over are closed (1008). */
const droppedBeforeClose = 1000;

/** `ms` in the largest whole unit: `24 h`, `30 min`, `45 s`. */
function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

/** An address without the IPv4-mapped prefix (`::ffff:10.0.0.1` is `10.0.0.1`). */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

/**
 * The client's address: the socket's, or, from a trusted proxy, the last address in X-Forwarded-For that is not a
 * trusted proxy itself (the hops a client could write come before the ones the proxies appended).
 */
function clientAddress(req: IncomingMessage, trusted: ReadonlySet<string>): string {
  const socketAddress = plainAddress(req.socket.remoteAddress ?? 'unknown');
  const forwarded = req.headers['x-forwarded-for'];
  if (!trusted.has(socketAddress) || typeof forwarded !== 'string') return socketAddress;
  const hops = forwarded.split(',').map((hop) => plainAddress(hop.trim())).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!trusted.has(hops[i]!)) return hops[i]!;
  return hops[0] ?? socketAddress;
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/**
 * The WebDevSync relay: browsers and desktop agents connect over WebSocket, pair through a one-time token, and the
 * relay routes edit requests and code updates between the two sides of each user, never across users.
 */
export class Relay extends Disposable {
  private readonly _config: RelayConfig;
  private readonly _logger: Logger;
  private readonly _clock: Clock;
  readonly metrics: Metrics;
  private readonly _server: Server;
  private readonly _wss: WebSocketServer;
  private readonly _connections = new Map<string, Connection>();
  private readonly _desktops = new Map<string, Connection>();
  /**
   * Open sessions, by user and id (`sessionKey`): a session id names a session only within its user's, so another
   * user who learned the id (announcing it first after a restart, say) makes a session of their own, never takes this one.
   */
  private readonly _sessions = new Map<string, Session>();
  private readonly _guesses: GuessThrottle;
  private readonly _trustedProxies: ReadonlySet<string>;
  private _allowedOrigins = new Set<string>();
  /** Host names an HTTP request may name (lower case, no port): loopback, the listen host, allowed origins' hosts, `hostnames`. */
  private _allowedHosts = new Set<string>();
  private _pairings!: PairingStore;
  private _startedAt = 0;
  private _listenPort: number | undefined;
  private _closing: Promise<void> | undefined;
  private readonly _demoFiles = new Map<string, string>();
  private _clientBundle: string | undefined;
  private readonly _messages;
  private readonly _errors;
  private readonly _connectionsGauge;
  private readonly _sessionsGauge;

  private constructor(options: RelayOptions) {
    super();
    this._config = options.config;
    this._logger = options.logger ?? noopLogger;
    this._clock = options.clock ?? systemClock;
    this.metrics = options.metrics ?? createMetrics({ prefix: 'devsync_relay_' });
    this._messages = this.metrics.counter('messages_total', 'Messages received, by type', ['type']);
    this._errors = this.metrics.counter('errors_total', 'Errors answered, by code', ['code']);
    this._connectionsGauge = this.metrics.gauge('connections', 'Open WebSocket connections, by role', ['role']);
    this._sessionsGauge = this.metrics.gauge('sessions', 'Open editing sessions');
    this._guesses = new GuessThrottle(this._config.limits.pairingFailuresPerMinute, this._config.limits.pairingFailuresPerSecond, this._clock);
    this._trustedProxies = new Set(this._config.trustedProxies.map(plainAddress));
    this._server = createServer((req, res) => void this._http(req, res));
    this._wss = new WebSocketServer({ noServer: true, maxPayload: this._config.limits.maxMessageBytes, clientTracking: false });
    this._server.on('upgrade', (req, socket, head) => this._upgrade(req, socket, head));
  }

  /** Opens the pairing store and listens; resolves once connections are accepted. */
  static async start(options: RelayOptions): Promise<Relay> {
    const relay = new Relay(options);
    try {
      relay._pairings = await PairingStore.open(
        relay._config.dataDir,
        relay._logger,
        { max: relay._config.pairing.maxUnpaired, maxPerAddress: relay._config.pairing.maxUnpairedPerAddress, ttlMs: relay._config.pairing.unpairedTtlMs },
        (userId) => relay._desktops.has(userId),
      );
      await new Promise<void>((resolve, reject) => {
        relay._server.once('error', reject);
        relay._server.listen(relay._config.port, relay._config.host, () => {
          relay._server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await relay._pairings?.close();
      throw err;
    }
    relay._startedAt = relay._clock.now();
    relay._listenPort = (relay._server.address() as { port: number }).port;
    const port = relay.port;
    relay._allowedOrigins = new Set(relay._config.allowedOrigins ?? [`http://localhost:${port}`, `http://127.0.0.1:${port}`]);
    const listenHost = relay._config.host === '0.0.0.0' || relay._config.host === '::' ? [] : [relay._config.host];
    relay._allowedHosts = new Set(['localhost', '127.0.0.1', '::1', ...listenHost, ...relay._config.hostnames, ...[...relay._allowedOrigins].map((o) => new URL(o).hostname)].map(bareHost));
    relay._register(relay._clock.setInterval(() => relay._pingAll(), relay._config.heartbeatMs, { unref: true }));
    relay._register(relay._clock.setInterval(() => relay._sweep(), Math.min(1000, relay._config.sessions.browserGraceMs), { unref: true }));
    relay._logger.info({ url: relay.url, allowedOrigins: [...relay._allowedOrigins] }, 'relay listening');
    return relay;
  }

  /** The port it listens on (kept after close, so a restart can take the same one). */
  get port(): number {
    return this._listenPort ?? this._config.port;
  }
  /** The HTTP base of the relay's endpoints, for example `http://127.0.0.1:8787/web-dev-sync`. */
  get url(): string {
    const host = this._config.host.includes(':') ? `[${this._config.host}]` : this._config.host;
    return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${this.port}${BASE_PATH}`;
  }
  get webSocketUrl(): string {
    return this.url.replace(/^http/, 'ws').replace(BASE_PATH, WS_PATH);
  }

  /** Counts for /status. */
  status(): { uptimeSeconds: number; connections: { browser: number; desktop: number; unpaired: number }; users: number; pairedUsers: number; unpairedDesktops: number; sessions: number } {
    const counts = this._counts();
    const users = new Set<string>();
    for (const connection of this._connections.values()) if (connection.userId) users.add(connection.userId);
    return {
      uptimeSeconds: Math.round((this._clock.now() - this._startedAt) / 1000),
      connections: counts,
      users: users.size,
      pairedUsers: this._pairings.userCount,
      unpairedDesktops: this._pairings.unpairedCount,
      sessions: this._sessions.size,
    };
  }

  /**
   * Stops: no new connections; every open one is closed with 1001 ("going away": clients reconnect, to this relay
   * once it is back); sockets that do not close within `graceMs` are cut. The pairing store is closed last.
   */
  close(graceMs = 2000): Promise<void> {
    return (this._closing ??= this._close(graceMs));
  }

  override dispose(): void {
    void this.close(0);
  }

  private async _close(graceMs: number): Promise<void> {
    super.dispose();
    const closed = [...this._connections.values()].map(
      (connection) =>
        new Promise<void>((resolve) => {
          if (connection.socket.readyState === connection.socket.CLOSED) return resolve();
          connection.socket.once('close', () => resolve());
          connection.socket.close(1001, 'relay shutting down');
        }),
    );
    const serverClosed = new Promise<void>((resolve) => this._server.close(() => resolve()));
    let timer: IDisposable | undefined;
    await Promise.race([Promise.all(closed), new Promise<void>((resolve) => (timer = this._clock.setTimeout(resolve, graceMs)))]);
    timer?.dispose();
    for (const connection of this._connections.values()) connection.socket.terminate();
    this._server.closeAllConnections();
    await serverClosed;
    await this._pairings.close();
    this._logger.info({ url: this.url }, 'relay stopped');
  }

  private _counts(): { browser: number; desktop: number; unpaired: number } {
    const counts = { browser: 0, desktop: 0, unpaired: 0 };
    for (const connection of this._connections.values()) counts[connection.role ?? 'unpaired']++;
    return counts;
  }

  private _upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
    };
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) return refuse(404, 'Not Found');
    const origin = req.headers.origin;
    if (origin !== undefined && !this._allowedOrigins.has(origin)) {
      // The check the peers lack: any page the user visits could otherwise talk to the relay as them.
      this._logger.warn({ origin, remote: req.socket.remoteAddress }, 'refused a WebSocket from an origin not in allowedOrigins');
      this._errors.inc({ code: 'ORIGIN_REFUSED' });
      return refuse(403, 'Forbidden: origin not allowed');
    }
    if (this._closing) return refuse(503, 'Service Unavailable: shutting down');
    if (this._connections.size >= this._config.limits.maxConnections) return refuse(503, 'Service Unavailable: too many connections');
    this._wss.handleUpgrade(req, socket, head, (ws) => this._accept(ws, req, origin));
  }

  private _accept(socket: WebSocket, req: IncomingMessage, origin: string | undefined): void {
    const connection: Connection = {
      id: randomId(),
      socket,
      remote: clientAddress(req, this._trustedProxies),
      origin,
      bucket: new TokenBucket(this._config.limits.messagesPerSecond, this._config.limits.burst, this._clock),
      connectedAt: Date.now(),
      role: undefined,
      userId: undefined,
      heard: true,
      pinged: false,
      received: 0,
      dropped: 0,
      lastRateErrorAt: -Infinity,
      pending: undefined,
    };
    this._connections.set(connection.id, connection);
    socket.on('pong', () => (connection.heard = true));
    socket.on('message', (data, isBinary) => {
      connection.heard = true;
      if (isBinary) return this._sendError(connection, 'INVALID_MESSAGE', 'binary frames are not part of the protocol; send JSON text', false);
      const text = data.toString();
      if (connection.pending) void connection.pending.then(() => this._message(connection, text));
      else this._message(connection, text);
    });
    socket.on('error', (err) => this._logger.debug({ err, connectionId: connection.id }, 'socket error'));
    socket.on('close', () => this._disconnected(connection));
  }

  private _send<T extends MessageType>(connection: Connection, message: MessageOf<T>): void {
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    connection.socket.send(encodeMessage(message));
  }

  private _sendError(connection: Connection, code: ErrorCode, message: string, retryable: boolean, context: { inReplyTo?: string; sessionId?: string } = {}): void {
    this._errors.inc({ code });
    this._send(connection, {
      type: 'error',
      ...(context.sessionId ? { sessionId: context.sessionId } : {}),
      payload: { code, message, retryable, ...(context.inReplyTo ? { inReplyTo: context.inReplyTo } : {}) },
    });
  }

  /** Answers a refused hello with an error, then closes (1008): the same hello would be refused again. */
  private _refuse(connection: Connection, code: ErrorCode, message: string, closeReason: string, reply: { inReplyTo: string }): void {
    this._sendError(connection, code, message, false, reply);
    connection.socket.close(1008, closeReason);
  }

  private _message(connection: Connection, text: string): void {
    connection.received++;
    if (!connection.bucket.take()) {
      connection.dropped++;
      if (connection.dropped > droppedBeforeClose) {
        connection.socket.close(1008, 'rate limit exceeded');
        return;
      }
      // One error a second at most: answering every dropped message would amplify a flood.
      const now = this._clock.now();
      if (now - connection.lastRateErrorAt >= 1000) {
        connection.lastRateErrorAt = now;
        this._sendError(connection, 'RATE_LIMITED', `more than ${this._config.limits.messagesPerSecond} messages a second; messages are being dropped`, true);
      }
      return;
    }
    const parsed = parseMessage(text, { maxCodeBytes: this._config.limits.maxCodeBytes });
    if (!parsed.ok) {
      const tooLarge = isCodeTooLarge(parsed);
      this._messages.inc({ type: 'invalid' });
      return this._sendError(connection, tooLarge ? 'CODE_TOO_LARGE' : 'INVALID_MESSAGE', parsed.error, false, parsed.type ? { inReplyTo: parsed.type } : {});
    }
    const message = parsed.message;
    this._messages.inc({ type: message.type });
    if (message.userId !== undefined && connection.userId !== undefined && message.userId !== connection.userId) {
      return this._sendError(connection, 'FORBIDDEN', 'userId names another user; leave it out (the relay knows who you are)', false, { inReplyTo: message.type });
    }
    try {
      this._dispatch(connection, message, text);
    } catch (err) {
      this._logger.error({ err, type: message.type, connectionId: connection.id }, 'failed to handle a message');
      this._sendError(connection, 'INTERNAL', 'the relay failed to handle this message', true, { inReplyTo: message.type });
    }
  }

  private _dispatch(connection: Connection, message: Message, text: string): void {
    const reply = { inReplyTo: message.type, ...(message.sessionId ? { sessionId: message.sessionId } : {}) };
    if (message.type === 'heartbeat') return this._send(connection, { type: 'heartbeat', payload: { at: Date.now() } });
    if (message.type === 'browser_connect' || message.type === 'desktop_connect') {
      if (connection.role) return this._sendError(connection, 'INVALID_MESSAGE', `already connected as ${connection.role}`, false, reply);
      if (message.payload.protocol !== PROTOCOL_VERSION) {
        return this._refuse(connection, 'UNSUPPORTED_PROTOCOL', `this relay speaks protocol ${PROTOCOL_VERSION}, not ${message.payload.protocol}`, 'unsupported protocol', reply);
      }
      const hello = message.type === 'browser_connect' ? this._browserConnect(connection, message.payload) : this._desktopConnect(connection, message.payload);
      connection.pending = hello
        .catch((err: unknown) => {
          this._logger.error({ err, connectionId: connection.id }, 'failed to handle a hello');
          this._sendError(connection, 'INTERNAL', 'the relay could not complete the connect; try again', true, reply);
          connection.socket.close(1011, 'internal error');
        })
        .finally(() => (connection.pending = undefined));
      return;
    }
    if (!connection.role || !connection.userId) {
      return this._sendError(connection, 'NOT_PAIRED', `send browser_connect or desktop_connect before ${message.type}`, false, reply);
    }
    if (message.type === 'connection_ack' || message.type === 'error') {
      return this._sendError(connection, 'INVALID_MESSAGE', `${message.type} is sent by the relay only`, false, reply);
    }
    const userId = connection.userId;
    const sessionId = message.sessionId!;
    let session = this._sessions.get(sessionKey(userId, sessionId));

    if (message.type === 'edit_request') {
      if (connection.role !== 'browser') return this._sendError(connection, 'FORBIDDEN', 'edit_request comes from a browser', false, reply);
      if (!session) {
        if (this._sessionsOf(userId) >= this._config.sessions.maxPerUser) {
          return this._sendError(connection, 'RATE_LIMITED', `at most ${this._config.sessions.maxPerUser} open sessions per user; end some first`, true, reply);
        }
        const desktop = this._desktops.get(userId);
        if (!desktop) return this._sendError(connection, 'NO_DESKTOP', 'no desktop agent of yours is connected; start devsync-desktop', true, reply);
        session = { id: sessionId, userId, fieldId: message.payload.fieldId, type: message.payload.type, browser: connection, createdAt: this._clock.now(), lastActivity: this._clock.now(), orphanedAt: undefined };
        this._sessions.set(sessionKey(userId, sessionId), session);
      }
      session.browser = connection;
      session.orphanedAt = undefined;
      session.fieldId = message.payload.fieldId;
      session.type = message.payload.type;
    }
    if (!session) return this._sendError(connection, 'SESSION_NOT_FOUND', `no open session ${sessionId} of yours (it ended or expired)`, false, reply);
    session.lastActivity = this._clock.now();

    const target = connection.role === 'browser' ? this._desktops.get(userId) : session.browser;
    if (message.type === 'session_end') {
      this._sessions.delete(sessionKey(userId, sessionId));
      if (target) this._forward(target, connection, message, text);
      return;
    }
    if (!target) {
      return connection.role === 'browser'
        ? this._sendError(connection, 'NO_DESKTOP', 'no desktop agent of yours is connected; start devsync-desktop', true, reply)
        : this._sendError(connection, 'NO_BROWSER', 'the page of this session is not connected now; send again when it is back', true, reply);
    }
    this._forward(target, connection, message, text);
  }

  private _forward(target: Connection, from: Connection, message: Message, text: string): void {
    if (target.socket.readyState !== target.socket.OPEN) return;
    if (message.connectionId !== undefined || message.userId !== undefined) {
      // The relay's own view of who sent it replaces anything the sender claimed.
      this._send(target, { ...message, connectionId: from.id, userId: from.userId } as Message);
      return;
    }
    // The frame as it came (it passed the schema, so it is one JSON object of known fields), with the sender's
    // ids appended before its closing brace: no second parse or stringify on the hot path. The ids are the relay's
    // own URL-safe ones, so they need no escaping.
    const end = text.lastIndexOf('}');
    target.socket.send(`${text.slice(0, end)},"connectionId":"${from.id}","userId":"${from.userId}"}`);
  }

  private _sessionsOf(userId: string): number {
    let count = 0;
    for (const session of this._sessions.values()) if (session.userId === userId) count++;
    return count;
  }

  private async _browserConnect(connection: Connection, payload: PayloadOf<'browser_connect'>): Promise<void> {
    const reply = { inReplyTo: 'browser_connect' };
    let userId: string;
    let secret: string | undefined;
    if (payload.userId !== undefined && payload.secret !== undefined) {
      if (!this._pairings.verifyBrowser(payload.userId, payload.secret)) {
        return this._refuse(connection, 'AUTH_FAILED', 'these browser credentials are not known to this relay; pair again with a token from devsync-desktop', 'auth failed', reply);
      }
      userId = payload.userId;
    } else if (payload.pairingToken !== undefined) {
      // The token is checked first: a right one pairs at once, however many wrong ones came from this address.
      const registration = await this._pairings.redeem(payload.pairingToken);
      if (!registration) {
        // A wrong one is answered only when the guess throttle allows (the answer is what a guesser learns from).
        await this._guesses.failed(connection.remote);
        return this._refuse(connection, 'PAIRING_FAILED', 'unknown or expired pairing token; run `devsync-desktop --pair` for a new one', 'pairing failed', reply);
      }
      userId = registration.userId;
      secret = registration.secret;
      this._logger.info({ userId, connectionId: connection.id, origin: connection.origin }, 'browser paired');
    } else {
      return this._refuse(connection, 'NOT_PAIRED', 'browser_connect needs a pairingToken, or the userId and secret of an earlier pairing', 'not paired', reply);
    }
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    connection.role = 'browser';
    connection.userId = userId;
    const resumed: string[] = [];
    for (const announced of payload.sessions ?? []) {
      const existing = this._sessions.get(sessionKey(userId, announced.sessionId));
      if (!existing && this._sessionsOf(userId) >= this._config.sessions.maxPerUser) continue;
      const now = this._clock.now();
      // After a relay restart the page is where sessions are remembered: they are taken back as announced.
      const session: Session = existing ?? { id: announced.sessionId, userId, fieldId: announced.fieldId, type: announced.type, browser: connection, createdAt: now, lastActivity: now, orphanedAt: undefined };
      session.browser = connection;
      session.orphanedAt = undefined;
      session.lastActivity = now;
      this._sessions.set(sessionKey(userId, session.id), session);
      resumed.push(session.id);
    }
    this._send(connection, {
      type: 'connection_ack',
      connectionId: connection.id,
      userId,
      payload: {
        role: 'browser',
        heartbeatMs: this._config.heartbeatMs,
        maxCodeBytes: this._config.limits.maxCodeBytes,
        ...(secret ? { secret } : {}),
        sessions: resumed,
        desktopConnected: this._desktops.has(userId),
      },
    });
  }

  private async _desktopConnect(connection: Connection, payload: PayloadOf<'desktop_connect'>): Promise<void> {
    const reply = { inReplyTo: 'desktop_connect' };
    if (connection.origin !== undefined) {
      // A browser always sends Origin; the desktop agent never does. A page must not pose as a desktop.
      return this._refuse(connection, 'FORBIDDEN', 'a web page cannot connect as a desktop', 'forbidden', reply);
    }
    let userId: string;
    let secret: string | undefined;
    let pairingToken: string | undefined;
    if (payload.userId !== undefined && payload.secret !== undefined) {
      if (!this._pairings.verifyDesktop(payload.userId, payload.secret)) {
        return this._refuse(connection, 'AUTH_FAILED', `these desktop credentials are not known to this relay (a desktop never paired is forgotten after ${formatDuration(this._config.pairing.unpairedTtlMs)} without connecting); remove the credentials file to register again`, 'auth failed', reply);
      }
      userId = payload.userId;
      this._pairings.desktopConnected(userId);
      if (payload.pair) pairingToken = await this._pairings.issuePairingToken(userId, this._config.pairing.tokenTtlMs);
    } else {
      let registration;
      try {
        registration = this._pairings.registerDesktop(this._config.pairing.tokenTtlMs, connection.remote);
      } catch (err) {
        if (!(err instanceof RegistrationLimitError)) throw err;
        this._logger.warn({ err, remote: connection.remote }, 'refused a desktop registration: too many waiting to be paired');
        return this._refuse(connection, 'RATE_LIMITED', `too many desktops are waiting to be paired: ${err.message}. Pair one of them, or stop them (unused registrations expire)`, 'registration limit', reply);
      }
      ({ userId, secret, pairingToken } = registration);
      this._logger.info({ userId, connectionId: connection.id }, 'desktop registered a new user');
    }
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    const previous = this._desktops.get(userId);
    if (previous && previous !== connection) {
      this._desktops.delete(userId);
      previous.socket.close(4002, 'replaced by a newer desktop connection');
    }
    connection.role = 'desktop';
    connection.userId = userId;
    this._desktops.set(userId, connection);
    this._send(connection, {
      type: 'connection_ack',
      connectionId: connection.id,
      userId,
      payload: {
        role: 'desktop',
        heartbeatMs: this._config.heartbeatMs,
        maxCodeBytes: this._config.limits.maxCodeBytes,
        ...(secret ? { secret } : {}),
        ...(pairingToken ? { pairingToken, pairingExpiresInMs: this._config.pairing.tokenTtlMs } : {}),
      },
    });
    if (!previous || previous === connection) this._tellBrowsers(userId, true);
  }

  private _disconnected(connection: Connection): void {
    this._connections.delete(connection.id);
    if (connection.role === 'desktop' && this._desktops.get(connection.userId!) === connection) {
      this._desktops.delete(connection.userId!);
      this._tellBrowsers(connection.userId!, false);
    }
    if (connection.role === 'browser') {
      const now = this._clock.now();
      for (const session of this._sessions.values()) {
        if (session.browser === connection) {
          session.browser = undefined;
          session.orphanedAt = now;
        }
      }
    }
  }

  /** Tells the pages of `userId` that its desktop agent connected or went away (`desktop_status`). */
  private _tellBrowsers(userId: string, connected: boolean): void {
    for (const other of this._connections.values()) {
      if (other.role === 'browser' && other.userId === userId) this._send(other, { type: 'desktop_status', userId, payload: { connected } });
    }
  }

  /** Ends sessions that idled out, or whose page did not come back. */
  private _sweep(): void {
    const now = this._clock.now();
    for (const session of [...this._sessions.values()]) {
      const expired = now - session.lastActivity > this._config.sessions.idleTimeoutMs;
      const orphaned = session.orphanedAt !== undefined && now - session.orphanedAt > this._config.sessions.browserGraceMs;
      if (!expired && !orphaned) continue;
      this._sessions.delete(sessionKey(session.userId, session.id));
      const end: MessageOf<'session_end'> = { type: 'session_end', sessionId: session.id, userId: session.userId, payload: { reason: expired ? 'expired' : 'browser_gone' } };
      const desktop = this._desktops.get(session.userId);
      if (desktop) this._send(desktop, end);
      if (session.browser) this._send(session.browser, end);
    }
    this._guesses.sweep();
    this._pairings.expireUnpaired();
    // Gauges are brought up to date here, once a second, not on every connect and message.
    const counts = this._counts();
    for (const role of ['browser', 'desktop', 'unpaired'] as const) this._connectionsGauge.set({ role }, counts[role]);
    this._sessionsGauge.set(this._sessions.size);
  }

  /**
   * WebSocket pings, once every heartbeatMs: a connection heard from since the last round (a message or a pong) is
   * alive and is not pinged (a busy relay sends no pings); a silent one is pinged; one pinged a round ago and silent
   * since is gone (a sleeping laptop, a dropped network) and is closed. A peer that dies is closed within three rounds.
   */
  private _pingAll(): void {
    for (const connection of this._connections.values()) {
      if (connection.heard) {
        connection.heard = false;
        connection.pinged = false;
      } else if (connection.pinged) {
        connection.socket.terminate();
      } else {
        connection.pinged = true;
        connection.socket.ping();
      }
    }
  }

  private _authorizedForDetails(req: IncomingMessage, loopbackSuffices: boolean): boolean {
    if (loopbackSuffices && isLoopback(req.socket.remoteAddress) && req.headers['x-forwarded-for'] === undefined) return true;
    const token = this._config.adminToken;
    const header = req.headers.authorization;
    if (!token || !header?.startsWith('Bearer ')) return false;
    const presented = Buffer.from(header.slice('Bearer '.length));
    const expected = Buffer.from(token);
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }

  private async _http(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0]!;
      const origin = req.headers.origin;
      if (origin !== undefined && this._allowedOrigins.has(origin)) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Vary', 'Origin');
      }
      res.setHeader('X-Content-Type-Options', 'nosniff');
      const host = hostOf(req.headers.host);
      if (host === undefined || !this._allowedHosts.has(host)) {
        this._errors.inc({ code: 'HOST_REFUSED' });
        return this._reply(res, 421, 'text/plain', `this relay does not answer to the name ${JSON.stringify(req.headers.host ?? '')}; add it to hostnames in its config\n`);
      }
      if (origin !== undefined && !this._allowedOrigins.has(origin)) {
        // A page of another origin has no business here, whatever it asks for (its Host may be right: a proxy's).
        this._errors.inc({ code: 'ORIGIN_REFUSED' });
        return this._reply(res, 403, 'text/plain', 'Forbidden: origin not allowed\n');
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return this._reply(res, 405, 'text/plain', 'only GET\n');
      if (path === `${BASE_PATH}/status`) return this._reply(res, 200, 'application/json', JSON.stringify(this.status()));
      if (path === `${BASE_PATH}/metrics`) {
        if (!this._authorizedForDetails(req, true)) return this._reply(res, 403, 'text/plain', 'loopback or the admin token only\n');
        return this._reply(res, 200, 'text/plain; version=0.0.4', await this.metrics.render());
      }
      if (path === `${BASE_PATH}/debug`) {
        // Off unless an admin token is set, from loopback too: any local process could read it otherwise.
        if (!this._config.adminToken) return this._reply(res, 403, 'text/plain', '/debug is off: set adminToken (DEVSYNC_ADMIN_TOKEN) and send it as Authorization: Bearer <token>\n');
        if (!this._authorizedForDetails(req, false)) return this._reply(res, 403, 'text/plain', 'the admin token only (Authorization: Bearer <token>)\n');
        return this._reply(res, 200, 'application/json', JSON.stringify(this._debug(), null, 2));
      }
      if (path === `${BASE_PATH}/` || path === BASE_PATH || path === `${BASE_PATH}/index.html`) {
        res.setHeader('Content-Security-Policy', "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'");
        return this._reply(res, 200, 'text/html; charset=utf-8', await this._demo('index.html'));
      }
      if (path === `${BASE_PATH}/demo.js`) return this._reply(res, 200, 'text/javascript; charset=utf-8', await this._demo('demo.js'));
      if (path === `${BASE_PATH}/webdevsync.js`) return this._reply(res, 200, 'text/javascript; charset=utf-8', await this._bundle());
      return this._reply(res, 404, 'text/plain', 'not found\n');
    } catch (err) {
      this._logger.error({ err, url: req.url }, 'HTTP request failed');
      if (!res.headersSent) this._reply(res, 500, 'text/plain', 'internal error\n');
      else res.destroy();
    }
  }

  private _reply(res: ServerResponse, status: number, type: string, body: string): void {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(body);
  }

  private _debug(): unknown {
    const now = this._clock.now();
    return {
      ...this.status(),
      memory: process.memoryUsage(),
      allowedOrigins: [...this._allowedOrigins],
      connections: [...this._connections.values()].map((c) => ({
        id: c.id,
        role: c.role ?? 'unpaired',
        user: c.userId === undefined ? undefined : redact(c.userId),
        remote: c.remote,
        origin: c.origin,
        connectedAt: new Date(c.connectedAt).toISOString(),
        received: c.received,
        dropped: c.dropped,
      })),
      // Ids a user's connection proves itself with are not shown, only a short digest to tell them apart.
      sessions: [...this._sessions.values()].map((s) => ({
        session: redact(s.id),
        user: redact(s.userId),
        fieldId: s.fieldId,
        type: s.type,
        browserConnected: s.browser !== undefined,
        ageSeconds: Math.round((now - s.createdAt) / 1000),
        idleSeconds: Math.round((now - s.lastActivity) / 1000),
      })),
    };
  }

  private async _demo(name: 'index.html' | 'demo.js'): Promise<string> {
    let text = this._demoFiles.get(name);
    if (text === undefined) {
      text = await readFile(new URL(`../demo/${name}`, import.meta.url), 'utf8');
      this._demoFiles.set(name, text);
    }
    return text;
  }

  /** The browser library: beside this module in a packed install (the build copies it there), else the workspace's. */
  private async _bundle(): Promise<string> {
    this._clientBundle ??= await readFile(new URL('./webdevsync.js', import.meta.url), 'utf8').catch(() =>
      readFile(createRequire(import.meta.url).resolve('@baton/devsync-client/browser'), 'utf8'),
    );
    return this._clientBundle;
  }
}

/** A short digest of an id, to tell ids apart in /debug without showing them. */
function redact(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 8);
}

/** A session's key: its user's id and its own (a session id names a session only within its user's). */
function sessionKey(userId: string, sessionId: string): string {
  return `${userId}\u0000${sessionId}`;
}

/** A host name as compared: lower case, IPv6 brackets taken off. */
function bareHost(name: string): string {
  return name.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

/** The host name of a Host header (`name[:port]`, `[v6]:port`), or undefined when there is none. */
function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(header.trim());
  return match ? bareHost(match[1]!) : undefined;
}
