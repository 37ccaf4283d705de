import { LinkedAbortController, TimeoutError, eventToPromise, type Event } from '@baton/base';

/** The next event for which `done()` holds; rejects with `onTimeout()` (or a TimeoutError) after `timeoutMs`, or with the signal's reason. */
export async function waitForEvent<T>(event: Event<T>, done: () => boolean, timeoutMs: number, signal?: AbortSignal, onTimeout?: () => Error): Promise<void> {
  const link = new LinkedAbortController([signal]);
  const timer = setTimeout(() => link.abort(onTimeout?.() ?? new TimeoutError(`no change within ${timeoutMs} ms`)), Math.max(0, timeoutMs));
  try {
    await eventToPromise(event, { signal: link.signal, filter: done });
  } finally {
    clearTimeout(timer);
    link.dispose();
  }
}
