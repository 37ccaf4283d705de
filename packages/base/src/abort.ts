import { toDisposable, type IDisposable } from './disposable.js';
import { AbortError, isErrorLike } from './errors.js';
import { systemClock, type Clock } from './clock.js';

function abortReason(signal: AbortSignal): Error {
  return isErrorLike(signal.reason) ? signal.reason : new AbortError(undefined, { cause: signal.reason });
}

/** Throws the signal's reason (an AbortError when the reason is not an Error) if it is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/**
 * Calls `listener` once when `signal` aborts (at once if it already has). Dispose the result
 * to remove the listener when the operation ends first.
 */
export function onAbort(signal: AbortSignal | undefined, listener: (reason: Error) => void): IDisposable {
  if (!signal) return toDisposable(() => {});
  if (signal.aborted) {
    listener(abortReason(signal));
    return toDisposable(() => {});
  }
  const handler = () => listener(abortReason(signal));
  signal.addEventListener('abort', handler, { once: true });
  return toDisposable(() => signal.removeEventListener('abort', handler));
}

/** Resolves after `ms`; rejects with the abort reason if `signal` aborts first. Leaves no timer or listener. */
export function abortableDelay(ms: number, options: { signal?: AbortSignal; clock?: Clock } = {}): Promise<void> {
  const { signal, clock = systemClock } = options;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    const abortListener = onAbort(signal, (reason) => {
      timer.dispose();
      reject(reason);
    });
    const timer = clock.setTimeout(() => {
      abortListener.dispose();
      resolve();
    }, ms);
  });
}

/**
 * An AbortController that also aborts when any of `parents` does. Dispose it when the
 * operation ends, which removes its listeners from the parents (AbortSignal.any keeps them
 * until garbage collection, which long-lived parents make costly).
 */
export class LinkedAbortController implements IDisposable {
  private readonly _controller = new AbortController();
  private readonly _links: IDisposable[] = [];

  constructor(parents: readonly (AbortSignal | undefined)[]) {
    for (const parent of parents) {
      if (!parent) continue;
      this._links.push(onAbort(parent, (reason) => this.abort(reason)));
      if (this._controller.signal.aborted) break;
    }
  }

  get signal(): AbortSignal {
    return this._controller.signal;
  }

  /** Aborts the linked signal now, with `reason`. */
  abort(reason?: unknown): void {
    if (!this._controller.signal.aborted) this._controller.abort(reason ?? new AbortError());
    this.dispose();
  }

  /** Stops listening to the parent signals (the linked signal stays as it is). */
  dispose(): void {
    for (const link of this._links.splice(0)) link.dispose();
  }
}
