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
import { ConnectionLostError, ProtocolError, RequestTimeoutError } from './errors.js';
import { parseEnvelope, type Envelope } from './protocol.js';

export interface HeartbeatOptions {
  /** Send a ping when nothing was sent for this long (default 1000 ms). */
  intervalMs?: number;
  /** Close the connection when nothing was received for this long (default 5000 ms). */
  timeoutMs?: number;
}

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

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout | undefined;
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
  private readonly _heartbeat: NodeJS.Timeout;

  constructor(
    readonly channel: FramedChannel,
    private readonly _handlers: RpcHandlers,
    private readonly _logger: Logger,
    heartbeat: HeartbeatOptions = {},
  ) {
    super();
    this._register(channel.onMessage((value) => this._receive(value)));
    this._register(channel.onClose(({ reason, error }) => this._shutdown(reason, error)));
    const intervalMs = heartbeat.intervalMs ?? 1000;
    const timeoutMs = heartbeat.timeoutMs ?? 5000;
    this._heartbeat = setInterval(() => {
      const now = performance.now();
      if (now - channel.lastReceivedAt > timeoutMs) {
        this._logger.warn({ silentMs: Math.round(now - channel.lastReceivedAt), timeoutMs }, 'peer stopped answering heartbeats; closing');
        channel.destroy(new ConnectionLostError(`Peer sent nothing for ${Math.round(now - channel.lastReceivedAt)} ms (heartbeat timeout ${timeoutMs} ms)`));
      } else if (now - channel.lastSentAt >= intervalMs) {
        channel.send({ t: 'ping' });
      }
    }, Math.max(10, Math.min(intervalMs, timeoutMs / 2)));
    this._heartbeat.unref();
    this._register({ dispose: () => clearInterval(this._heartbeat) });
  }

  get isClosed(): boolean {
    return this._closed;
  }

  request(method: string, params: unknown, options: RequestOptions & { defaultTimeoutMs: number }): Promise<unknown> {
    throwIfAborted(options.signal);
    if (this._closed) return Promise.reject(new ConnectionLostError(`Cannot send request '${method}': the connection is closed`));
    const id = this._nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const entry: Pending = { resolve, reject, timer: undefined, abort: undefined, method };
      try {
        this.channel.send({ t: 'req', id, m: method, p: params });
      } catch (err) {
        reject(err);
        return;
      }
      this._pending.set(id, entry);
      const timeoutMs = options.timeoutMs ?? options.defaultTimeoutMs;
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        entry.timer = setTimeout(() => {
          this._settle(id)?.reject(new RequestTimeoutError(`Request '${method}' got no response within ${timeoutMs} ms`, { data: { method, timeoutMs } }));
          this._sendQuietly({ t: 'cancel', id });
        }, timeoutMs);
      }
      if (options.signal) {
        entry.abort = onAbort(options.signal, (reason) => {
          this._settle(id)?.reject(reason);
          this._sendQuietly({ t: 'cancel', id });
        });
      }
    });
  }

  /** Removes a pending request and its timer and listener; returns it if it was still pending. */
  private _settle(id: number): Pending | undefined {
    const entry = this._pending.get(id);
    if (!entry) return undefined;
    this._pending.delete(id);
    if (entry.timer) clearTimeout(entry.timer);
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
      this.channel.destroy(new ProtocolError(`Invalid message: ${envelope}`));
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
      default:
        this.channel.destroy(new ProtocolError(`Unexpected '${envelope.t}' after the handshake`));
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
    this._inflight.set(id, null);
    const handler = this._handlers.request;
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
    void (async () => {
      let response: Envelope;
      try {
        if (!handler) throw new ProtocolError('this side does not serve requests');
        response = { t: 'res', id, r: await handler(method, params, signal) };
      } catch (err) {
        response = { t: 'res', id, e: serializeError(err) as SerializedError };
      }
      const controller = this._inflight.get(id);
      this._inflight.delete(id);
      const cancelled = this._cancelled.delete(id) || controller?.signal.aborted === true;
      if (this._closed || cancelled) return;
      try {
        this.channel.send(response);
      } catch (err) {
        // The result did not fit in a frame: tell the caller why instead of leaving it waiting.
        this._sendQuietly({ t: 'res', id, e: serializeError(err) });
      }
    })();
  }

  private _shutdown(reason: string, error?: Error): void {
    if (this._closed) return;
    this._closed = true;
    clearInterval(this._heartbeat);
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
