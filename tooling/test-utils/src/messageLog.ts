/**
 * Messages in the order they arrived, and a way to wait for the next one that matches. "Next" means after the
 * last one an earlier `next()` returned, so a test reads a conversation in order without counting indexes.
 */
export class MessageLog<T> {
  readonly all: T[] = [];
  private readonly _waiters: Array<{ match: (m: T) => boolean; resolve: (m: T) => void }> = [];
  private _taken = 0;

  push(message: T): void {
    this.all.push(message);
    const index = this._waiters.findIndex((w) => w.match(message));
    if (index < 0) return;
    const [waiter] = this._waiters.splice(index, 1);
    this._taken = this.all.length;
    waiter!.resolve(message);
  }

  /** The next message that matches; rejects after `timeoutMs`, showing the last few that did arrive. */
  next(match: (m: T) => boolean, timeoutMs = 5000, what = 'matching message'): Promise<T> {
    for (let i = this._taken; i < this.all.length; i++) {
      if (match(this.all[i]!)) {
        this._taken = i + 1;
        return Promise.resolve(this.all[i]!);
      }
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: T) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this._waiters.splice(this._waiters.indexOf(waiter), 1);
        reject(new Error(`no ${what} within ${timeoutMs} ms; the last ones were ${JSON.stringify(this.all.slice(-3))}`));
      }, timeoutMs);
      this._waiters.push(waiter);
    });
  }
}

/** A matcher by `type`, or the function itself. */
export function byType<T extends { type: string }>(match: string | ((m: T) => boolean)): (m: T) => boolean {
  return typeof match === 'string' ? (m) => m.type === match : match;
}
