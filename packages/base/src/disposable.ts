import { onUnexpectedError } from './errors.js';

/** Anything that holds a resource and releases it synchronously. */
export interface IDisposable {
  /** Releases the resource at once; calling it again does nothing. */
  dispose(): void;
}

/** Something whose release is asynchronous (sockets, child processes). */
export interface IAsyncDisposable {
  /** Releases the resource, waiting for whatever it still has to finish. */
  close(): Promise<void>;
}

/** Whether `value` has a `dispose()` method. */
export function isDisposable(value: unknown): value is IDisposable {
  return typeof value === 'object' && value !== null && typeof (value as IDisposable).dispose === 'function';
}

/** Wraps a release function; calling dispose() more than once runs it once. */
export function toDisposable(release: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      release();
    },
  };
}

/**
 * Disposes every item, even when some throw; the first error is rethrown after all ran
 * (an AggregateError when several failed).
 */
export function disposeAll(items: Iterable<IDisposable | undefined>): void {
  const errors: unknown[] = [];
  for (const item of items) {
    try {
      item?.dispose();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} errors while disposing`);
}

/** A set of disposables released together, most recently added first. */
export class DisposableStore implements IDisposable {
  private readonly _items = new Set<IDisposable>();
  private _isDisposed = false;

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  get size(): number {
    return this._items.size;
  }

  /** Adds `item`; if the store is already disposed, the item is disposed at once instead of leaking. */
  add<T extends IDisposable>(item: T): T {
    if (this._isDisposed) {
      try {
        item.dispose();
      } catch (err) {
        onUnexpectedError(err);
      }
      return item;
    }
    this._items.add(item);
    return item;
  }

  /** Removes `item` and disposes it. */
  delete(item: IDisposable): void {
    if (this._items.delete(item)) item.dispose();
  }

  /** Removes `item` without disposing it (ownership moves to the caller). */
  release<T extends IDisposable>(item: T): T {
    this._items.delete(item);
    return item;
  }

  /** Disposes everything added so far; the store stays usable. */
  clear(): void {
    const items = [...this._items].reverse();
    this._items.clear();
    disposeAll(items);
  }

  /** Disposes every item added, and any added afterwards at once. */
  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    this.clear();
  }
}

/** Base class for owners of resources: register what you own, and dispose() releases it all. */
export abstract class Disposable implements IDisposable {
  static readonly None: IDisposable = Object.freeze({ dispose() {} });

  protected readonly _store = new DisposableStore();

  protected get _isDisposed(): boolean {
    return this._store.isDisposed;
  }

  /** Disposes `item` with this object, and returns it. */
  protected _register<T extends IDisposable>(item: T): T {
    return this._store.add(item);
  }

  /** Disposes everything registered with this object (once; later calls do nothing). */
  dispose(): void {
    this._store.dispose();
  }
}

/** Holds at most one disposable; setting a new value disposes the old one. */
export class MutableDisposable<T extends IDisposable> implements IDisposable {
  private _value: T | undefined;
  private _isDisposed = false;

  get value(): T | undefined {
    return this._isDisposed ? undefined : this._value;
  }

  set value(value: T | undefined) {
    if (this._isDisposed) {
      value?.dispose();
      return;
    }
    if (value === this._value) return;
    const old = this._value;
    this._value = value;
    old?.dispose();
  }

  /** Disposes the held value and holds none. */
  clear(): void {
    this.value = undefined;
  }

  /** Disposes the held value; later values are disposed as they are set. */
  dispose(): void {
    if (this._isDisposed) return;
    const old = this._value;
    this._isDisposed = true;
    this._value = undefined;
    old?.dispose();
  }
}
