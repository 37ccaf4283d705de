/** A breaker lets probes through (closed), holds them back (open), or lets one through to decide (half-open). */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** A breaker as plain data (it is stored with the results it guards). */
export interface BreakerSnapshot {
  readonly state: BreakerState;
  readonly consecutiveFailures: number;
  /** Wall-clock time (ms since the epoch) when an open breaker lets one probe through. */
  readonly retryAt: number | undefined;
}

/** When a breaker opens, and for how long. */
export interface BreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  failuresToOpen?: number;
  /** How long an open breaker waits before one trial probe (default 60000 ms). */
  openMs?: number;
}

/**
 * A circuit breaker per endpoint, kept as plain data so that it lives in the shared results and a
 * new leader carries on with it: after `failuresToOpen` consecutive failures the endpoint is probed
 * no more (an unreachable host is not hammered every interval) until `openMs` passed; then one
 * trial probe decides (half-open): a success closes it, a failure opens it again. Times are wall
 * clock because the snapshot crosses processes; only the comparison with `now` uses them.
 */
export function breakerAllows(breaker: BreakerSnapshot, now: number): boolean {
  return breaker.state !== 'open' || (breaker.retryAt !== undefined && now >= breaker.retryAt);
}

/** The breaker after a probe's outcome (`ok`) at `now`. */
export function nextBreaker(breaker: BreakerSnapshot, ok: boolean, now: number, options: BreakerOptions = {}): BreakerSnapshot {
  const failuresToOpen = options.failuresToOpen ?? 5;
  const openMs = options.openMs ?? 60_000;
  if (ok) return closedBreaker;
  const consecutiveFailures = breaker.consecutiveFailures + 1;
  if (breaker.state === 'half-open' || breaker.state === 'open' || consecutiveFailures >= failuresToOpen) {
    return { state: 'open', consecutiveFailures, retryAt: now + openMs };
  }
  return { state: 'closed', consecutiveFailures, retryAt: undefined };
}

/** The breaker as it stands when a probe is let through: an open one that is due becomes half-open. */
export function breakerOnProbe(breaker: BreakerSnapshot, now: number): BreakerSnapshot {
  return breaker.state === 'open' && breaker.retryAt !== undefined && now >= breaker.retryAt ? { ...breaker, state: 'half-open' } : breaker;
}

/** A breaker with no failures. */
export const closedBreaker: BreakerSnapshot = { state: 'closed', consecutiveFailures: 0, retryAt: undefined };

/**
 * At most `limit` notifications per `windowMs` (a sliding window); the rest are counted, and the
 * next one allowed says how many were held back, so a flapping endpoint cannot bury the user.
 */
export class NotificationLimiter {
  private readonly _sent: number[] = [];
  private _suppressed = 0;

  constructor(
    private readonly _limit = 3,
    private readonly _windowMs = 60_000,
    private readonly _now: () => number = () => performance.now(),
  ) {}

  /** Whether to show one now; when it is, `suppressed` is how many were held back before it. */
  take(): { allowed: true; suppressed: number } | { allowed: false } {
    const now = this._now();
    while (this._sent.length > 0 && now - this._sent[0]! >= this._windowMs) this._sent.shift();
    if (this._sent.length >= this._limit) {
      this._suppressed++;
      return { allowed: false };
    }
    this._sent.push(now);
    const suppressed = this._suppressed;
    this._suppressed = 0;
    return { allowed: true, suppressed };
  }
}
