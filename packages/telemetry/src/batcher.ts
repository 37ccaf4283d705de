import {
  InvalidArgumentError,
  LinkedAbortController,
  TimeoutError,
  abortableDelay,
  createBackoff,
  errorCode,
  isAbortError,
  noopLogger,
  systemClock,
  type BackoffOptions,
  type Clock,
  type IDisposable,
  type Logger,
} from '@baton/base';

/** What an exporter is given with a batch: a signal aborted on timeout or at the end of shutdown. */
export interface ExportContext {
  /** Aborted when the export takes longer than exportTimeoutMs, or at the end of shutdown. */
  readonly signal: AbortSignal;
}

/** Where batches go. `export` may throw; an error with `retryable: false` is not retried. */
export interface Exporter<E> {
  /** Exports one batch; a rejection is retried if the error is retryable. */
  export(batch: readonly E[], context: ExportContext): Promise<void>;
  /** Called once by the batcher's shutdown, after the last export. */
  shutdown?(): Promise<void>;
}

/** What a full queue does with a new event. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

/** Options of `createBatcher`. */
export interface BatcherOptions<E> {
  exporter: Exporter<E>;
  /** Export when this many events are queued (default 512). */
  maxBatchSize?: number;
  /** ...or this long after the first event of a batch, whichever comes first (default 1000 ms). */
  maxDelayMs?: number;
  /** Bound on queued events; memory stays bounded by it (default 2048). */
  maxQueueSize?: number;
  /** An export taking longer is aborted and counts as failed (default 30000 ms). */
  exportTimeoutMs?: number;
  /** At the bound: drop the oldest queued event (default) or the new one. */
  overflow?: OverflowPolicy;
  /** Retries of a failed export (default 3 attempts in all, backoff 100 ms to 5 s with jitter). */
  retry?: { attempts?: number; backoff?: BackoffOptions };
  /** Exports in flight at once (default 1, which keeps batches in order). */
  maxConcurrentExports?: number;
  logger?: Logger;
  clock?: Clock;
  /** At most one overflow warning per this many ms (default 10000). */
  warnIntervalMs?: number;
}

/** A batcher's counts: queued, exported, dropped by cause, batches, and the last error. */
export interface BatcherStats {
  /** Events waiting. */
  queued: number;
  /** Events exported successfully. */
  exported: number;
  dropped: { overflow: number; exportFailed: number; shutdown: number };
  /** Batches exported successfully. */
  batches: number;
  lastError: { message: string; code?: string; at: string } | undefined;
  /** Duration of the last successful export. */
  lastExportMs: number | undefined;
}

/** What `shutdown()` did: events exported, and the final stats. */
export interface ShutdownReport {
  exported: number;
  /** Events still queued or in flight when the timeout ended the shutdown (counted as dropped.shutdown). */
  notExported: number;
  stats: BatcherStats;
}

/**
 * Collects events and hands them to an exporter in batches. `add()` is O(1), never blocks, never
 * throws and never awaits: events go into a fixed-size ring, so memory is bounded by
 * maxQueueSize whatever the exporter does. Overflow drops by policy and is counted, with at most
 * one warning per interval.
 */
export class Batcher<E> implements IDisposable {
  private readonly _ring: (E | undefined)[];
  /** Monotonic arrival time of each slot, so maxDelayMs counts from a batch's first event. */
  private readonly _arrivals: Float64Array;
  private _head = 0;
  private _size = 0;
  private readonly _capacity: number;
  private readonly _maxBatch: number;
  private readonly _maxDelayMs: number;
  private readonly _exportTimeoutMs: number;
  private readonly _overflow: OverflowPolicy;
  private readonly _attempts: number;
  private readonly _backoff: BackoffOptions;
  private readonly _maxInFlight: number;
  private readonly _clock: Clock;
  private readonly _logger: Logger;
  private readonly _warnIntervalMs: number;
  private _inFlight = 0;
  private readonly _inFlightDone = new Set<Promise<void>>();
  private _timer: IDisposable | undefined;
  private _pumpScheduled = false;
  private _flushUntil = 0;
  private _closed = false;
  private _lastWarning = -Infinity;
  private readonly _shutdownController = new AbortController();
  private readonly _stats: Omit<BatcherStats, 'queued'> = {
    exported: 0,
    dropped: { overflow: 0, exportFailed: 0, shutdown: 0 },
    batches: 0,
    lastError: undefined,
    lastExportMs: undefined,
  };
  private _added = 0;
  private _taken = 0;

  constructor(private readonly _options: BatcherOptions<E>) {
    this._capacity = _options.maxQueueSize ?? 2048;
    this._maxBatch = _options.maxBatchSize ?? 512;
    this._maxDelayMs = _options.maxDelayMs ?? 1000;
    this._exportTimeoutMs = _options.exportTimeoutMs ?? 30_000;
    this._overflow = _options.overflow ?? 'drop-oldest';
    this._attempts = _options.retry?.attempts ?? 3;
    this._backoff = _options.retry?.backoff ?? { initialMs: 100, maxMs: 5000 };
    this._maxInFlight = _options.maxConcurrentExports ?? 1;
    this._clock = _options.clock ?? systemClock;
    this._logger = (_options.logger ?? noopLogger).child({ pkg: 'telemetry', component: 'batcher' });
    this._warnIntervalMs = _options.warnIntervalMs ?? 10_000;
    const check = (name: string, value: number, min: number) => {
      if (!Number.isInteger(value) || value < min) throw new InvalidArgumentError(`createBatcher: ${name} must be an integer >= ${min}, got ${value}`);
    };
    check('maxQueueSize', this._capacity, 1);
    check('maxBatchSize', this._maxBatch, 1);
    check('maxConcurrentExports', this._maxInFlight, 1);
    check('retry.attempts', this._attempts, 1);
    if (!(this._maxDelayMs >= 0)) throw new InvalidArgumentError(`createBatcher: maxDelayMs must be >= 0, got ${this._maxDelayMs}`);
    this._ring = new Array<E | undefined>(this._capacity);
    this._arrivals = new Float64Array(this._capacity);
  }

  /** Events waiting (cheaper than stats.queued, for producers that pace themselves). */
  get queued(): number {
    return this._size;
  }

  get stats(): BatcherStats {
    return { queued: this._size, ...this._stats, dropped: { ...this._stats.dropped } };
  }

  /** Queues an event. Returns false when it was dropped (queue full with drop-newest, or after shutdown). */
  add(event: E): boolean {
    if (this._closed) {
      this._stats.dropped.shutdown++;
      return false;
    }
    if (this._size === this._capacity) {
      this._stats.dropped.overflow++;
      this._warnOverflow();
      if (this._overflow === 'drop-newest') return false;
      // drop-oldest: the new event takes the oldest one's place.
      this._ring[this._head] = undefined;
      this._head = (this._head + 1) % this._capacity;
      this._size--;
    }
    const slot = (this._head + this._size) % this._capacity;
    this._ring[slot] = event;
    this._arrivals[slot] = this._clock.now();
    this._size++;
    this._added++;
    if (this._size >= this._maxBatch) this._schedulePump();
    else if (this._size === 1 && !this._timer) this._armTimer(this._maxDelayMs);
    return true;
  }

  private _warnOverflow(): void {
    const now = this._clock.now();
    if (now - this._lastWarning < this._warnIntervalMs) return;
    this._lastWarning = now;
    this._logger.warn(
      { dropped: this._stats.dropped.overflow, maxQueueSize: this._capacity, policy: this._overflow },
      'telemetry queue full: dropping events (the exporter is slower than the events arrive)',
    );
  }

  private _armTimer(delayMs: number): void {
    this._timer?.dispose();
    this._timer = this._clock.setTimeout(() => {
      this._timer = undefined;
      this._pump(true);
    }, Math.max(0, delayMs));
  }

  private _schedulePump(): void {
    if (this._pumpScheduled) return;
    this._pumpScheduled = true;
    // Never export from inside add(): the caller's stack does no I/O.
    queueMicrotask(() => {
      this._pumpScheduled = false;
      this._pump(false);
    });
  }

  /** Starts exports while there is room in flight and a batch is due. */
  private _pump(timerFired: boolean): void {
    // After a shutdown timed out, nothing new starts: what is left is reported as not exported.
    if (this._shutdownController.signal.aborted) return;
    while (this._inFlight < this._maxInFlight && this._size > 0) {
      const due =
        this._size >= this._maxBatch ||
        this._taken < this._flushUntil ||
        timerFired ||
        this._clock.now() - this._arrivals[this._head]! >= this._maxDelayMs;
      if (!due) break;
      timerFired = false;
      this._startExport(this._take());
    }
    if (this._size > 0 && !this._timer && this._inFlight < this._maxInFlight) {
      this._armTimer(this._arrivals[this._head]! + this._maxDelayMs - this._clock.now());
    }
  }

  private _take(): E[] {
    const count = Math.min(this._size, this._maxBatch);
    const batch = new Array<E>(count);
    for (let i = 0; i < count; i++) {
      batch[i] = this._ring[this._head] as E;
      this._ring[this._head] = undefined;
      this._head = (this._head + 1) % this._capacity;
    }
    this._size -= count;
    this._taken += count;
    return batch;
  }

  private _startExport(batch: E[]): void {
    this._inFlight++;
    const done = this._exportWithRetry(batch).finally(() => {
      this._inFlight--;
      this._inFlightDone.delete(done);
      if (this._size > 0) this._pump(false);
    });
    this._inFlightDone.add(done);
  }

  private async _exportWithRetry(batch: E[]): Promise<void> {
    const backoff = createBackoff(this._backoff);
    for (let attempt = 1; ; attempt++) {
      const started = this._clock.now();
      const linked = new LinkedAbortController([this._shutdownController.signal]);
      const timer = this._clock.setTimeout(
        () => linked.abort(new TimeoutError(`export of ${batch.length} events took longer than ${this._exportTimeoutMs} ms (exportTimeoutMs)`)),
        this._exportTimeoutMs,
      );
      try {
        await Promise.race([this._options.exporter.export(batch, { signal: linked.signal }), rejectOnAbort(linked.signal)]);
        this._stats.exported += batch.length;
        this._stats.batches++;
        this._stats.lastExportMs = this._clock.now() - started;
        return;
      } catch (err) {
        const error = linked.signal.aborted && isAbortError(err) ? (linked.signal.reason as Error) : (err as Error);
        this._stats.lastError = { message: error?.message ?? String(error), code: errorCode(error), at: new Date().toISOString() };
        const retryable = (error as { retryable?: boolean })?.retryable !== false && !this._shutdownController.signal.aborted;
        if (!retryable || attempt >= this._attempts) {
          this._stats.dropped.exportFailed += batch.length;
          this._logger.warn({ err: error, events: batch.length, attempts: attempt }, 'export failed; events dropped');
          return;
        }
        this._logger.debug({ err: error, attempt }, 'export failed; retrying');
      } finally {
        timer.dispose();
        linked.dispose();
      }
      await abortableDelay(backoff.next(), { clock: this._clock, signal: this._shutdownController.signal }).catch(() => {});
    }
  }

  /** Exports everything queued now and resolves when those exports have finished (or failed). */
  async flush(): Promise<void> {
    this._flushUntil = this._added;
    while (this._taken < this._flushUntil || this._inFlightDone.size > 0) {
      this._pump(false);
      if (this._inFlightDone.size === 0) break;
      await Promise.race(this._inFlightDone);
    }
  }

  /**
   * Stops accepting events, exports what is queued within `timeoutMs` (default 30000), then aborts
   * what is still in flight and reports what could not be exported.
   */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<ShutdownReport> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const before = this._stats.exported;
    this._closed = true;
    const timedOut = new Promise<'timeout'>((resolve) => {
      const timer = this._clock.setTimeout(() => resolve('timeout'), timeoutMs);
      this._shutdownController.signal.addEventListener('abort', () => timer.dispose(), { once: true });
    });
    const outcome = await Promise.race([this.flush().then(() => 'done' as const), timedOut]);
    let notExported = 0;
    if (outcome === 'timeout') {
      // Abort what is in flight (it counts as failed), and give up on what is still queued.
      const failedBefore = this._stats.dropped.exportFailed;
      this._shutdownController.abort(new TimeoutError(`shutdown timed out after ${timeoutMs} ms`));
      await Promise.allSettled([...this._inFlightDone]);
      const queued = this._size;
      this._take();
      this._stats.dropped.shutdown += queued;
      notExported = queued + (this._stats.dropped.exportFailed - failedBefore);
    } else this._shutdownController.abort();
    this._timer?.dispose();
    this._timer = undefined;
    await this._options.exporter.shutdown?.().catch((err: unknown) => this._logger.warn({ err }, 'exporter shutdown failed'));
    const stats = this.stats;
    if (notExported > 0 || stats.dropped.exportFailed > 0) {
      this._logger.warn({ notExported, dropped: stats.dropped }, 'telemetry shut down with events not exported');
    }
    return { exported: stats.exported - before, notExported, stats };
  }

  /** Stops at once: no more flushes, and a running export is aborted (use `shutdown()` to export what is queued). */
  dispose(): void {
    this._closed = true;
    this._timer?.dispose();
    this._timer = undefined;
    this._shutdownController.abort();
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Creates a batcher. */
export function createBatcher<E>(options: BatcherOptions<E>): Batcher<E> {
  return new Batcher(options);
}
