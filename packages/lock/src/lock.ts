import { LinkedAbortController, TimeoutError, eventToPromise, throwIfAborted, type Clock } from '@baton/base';
import { LeaseContender } from './contender.js';
import { LockBusyError, LockLostError, LockTimeoutError } from './errors.js';
import { contenderOptions, type CommonLockOptions } from './options.js';

/** Options of `acquireLock`. */
export interface AcquireLockOptions extends CommonLockOptions {
  /** How long a holder that stops renewing keeps the lock, by the waiters' clocks (default 5000 ms). */
  ttlMs?: number;
  /** Wait for the lock (default true), fail at once (false), or wait at most timeoutMs. */
  wait?: boolean | { timeoutMs: number };
  signal?: AbortSignal;
}

/** A held named lock. Its lease is renewed in the background until release. */
export interface Lock {
  readonly name: string;
  /** Fencing token: larger than every earlier grant of this name. */
  readonly token: number;
  /** Aborted when the lock is lost (lease expired while paused, taken over) or released. */
  readonly signal: AbortSignal;
  /**
   * Whether the lock is held and its lease can still be trusted (monotonic clock). Reading it (or
   * `signal`) after the lease ran out, as after a pause, ends the grant there and then.
   */
  readonly isHeld: boolean;
  /** Releases the lock; a waiter takes it on its next poll. */
  release(): Promise<void>;
  /** release(), started synchronously (for `context.subscriptions` and other dispose() owners). */
  dispose(): void;
}

/** Acquires the named lock. Rejects with ELOCKBUSY (wait: false), ELOCKTIMEOUT, or the abort reason. */
export async function acquireLock(options: AcquireLockOptions): Promise<Lock> {
  throwIfAborted(options.signal);
  const ttlMs = options.ttlMs ?? 5000;
  const resolved = contenderOptions(options, ttlMs, `lock '${options.name}'`, false);
  const contender = new LeaseContender(resolved);
  const wait = options.wait ?? true;
  const timeoutMs = typeof wait === 'object' ? wait.timeoutMs : undefined;
  const timeout = timeoutMs === undefined ? undefined : timeoutController(timeoutMs, resolved.clock);
  const linked = new LinkedAbortController([options.signal, timeout?.signal]);
  try {
    const acquired = eventToPromise(contender.onDidAcquire, { signal: linked.signal });
    acquired.catch(() => {});
    await contender.start(true);
    if (!contender.held) {
      if (wait === false) {
        const holder = contender.holder;
        throw new LockBusyError(
          `Lock '${options.name}' is held${holder ? ` by ${holder.id} (pid ${holder.pid}, token ${holder.token})` : ''}; pass wait: true to wait for it`,
          { data: { name: options.name, holder } },
        );
      }
      await acquired;
    }
  } catch (err) {
    await contender.close();
    linked.dispose();
    timeout?.dispose();
    if (timeout?.signal.aborted && !options.signal?.aborted) {
      const holder = contender.holder;
      throw new LockTimeoutError(
        `Timed out after ${timeoutMs} ms waiting for lock '${options.name}'${holder ? ` held by ${holder.id} (pid ${holder.pid})` : ''}`,
        { data: { name: options.name, timeoutMs } },
      );
    }
    throw err;
  }
  linked.dispose();
  timeout?.dispose();
  return heldLock(options.name, contender);
}

function timeoutController(ms: number, clock: Clock): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(new TimeoutError(`timed out after ${ms} ms`)), ms);
  return { signal: controller.signal, dispose: () => timer.dispose() };
}

function heldLock(name: string, contender: LeaseContender): Lock {
  const held = contender.held!;
  const controller = new AbortController();
  // A lock is one grant: once lost it is not re-acquired.
  contender.setContending(false);
  contender.onDidLose(({ detail, reason }) => {
    controller.abort(new LockLostError(`Lock '${name}' (token ${held.token}) ${reason === 'lost' ? 'was lost' : 'was released'}: ${detail}`));
    void contender.close();
  });
  let released: Promise<void> | undefined;
  return {
    name,
    token: held.token,
    get signal() {
      if (contender.held === held) contender.checkLease();
      return controller.signal;
    },
    get isHeld() {
      return contender.held === held && contender.checkLease();
    },
    release() {
      released ??= contender.close();
      return released;
    },
    dispose() {
      void this.release();
    },
  };
}

/** Runs `fn` while holding the named lock; releases it however `fn` ends. */
export async function withLock<T>(options: AcquireLockOptions, fn: (lock: Lock) => Promise<T> | T): Promise<T> {
  const lock = await acquireLock(options);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}


