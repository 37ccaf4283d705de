import {
  Disposable,
  Emitter,
  deserializeError,
  onAbort,
  serializeError,
  throwIfAborted,
  type IDisposable,
  type Logger,
  type SerializedError,
} from '@baton/base';
import type { FramedChannel, EncodedMessage } from './channel.js';
import { ConnectionLostError, FrameTimeoutError, ProtocolError, RequestTimeoutError } from './errors.js';
import { directionProblem, parseEnvelope, refuse, type Envelope, type Side } from './protocol.js';

/** Heartbeat of a connection: a ping after `intervalMs` without hearing from the peer; the peer is dropped after `timeoutMs` of silence. */
export interface HeartbeatOptions {
  /** Send a ping when nothing was sent for this long (default 1000 ms). */
  intervalMs?: number;
  /** Close the connection when nothing was received for this long (default 5000 ms). */
  timeoutMs?: number;
  /** Close the connection when a frame that began to arrive is not complete after this long (default 10000 ms). */
  frameTimeoutMs?: number;
}

export interface RpcOptions {
  /** The side this connection is on; a message PROTOCOL.md sends only the other way is refused (EPROTOCOL). */
  side: Side;
  heartbeat?: HeartbeatOptions;
  /** Send handler errors with their stack traces (file paths); for local debugging only. Default false. */
  errorStacks?: boolean;
}

/** Options of a request: its timeout and its cancelling signal. */
export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** What a side does with what arrives; each is optional. */
/** Gives a handler its cancellation signal; created only if the handler asks for it. */
export type SignalSource = () => AbortSignal;

export interface RpcHandlers {
  request?(method: string, params: unknown, signal: SignalSource): Promise<unknown> | unknown;
  notify?(method: string, params: unknown): void;
  publish?(topic: string, payload: unknown): void;
  subscribe?(topic: string): void;
  unsubscribe?(topic: string): void;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** performance.now() after which the request times out (Infinity: never). */
  deadline: number;
  timeoutMs: number;
  abort: IDisposable | undefined;
  method: string;
}

/**
 * Requests, responses, notifications, pub/sub and heartbeats over one established channel
 * (after the handshake). Used by both the server's peers and the client.
 */
export class RpcConnection extends Disposable {
  private readonly _onDidClose = this._register(new Emitter<{ reason: string; error?: Error }>());
  readonly onDidClose = this._onDidClose.event;
  private readonly _pending = new Map<number, Pending>();
  /** Requests being served: their controller once a handler asked for a signal, else null. */
  private readonly _inflight = new Map<number, AbortController | null>();
  private readonly _cancelled = new Set<number>();
  private _nextId = 1;
  private _closed = false;
  /** The peer half-closed with requests in flight: their answers are sent, then the connection ends. */
  private _draining = false;
  /**
   * One timer for all request timeouts, armed for the earliest deadline. A timer per request
   * costs an allocation and a timer-list insert and removal on every call, and almost every
   * request is answered long before its deadline.
   */
  private _deadlineTimer: NodeJS.Timeout | undefined;
  private _armedFor = Infinity;
  private _heartbeat: NodeJS.Timeout;

  private readonly _errorStacks: boolean;
  private readonly _side: Side;

  constructor(
    readonly channel: FramedChannel,
    private readonly _handlers: RpcHandlers,
    private readonly _logger: Logger,
    options: RpcOptions,
  ) {
    super();
    this._side = options.side;
    this._errorStacks = options.errorStacks ?? false;
    this._register(channel.onMessage((value) => this._receive(value)));
    this._register(channel.onClose(({ reason, error }) => this._shutdown(reason, error)));
    channel.keepOpenAfterPeerEnd = () => this._drainAfterPeerEnd();
    this._heartbeat = this._startHeartbeat(options.heartbeat);
    this._register({ dispose: () => clearInterval(this._heartbeat) });
  }

  /**
   * Replaces the heartbeat's periods (for example slower while a connection only stands by).
   * Silence is counted from the change or the last frame received, whichever is later: a
   * connection quiet under a long timeout is not closed the moment a shorter one is set.
   */
  setHeartbeat(options: HeartbeatOptions | undefined): void {
    if (this._closed) return;
    clearInterval(this._heartbeat);
    this._heartbeat = this._startHeartbeat(options);
  }

  private _startHeartbeat(options: HeartbeatOptions | undefined): NodeJS.Timeout {
    const channel = this.channel;
    const intervalMs = options?.intervalMs ?? 1000;
    const timeoutMs = options?.timeoutMs ?? 5000;
    const frameTimeoutMs = options?.frameTimeoutMs ?? 10_000;
    const since = performance.now();
    const silence = () => performance.now() - Math.max(channel.lastReceivedAt, since);
    let judging = false;
    let pingedAt = -Infinity;
    // Silence is judged only after the event loop has read what is waiting on the sockets: after
    // a stall of this process (a handler that blocked, a SIGSTOP), timers run before the poll that
    // reads, and every healthy peer would look silent. The check phase comes after that poll.
    const judge = () => {
      judging = false;
      const silentMs = silence();
      if (silentMs <= timeoutMs || this._closed) return;
      this._logger.warn({ silentMs: Math.round(silentMs), timeoutMs }, 'peer stopped answering heartbeats; closing');
      channel.destroy(new ConnectionLostError(`Peer sent nothing for ${Math.round(silentMs)} ms (heartbeat timeout ${timeoutMs} ms)`));
    };
    const timer = setInterval(() => {
      // A peer that half-closed cannot answer pings; what bounds the wait is the handlers' answers.
      if (this._draining) return;
      const now = performance.now();
      if (channel.partialSince !== undefined && now - channel.partialSince > frameTimeoutMs) {
        const error = new FrameTimeoutError(`A frame began ${Math.round(now - channel.partialSince)} ms ago and is not complete (frame timeout ${frameTimeoutMs} ms); closing`);
        this._logger.warn({ err: error }, 'closing connection: incomplete frame');
        refuse(channel, error);
      } else if (silence() > timeoutMs) {
        if (!judging) {
          judging = true;
          setImmediate(judge);
        }
      } else if (silence() >= intervalMs && now - pingedAt >= intervalMs) {
        // Asked of a peer that has been quiet, whatever this side sent it: a side that sends all
        // the time (a leader passing on its renewals) still needs to hear from a peer that only
        // answers, and it hears that peer's pong.
        pingedAt = now;
        channel.send({ t: 'ping' });
      }
    }, Math.max(10, Math.min(intervalMs, timeoutMs / 2)));
    timer.unref();
    return timer;
  }

  get isClosed(): boolean {
    return this._closed;
  }

  request(method: string, params: unknown, options: RequestOptions & { defaultTimeoutMs: number }): Promise<unknown> {
    throwIfAborted(options.signal);
    if (this._closed) return Promise.reject(new ConnectionLostError(`Cannot send request '${method}': the connection is closed`));
    const id = this._nextId++;
    return new Promise<unknown>((resolve, reject) => {
      try {
        this.channel.send({ t: 'req', id, m: method, p: params });
      } catch (err) {
        reject(err);
        return;
      }
      const timeoutMs = options.timeoutMs ?? options.defaultTimeoutMs;
      const deadline = timeoutMs > 0 && Number.isFinite(timeoutMs) ? performance.now() + timeoutMs : Infinity;
      const entry: Pending = { resolve, reject, deadline, timeoutMs, abort: undefined, method };
      this._pending.set(id, entry);
      if (deadline < this._armedFor) this._armDeadlines(deadline);
      if (options.signal) {
        entry.abort = onAbort(options.signal, (reason) => {
          this._settle(id)?.reject(reason);
          this._sendQuietly({ t: 'cancel', id });
        });
      }
    });
  }

  private _armDeadlines(deadline: number): void {
    if (this._deadlineTimer) clearTimeout(this._deadlineTimer);
    this._armedFor = deadline;
    this._deadlineTimer = setTimeout(() => this._expire(), Math.max(0, deadline - performance.now()));
  }

  /** Rejects every request past its deadline, then re-arms for the earliest one left. */
  private _expire(): void {
    this._deadlineTimer = undefined;
    this._armedFor = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [id, entry] of this._pending) {
      if (entry.deadline <= now) {
        this._settle(id);
        entry.reject(new RequestTimeoutError(`Request '${entry.method}' got no response within ${entry.timeoutMs} ms`, { data: { method: entry.method, timeoutMs: entry.timeoutMs } }));
        this._sendQuietly({ t: 'cancel', id });
      } else if (entry.deadline < next) next = entry.deadline;
    }
    if (next !== Infinity && !this._closed) this._armDeadlines(next);
  }

  /** Removes a pending request and its abort listener; returns it if it was still pending. */
  private _settle(id: number): Pending | undefined {
    const entry = this._pending.get(id);
    if (!entry) return undefined;
    this._pending.delete(id);
    entry.abort?.dispose();
    return entry;
  }

  notify(method: string, params: unknown): void {
    this.channel.send({ t: 'note', m: method, p: params });
  }

  send(envelope: Envelope, droppable = false): void {
    this.channel.send(envelope, droppable);
  }

  sendEncoded(encoded: EncodedMessage, droppable = false): void {
    this.channel.sendEncoded(encoded, droppable);
  }

  private _sendQuietly(envelope: Envelope): void {
    try {
      if (!this._closed) this.channel.send(envelope);
    } catch {
      // Best effort (a cancel for a connection that is going away).
    }
  }

  private _receive(value: unknown): void {
    const envelope = parseEnvelope(value);
    if (typeof envelope === 'string') {
      this._logger.warn({ reason: envelope }, 'closing connection: invalid message');
      refuse(this.channel, new ProtocolError(`Invalid message: ${envelope}`));
      return;
    }
    const wrongWay = directionProblem(this._side, envelope.t);
    if (wrongWay) {
      this._logger.warn({ reason: wrongWay }, 'closing connection: message in the wrong direction');
      refuse(this.channel, new ProtocolError(wrongWay));
      return;
    }
    switch (envelope.t) {
      case 'res': {
        const entry = this._settle(envelope.id);
        if (!entry) return; // cancelled or timed out: the late answer is dropped
        if (envelope.e) entry.reject(deserializeError(envelope.e));
        else entry.resolve(envelope.r);
        return;
      }
      case 'req':
        this._serve(envelope.id, envelope.m, envelope.p);
        return;
      case 'cancel': {
        if (!this._inflight.has(envelope.id)) return;
        const controller = this._inflight.get(envelope.id);
        if (controller) controller.abort();
        else this._cancelled.add(envelope.id);
        return;
      }
      case 'note':
        this._guard('notification', () => this._handlers.notify?.(envelope.m, envelope.p));
        return;
      case 'pub':
        this._guard('publication', () => this._handlers.publish?.(envelope.topic, envelope.p));
        return;
      case 'sub':
        this._handlers.subscribe?.(envelope.topic);
        return;
      case 'unsub':
        this._handlers.unsubscribe?.(envelope.topic);
        return;
      case 'ping':
        this._sendQuietly({ t: 'pong' });
        return;
      case 'pong':
        return;
      case 'refuse':
        // The peer says why it is closing: that is the reason every pending request hears.
        this._logger.warn({ code: envelope.code, reason: envelope.message }, 'peer refused the connection');
        this.channel.destroy(new ProtocolError(`Peer closed the connection: ${envelope.code}: ${envelope.message}`, { data: { code: envelope.code } }));
        return;
      default:
        // hello and welcome: refused above (directionProblem).
        return;
    }
  }

  private _guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this._logger.warn({ err }, `${what} handler threw`);
    }
  }

  private _serve(id: number, method: string, params: unknown): void {
    const handler = this._handlers.request;
    if (!handler) {
      this._respond(id, false, new ProtocolError('this side does not serve requests'));
      return;
    }
    if (this._inflight.has(id)) {
      // Two answers with one id could not be told apart: the peer broke the protocol.
      refuse(this.channel, new ProtocolError(`Request id ${id} is already in flight on this connection; ids may be reused only after their answer`));
      return;
    }
    this._inflight.set(id, null);
    // Most handlers never look at their signal: an AbortController per request costs more than
    // the rest of the dispatch, so it is made on first use.
    const signal: SignalSource = () => {
      let controller = this._inflight.get(id);
      if (!controller) {
        controller = new AbortController();
        if (this._cancelled.delete(id) || this._closed) controller.abort();
        if (this._inflight.has(id)) this._inflight.set(id, controller);
      }
      return controller.signal;
    };
    let result: unknown;
    try {
      result = handler(method, params, signal);
    } catch (err) {
      this._finish(id, false, err);
      return;
    }
    // A synchronous handler is answered in the same tick; only a promise (or thenable) waits.
    if (!isThenable(result)) {
      this._finish(id, true, result);
      return;
    }
    try {
      result.then(
        (value: unknown) => this._finish(id, true, value),
        (err: unknown) => this._finish(id, false, err),
      );
    } catch (err) {
      // A thenable whose then() throws: answer with that error rather than never.
      this._finish(id, false, err);
    }
  }

  /** Sends the answer to a served request, unless it was cancelled or the connection closed. */
  private _finish(id: number, ok: boolean, value: unknown): void {
    const controller = this._inflight.get(id);
    this._inflight.delete(id);
    const cancelled = this._cancelled.delete(id) || controller?.signal.aborted === true;
    if (this._closed) return;
    if (!cancelled) this._respond(id, ok, value);
    if (this._draining && this._inflight.size === 0) this.channel.end();
  }

  /**
   * The peer sent its FIN. With requests in flight it may have half-closed to read their answers
   * (PROTOCOL.md section 8): keep the connection until they are sent. A peer whose process is gone
   * sends the same FIN; the ping written here fails at once on its closed socket (EPIPE), which
   * closes the connection and aborts the handlers' signals, as any lost peer does.
   */
  private _drainAfterPeerEnd(): boolean {
    if (this._closed || this._inflight.size === 0) return false;
    this._draining = true;
    this.channel.send({ t: 'ping' });
    this.channel.flush();
    return true;
  }

  private _respond(id: number, ok: boolean, value: unknown): void {
    try {
      this.channel.send(ok ? { t: 'res', id, r: value } : { t: 'res', id, e: this._serializeError(value) });
    } catch (err) {
      // The result did not fit in a frame: tell the caller why instead of leaving it waiting.
      this._sendQuietly({ t: 'res', id, e: this._serializeError(err) });
    }
  }

  private _serializeError(error: unknown): SerializedError {
    return serializeError(error, { stacks: this._errorStacks });
  }

  private _shutdown(reason: string, error?: Error): void {
    if (this._closed) return;
    this._closed = true;
    clearInterval(this._heartbeat);
    if (this._deadlineTimer) clearTimeout(this._deadlineTimer);
    this._deadlineTimer = undefined;
    for (const id of [...this._pending.keys()]) {
      const entry = this._settle(id)!;
      entry.reject(new ConnectionLostError(`Connection lost before '${entry.method}' was answered: ${reason}`, error ? { cause: error } : undefined));
    }
    for (const controller of this._inflight.values()) controller?.abort(new ConnectionLostError(`Connection lost: ${reason}`));
    this._inflight.clear();
    this._cancelled.clear();
    this._onDidClose.fire(error ? { reason, error } : { reason });
    this.dispose();
  }

  close(): void {
    this.channel.end();
  }
}
