import { toDisposable, type IDisposable } from './disposable.js';
import { onUnexpectedError } from './errors.js';

/** Options of a timer: `unref` to let the process exit while it is pending. */
export interface TimerOptions {
  /** Let the process exit while this timer is pending (default false). */
  unref?: boolean;
}

/**
 * Monotonic time and timers. Durations and deadlines use `now()` (milliseconds from an
 * arbitrary origin, never going back); wall-clock time is only for display.
 * Timer callbacks never throw into the event loop: errors go to the unexpected-error handler.
 */
export interface Clock {
  /** Milliseconds on a monotonic clock (not the wall clock). */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds, unless the result is disposed first. */
  setTimeout(callback: () => void, ms: number, options?: TimerOptions): IDisposable;
  /** Calls `callback` every `ms` milliseconds until the result is disposed. */
  setInterval(callback: () => void, ms: number, options?: TimerOptions): IDisposable;
}

function guarded(callback: () => void): () => void {
  return () => {
    try {
      callback();
    } catch (err) {
      onUnexpectedError(err);
    }
  };
}

/** The real clock: performance.now() and Node timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(callback, ms, options) {
    const handle = setTimeout(guarded(callback), Math.max(0, ms));
    // Browsers (the portable entry) hand back a number, which has nothing to unref.
    if (options?.unref) (handle as { unref?: () => void }).unref?.();
    return toDisposable(() => clearTimeout(handle));
  },
  setInterval(callback, ms, options) {
    const handle = setInterval(guarded(callback), Math.max(1, ms));
    if (options?.unref) (handle as { unref?: () => void }).unref?.();
    return toDisposable(() => clearInterval(handle));
  },
};

interface FakeTimer {
  readonly id: number;
  due: number;
  readonly interval: number | undefined;
  readonly callback: () => void;
}

/**
 * A clock for tests: time moves only when the test calls `advance()`, and due timers fire in
 * order of their due time (ties in order of creation), each seeing `now()` equal to its due time.
 */
export class FakeClock implements Clock {
  private _now: number;
  private _nextId = 1;
  private readonly _timers = new Map<number, FakeTimer>();

  constructor(start = 0) {
    this._now = start;
  }

  /** The fake time: moves only with `advance` and `tick`. */
  now(): number {
    return this._now;
  }

  /** Timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this._timers.size;
  }

  /** Calls `callback` once `ms` of fake time from now, unless the result is disposed first. */
  setTimeout(callback: () => void, ms: number): IDisposable {
    return this._add(callback, Math.max(0, ms), undefined);
  }

  /** Calls `callback` every `ms` of fake time until the result is disposed. */
  setInterval(callback: () => void, ms: number): IDisposable {
    return this._add(callback, Math.max(1, ms), Math.max(1, ms));
  }

  private _add(callback: () => void, ms: number, interval: number | undefined): IDisposable {
    const timer: FakeTimer = { id: this._nextId++, due: this._now + ms, interval, callback: guarded(callback) };
    this._timers.set(timer.id, timer);
    return toDisposable(() => this._timers.delete(timer.id));
  }

  private _nextDue(limit: number): FakeTimer | undefined {
    let next: FakeTimer | undefined;
    for (const timer of this._timers.values()) {
      if (timer.due > limit) continue;
      if (!next || timer.due < next.due || (timer.due === next.due && timer.id < next.id)) next = timer;
    }
    return next;
  }

  /** Moves time forward by `ms`, firing timers that fall due, synchronously. */
  advance(ms: number): void {
    const target = this._now + ms;
    for (let timer = this._nextDue(target); timer; timer = this._nextDue(target)) {
      this._fire(timer);
    }
    this._now = target;
  }

  /**
   * Like advance(), but lets promise callbacks run after each timer, so code that awaits between
   * timers (a retry loop, a batch export) makes progress as it would in real time.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this._now + ms;
    await flushMicrotasks();
    for (let timer = this._nextDue(target); timer; timer = this._nextDue(target)) {
      this._fire(timer);
      await flushMicrotasks();
    }
    this._now = target;
    await flushMicrotasks();
  }

  private _fire(timer: FakeTimer): void {
    this._now = Math.max(this._now, timer.due);
    if (timer.interval === undefined) this._timers.delete(timer.id);
    else timer.due += timer.interval;
    timer.callback();
  }
}

async function flushMicrotasks(): Promise<void> {
  // A macrotask turn lets every queued promise reaction run, however long its chain.
  await new Promise<void>((resolve) => setImmediate(resolve));
}
