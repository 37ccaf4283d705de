import { DisposableStore, toDisposable, type IDisposable } from './disposable.js';
import { onUnexpectedError } from './errors.js';

/** Subscribe to an event; dispose the result to unsubscribe. */
export type Event<T> = (
  listener: (event: T) => unknown,
  thisArgs?: unknown,
  disposables?: DisposableStore | IDisposable[],
) => IDisposable;

/** Options of an Emitter: hooks for its first listener and its last. */
export interface EmitterOptions {
  /** Receives errors thrown by listeners (default: the process-wide unexpected-error handler). */
  onListenerError?: (error: unknown) => void;
  /** Called when the first listener is added. */
  onDidAddFirstListener?: () => void;
  /** Called when the last listener is removed. */
  onDidRemoveLastListener?: () => void;
}

interface ListenerEntry<T> {
  readonly fn: (event: T) => unknown;
  readonly thisArgs: unknown;
}

/**
 * A typed event source. A listener that throws (or returns a rejected promise) is reported to
 * `onListenerError` and the others still receive the event.
 */
export class Emitter<T> implements IDisposable {
  private readonly _listeners = new Set<ListenerEntry<T>>();
  /** The listeners as of the last change; `fire` iterates it, so firing allocates nothing. */
  private _snapshot: ListenerEntry<T>[] | undefined;
  private _isDisposed = false;
  private _event: Event<T> | undefined;

  constructor(private readonly _options: EmitterOptions = {}) {}

  get event(): Event<T> {
    this._event ??= (fn, thisArgs, disposables) => {
      if (this._isDisposed) return toDisposable(() => {});
      const entry: ListenerEntry<T> = { fn, thisArgs };
      this._listeners.add(entry);
      this._snapshot = undefined;
      if (this._listeners.size === 1) this._options.onDidAddFirstListener?.();
      const subscription = toDisposable(() => {
        if (!this._listeners.delete(entry)) return;
        this._snapshot = undefined;
        if (this._listeners.size === 0) this._options.onDidRemoveLastListener?.();
      });
      if (disposables instanceof DisposableStore) disposables.add(subscription);
      else disposables?.push(subscription);
      return subscription;
    };
    return this._event;
  }

  get hasListeners(): boolean {
    return this._listeners.size > 0;
  }

  get listenerCount(): number {
    return this._listeners.size;
  }

  /** Calls every listener with `event`, in the order they were added; a listener that throws is reported, not rethrown. */
  fire(event: T): void {
    if (this._isDisposed || this._listeners.size === 0) return;
    // A snapshot, so listeners added during delivery wait for the next event; ones removed
    // during delivery are skipped. It is rebuilt only after a change, not per event (events
    // such as received messages fire far more often than listeners change).
    const snapshot = (this._snapshot ??= [...this._listeners]);
    for (const entry of snapshot) {
      if (!this._listeners.has(entry)) continue;
      try {
        const result = entry.fn.call(entry.thisArgs, event);
        if (result instanceof Promise) result.catch((err: unknown) => this._report(err));
      } catch (err) {
        this._report(err);
      }
    }
  }

  private _report(error: unknown): void {
    const handler = this._options.onListenerError ?? onUnexpectedError;
    try {
      handler(error);
    } catch (err) {
      onUnexpectedError(err);
    }
  }

  /** Removes every listener; the emitter fires no more. */
  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    const hadListeners = this._listeners.size > 0;
    this._listeners.clear();
    this._snapshot = undefined;
    if (hadListeners) this._options.onDidRemoveLastListener?.();
  }
}

const noneEvent: Event<never> = () => toDisposable(() => {});

/** An event that never fires. */
export function noneEventOf<T>(): Event<T> {
  return noneEvent as Event<T>;
}

/** Listens to the next occurrence only. */
export function onceEvent<T>(event: Event<T>): Event<T> {
  return (listener, thisArgs, disposables) => {
    let fired = false;
    // The source may fire synchronously during subscription; hold the result in a cell.
    const cell: { sub?: IDisposable } = {};
    cell.sub = event(
      (value) => {
        if (fired) return;
        fired = true;
        cell.sub?.dispose();
        return listener.call(thisArgs, value);
      },
      undefined,
      disposables,
    );
    if (fired) cell.sub.dispose();
    return cell.sub;
  };
}

/**
 * Resolves with the next event that passes `filter`. Rejects with the signal's reason when
 * aborted; the listener is removed either way.
 */
export function eventToPromise<T>(
  event: Event<T>,
  options: { signal?: AbortSignal; filter?: (value: T) => boolean } = {},
): Promise<T> {
  const { signal, filter } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const store = new DisposableStore();
    event(
      (value) => {
        if (filter && !filter(value)) return;
        store.dispose();
        resolve(value);
      },
      undefined,
      store,
    );
    if (signal) {
      const onAbort = () => {
        store.dispose();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      store.add(toDisposable(() => signal.removeEventListener('abort', onAbort)));
    }
  });
}
