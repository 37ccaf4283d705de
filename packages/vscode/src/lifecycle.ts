import { BatonError, Disposable, Emitter, defineErrorClass, noopLogger, type Event, type Logger } from '@baton/base/portable';

/** The states of an extension's lifecycle (see `Lifecycle`). */
export type LifecycleState = 'INITIALIZING' | 'READY' | 'BUSY' | 'RELOADING' | 'SHUTTING_DOWN' | 'STOPPED';

/** An operation was refused because the extension is shutting down (or has stopped). */
export class ShuttingDownError extends defineErrorClass('ESHUTTINGDOWN') {}

const allowed: Record<LifecycleState, readonly LifecycleState[]> = {
  INITIALIZING: ['READY', 'SHUTTING_DOWN'],
  READY: ['BUSY', 'RELOADING', 'SHUTTING_DOWN'],
  BUSY: ['READY', 'RELOADING', 'SHUTTING_DOWN'],
  RELOADING: ['READY', 'BUSY', 'SHUTTING_DOWN'],
  SHUTTING_DOWN: ['STOPPED'],
  STOPPED: [],
};

/**
 * The extension's lifecycle, so that reloads, webviews and file watchers cannot race each other
 * or the shutdown: INITIALIZING -> READY <-> BUSY (operations running) / RELOADING (config being
 * applied) -> SHUTTING_DOWN -> STOPPED. Every asynchronous operation runs through `track`; once
 * shutdown began, new ones are refused and `shutdown` waits (bounded) for those running.
 * Transitions are logged.
 */
export class Lifecycle extends Disposable {
  private readonly _onDidChangeState = this._register(new Emitter<{ state: LifecycleState; previous: LifecycleState }>());
  readonly onDidChangeState: Event<{ state: LifecycleState; previous: LifecycleState }> = this._onDidChangeState.event;
  private _state: LifecycleState = 'INITIALIZING';
  private readonly _running = new Map<Promise<unknown>, string>();
  private _reloads = 0;
  private readonly _shutdown = new AbortController();

  constructor(private readonly _logger: Logger = noopLogger) {
    super();
  }

  get state(): LifecycleState {
    return this._state;
  }

  /** Aborted when shutdown begins: pass it to long operations. */
  get signal(): AbortSignal {
    return this._shutdown.signal;
  }

  /** Names of the operations running now (for the status view). */
  get running(): readonly string[] {
    return [...this._running.values()];
  }

  /** Initialization is done: operations may run. */
  ready(): void {
    this._transition('READY');
  }

  /** Runs `operation` as a tracked operation (BUSY while any runs); refused with ESHUTTINGDOWN once shutdown began. */
  track<T>(name: string, operation: (signal: AbortSignal) => Promise<T> | T): Promise<T> {
    if (this._state === 'SHUTTING_DOWN' || this._state === 'STOPPED') {
      return Promise.reject(new ShuttingDownError(`'${name}' was not started: the extension is shutting down`));
    }
    const promise = (async () => operation(this._shutdown.signal))();
    this._running.set(promise, name);
    if (this._state === 'READY') this._transition('BUSY');
    const settle = () => {
      this._running.delete(promise);
      if (this._state === 'BUSY' && this._running.size === 0) this._transition('READY');
    };
    promise.then(settle, settle);
    return promise;
  }

  /**
   * Runs a reload (RELOADING from the first to the last of a burst, then back); reloads that
   * overlap run one after the other, in order, so the last configuration is the one applied.
   */
  reload<T>(name: string, apply: (signal: AbortSignal) => Promise<T> | T): Promise<T> {
    this._reloads++;
    const run = this._reloadChain.then(() =>
      this.track(name, async (signal) => {
        if (this._state !== 'RELOADING') this._transition('RELOADING');
        return apply(signal);
      }),
    );
    const settle = () => {
      this._reloads--;
      // After the reload's own operation left `running`: what is left are other operations.
      if (this._reloads === 0 && this._state === 'RELOADING') this._transition(this._running.size > 0 ? 'BUSY' : 'READY');
    };
    this._reloadChain = run.then(settle, settle);
    return run;
  }

  private _reloadChain: Promise<unknown> = Promise.resolve();

  /**
   * Stops new operations, aborts the signal, and waits up to `timeoutMs` for those running.
   * Resolves with the names of those still running at the deadline (left behind).
   */
  async shutdown(timeoutMs = 5000): Promise<readonly string[]> {
    if (this._state === 'SHUTTING_DOWN' || this._state === 'STOPPED') return [];
    this._transition('SHUTTING_DOWN');
    this._shutdown.abort(new ShuttingDownError('the extension is shutting down'));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([Promise.allSettled([...this._running.keys()]).then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    const left = outcome === 'timeout' ? this.running : [];
    if (left.length > 0) this._logger.warn({ left }, 'shutdown deadline passed with operations still running');
    this._transition('STOPPED');
    return left;
  }

  private _transition(to: LifecycleState): void {
    const from = this._state;
    if (from === to) return;
    if (!allowed[from].includes(to)) throw new BatonError('EINVALIDSTATE', `lifecycle: ${from} -> ${to} is not a valid transition`);
    this._state = to;
    this._logger.debug({ from, to, running: this._running.size }, 'lifecycle');
    this._onDidChangeState.fire({ state: to, previous: from });
  }
}
