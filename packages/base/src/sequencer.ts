/**
 * Runs asynchronous operations one at a time, in the order they were queued. A failed operation
 * rejects its own promise and does not stop the ones after it. Used wherever start, stop,
 * restart and reload of one thing must never overlap.
 */
export class Sequencer {
  private _tail: Promise<unknown> = Promise.resolve();

  /** Queues `operation` after every operation queued before it; settles as it does. */
  queue<T>(operation: () => Promise<T>): Promise<T> {
    const result = this._tail.then(operation);
    this._tail = result.catch(() => {});
    return result;
  }

  /** Resolves once every operation queued so far has settled (never rejects). */
  whenIdle(): Promise<void> {
    return this._tail.then(() => {});
  }
}
