import { abortableDelay, throwIfAborted } from './abort.js';
import { systemClock, type Clock } from './clock.js';
import { InvalidArgumentError, isAbortError } from './errors.js';

/** Options of `createBackoff`: the first delay, the cap, the growth factor and the jitter. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter (ms). */
  initialMs: number;
  /** Cap on the delay (ms). */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /**
   * 'full' (default): uniform in [0, delay], which spreads retries of many processes best;
   * 'none': exactly the exponential delay; a number j in [0, 1]: uniform in [delay * (1 - j), delay].
   */
  jitter?: 'full' | 'none' | number;
  /** Source of randomness in [0, 1) (default Math.random); tests pass a fixed one. */
  random?: () => number;
}

/** Delays that grow with each failure: `next()` gives the next delay, `reset()` starts again. */
export interface Backoff {
  /** The delay for the next attempt; each call moves one attempt on. */
  next(): number;
  /** Starts again from `initialMs`. */
  reset(): void;
  /** Attempts handed out since the last reset. */
  readonly attempt: number;
}

/** Throws an InvalidArgumentError naming the first bad field of `options`. */
export function validateBackoffOptions(options: BackoffOptions): void {
  const { initialMs, maxMs, factor = 2, jitter = 'full' } = options;
  if (!(initialMs >= 0)) throw new InvalidArgumentError(`backoff.initialMs must be >= 0, got ${initialMs}`);
  if (!(maxMs >= initialMs)) throw new InvalidArgumentError(`backoff.maxMs must be >= initialMs (${initialMs}), got ${maxMs}`);
  if (!(factor >= 1)) throw new InvalidArgumentError(`backoff.factor must be >= 1, got ${factor}`);
  if (typeof jitter === 'number' && !(jitter >= 0 && jitter <= 1)) {
    throw new InvalidArgumentError(`backoff.jitter must be 'full', 'none' or a number in [0, 1], got ${jitter}`);
  }
}

/** Exponential backoff with a cap and jitter. */
export function createBackoff(options: BackoffOptions): Backoff {
  validateBackoffOptions(options);
  const { initialMs, maxMs, factor = 2, jitter = 'full', random = Math.random } = options;
  const spread = jitter === 'full' ? 1 : jitter === 'none' ? 0 : jitter;
  let attempt = 0;
  return {
    next() {
      // Past the cap the exponent stops mattering; clamping it keeps the number finite.
      const base = Math.min(maxMs, initialMs * Math.pow(factor, Math.min(attempt, 1000)));
      attempt++;
      return base * (1 - spread + spread * random());
    },
    reset() {
      attempt = 0;
    },
    get attempt() {
      return attempt;
    },
  };
}

/** Options of `retry`: the attempts, the backoff between them, which errors to retry, the signal and the clock. */
export interface RetryOptions {
  /** Total attempts including the first (default 3). */
  attempts?: number;
  backoff?: BackoffOptions;
  signal?: AbortSignal;
  clock?: Clock;
  /** Whether an error is worth another attempt (default: any error but cancellation). */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
}

/** Runs `operation` until it succeeds or the attempts run out; the last error is rethrown. */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { attempts = 3, signal, clock = systemClock, shouldRetry = (err) => !isAbortError(err) } = options;
  const backoff = createBackoff(options.backoff ?? { initialMs: 100, maxMs: 5000 });
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    try {
      return await operation(attempt);
    } catch (err) {
      if (attempt >= attempts || !shouldRetry(err, attempt)) throw err;
    }
    await abortableDelay(backoff.next(), { signal, clock });
  }
}
