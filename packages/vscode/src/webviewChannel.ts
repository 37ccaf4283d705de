import { Disposable, Emitter, noopLogger, type Event, type IDisposable, type Logger } from '@baton/base/portable';

/** The part of a VS Code Webview the channel uses. */
export interface WebviewLike {
  /** Posts a message to the view; resolves false when it was not delivered (the view is gone or reloading). */
  postMessage(message: unknown): PromiseLike<boolean>;
  /** Calls `listener` with each message the view posts. */
  onDidReceiveMessage(listener: (message: unknown) => void): IDisposable;
}

/** Options of a `WebviewChannel`. */
export interface WebviewChannelOptions<FromView> {
  /** Checks a message from the view; undefined refuses it (logged, dropped). */
  parse(message: unknown): FromView | undefined;
  /** Sent first whenever the view (re)loads, before anything queued: the whole state, so a reloaded view misses nothing. */
  snapshot?: () => unknown;
  /** Most messages kept while the view is not ready (default 1000; the oldest go first). */
  maxQueued?: number;
  logger?: Logger;
}

/**
 * Typed messages between the extension and one webview. The view posts `{ type: 'ready' }` when
 * its script has loaded (and again after each reload); until then, and whenever a post is not
 * delivered, messages wait in order. On each 'ready' the view gets the snapshot, then what waited.
 */
export class WebviewChannel<ToView, FromView> extends Disposable {
  private readonly _onDidReceive = this._register(new Emitter<FromView>());
  readonly onDidReceive: Event<FromView> = this._onDidReceive.event;
  /** What waits for the view, in the order it was posted (`seq`). */
  private readonly _queue: { readonly seq: number; readonly message: ToView }[] = [];
  private _nextSeq = 0;
  private _ready = false;
  private _dropped = 0;
  private readonly _logger: Logger;

  constructor(
    private readonly _webview: WebviewLike,
    private readonly _options: WebviewChannelOptions<FromView>,
  ) {
    super();
    this._logger = _options.logger ?? noopLogger;
    this._register(
      _webview.onDidReceiveMessage((message) => {
        if (isReady(message)) {
          this._ready = true;
          if (_options.snapshot) void this._send(_options.snapshot());
          this._flush();
          return;
        }
        const parsed = _options.parse(message);
        if (parsed === undefined) {
          this._logger.warn({ message: JSON.stringify(message)?.slice(0, 200) }, 'refused a malformed message from the webview');
          return;
        }
        this._onDidReceive.fire(parsed);
      }),
    );
  }

  get ready(): boolean {
    return this._ready;
  }

  /** Messages waiting for the view. */
  get queued(): number {
    return this._queue.length;
  }

  /** Sends `message` to the view: now if it is ready, else once it says it is, in order after the snapshot. */
  post(message: ToView): void {
    if (this._isDisposed) return;
    this._queue.push({ seq: this._nextSeq++, message });
    const max = this._options.maxQueued ?? 1000;
    if (this._queue.length > max) {
      this._queue.splice(0, this._queue.length - max);
      this._dropped++;
    }
    if (this._ready) this._flush();
  }

  private _flush(): void {
    if (this._dropped > 0) {
      this._logger.warn({ dropped: this._dropped }, 'the webview was not ready for a long time; the oldest queued messages were dropped (the snapshot carries the state)');
      this._dropped = 0;
    }
    while (this._ready && this._queue.length > 0) {
      const item = this._queue.shift()!;
      void this._send(item.message, item);
    }
  }

  /** Posts `message`; one not delivered (`item`: a queued one) waits for the next 'ready', in its place by order. */
  private async _send(message: unknown, item?: { readonly seq: number; readonly message: ToView }): Promise<void> {
    let delivered: boolean;
    try {
      delivered = await this._webview.postMessage(message);
    } catch {
      delivered = false;
    }
    if (delivered || this._isDisposed) return;
    // Not delivered: the view is gone or reloading. Wait for its next 'ready'. Several posts in flight fail one after
    // another: each goes back where it was by order (put back at the front, 1, 2, 3 came back as 3, 2, 1).
    this._ready = false;
    if (!item) return;
    const after = this._queue.findIndex((queued) => queued.seq > item.seq);
    if (after === -1) this._queue.push(item);
    else this._queue.splice(after, 0, item);
  }
}

function isReady(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready';
}
