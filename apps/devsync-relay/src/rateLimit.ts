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

/** Failures per key (a remote address) in a sliding minute; entries expire, so the map does not grow forever. */
export class FailureWindow {
  private readonly _failures = new Map<string, number[]>();

  constructor(
    private readonly _maxPerMinute: number,
    private readonly _clock: Clock,
  ) {}

  /** Whether `key` is over its limit now. */
  blocked(key: string): boolean {
    return this._recent(key).length >= this._maxPerMinute;
  }

  record(key: string): void {
    const recent = this._recent(key);
    recent.push(this._clock.now());
    this._failures.set(key, recent);
  }

  /** Drops keys with nothing in the last minute. */
  sweep(): void {
    for (const key of [...this._failures.keys()]) if (this._recent(key).length === 0) this._failures.delete(key);
  }

  private _recent(key: string): number[] {
    const since = this._clock.now() - 60_000;
    const recent = (this._failures.get(key) ?? []).filter((at) => at > since);
    if (recent.length === 0) this._failures.delete(key);
    else this._failures.set(key, recent);
    return recent;
  }
}
