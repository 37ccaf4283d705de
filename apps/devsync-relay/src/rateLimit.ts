import type { Clock } from '@baton/base';

/** A token bucket: `ratePerSecond` sustained, `burst` at once. Refilled lazily, so an idle bucket costs nothing. */
export class TokenBucket {
  private _tokens: number;
  private _at: number;

  constructor(
    private readonly _ratePerSecond: number,
    private readonly _burst: number,
    private readonly _clock: Clock,
  ) {
    this._tokens = _burst;
    this._at = _clock.now();
  }

  /** Takes one token; false when there is none (the caller drops the message). */
  take(): boolean {
    const now = this._clock.now();
    this._tokens = Math.min(this._burst, this._tokens + ((now - this._at) * this._ratePerSecond) / 1000);
    this._at = now;
    if (this._tokens < 1) return false;
    this._tokens -= 1;
    return true;
  }
}

/**
 * How fast wrong pairing tokens are answered: a guesser learns that a token is wrong only from the answer, so
 * holding the answer is what bounds guessing (a right token is checked first and pairs at once, whoever else
 * guesses from the same address). Per address, `freePerMinute` wrong tokens a minute are answered at once; each
 * further one waits twice as long as the one before it (from 1 s, up to 60 s), until the address has had a minute
 * without failures. In all, at most `perSecond` wrong tokens a second are answered, in the order they came.
 */
export class GuessThrottle {
  private readonly _addresses = new Map<string, { failures: number[]; nextAt: number; delayMs: number }>();
  private _globalNextAt = 0;

  constructor(
    private readonly _freePerMinute: number,
    private readonly _perSecond: number,
    private readonly _clock: Clock,
  ) {}

  /** Resolves when the wrong token `address` sent may be answered; the caller then answers and closes. */
  async failed(address: string): Promise<void> {
    const now = this._clock.now();
    const entry = this._addresses.get(address) ?? { failures: [], nextAt: 0, delayMs: 0 };
    this._addresses.set(address, entry);
    entry.failures = entry.failures.filter((at) => at > now - 60_000);
    entry.failures.push(now);
    let at = now;
    if (entry.failures.length > this._freePerMinute) {
      entry.delayMs = Math.min(60_000, entry.delayMs === 0 ? 1000 : entry.delayMs * 2);
      at = Math.max(now, entry.nextAt) + entry.delayMs;
      entry.nextAt = at;
    } else entry.delayMs = 0;
    // The global pace: one answer per 1/perSecond, a slot reserved on arrival (so that one address's backoff does
    // not push back everyone else's answers).
    const slot = Math.max(now, this._globalNextAt);
    this._globalNextAt = slot + 1000 / this._perSecond;
    at = Math.max(at, slot);
    if (at > now) await new Promise<void>((resolve) => this._clock.setTimeout(resolve, at - now, { unref: true }));
  }

  /** Forgets addresses with no failure in the last minute. */
  sweep(): void {
    const since = this._clock.now() - 60_000;
    for (const [address, entry] of this._addresses) if (entry.failures.every((at) => at <= since) && entry.nextAt <= this._clock.now()) this._addresses.delete(address);
  }
}
