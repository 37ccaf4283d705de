import { describe, expect, it } from '@jest/globals';
import { NotificationLimiter, breakerAllows, closedBreaker, nextBreaker } from '../src/core.js';

describe('circuit breaker', () => {
  it('opens after 5 consecutive failures, lets one probe through after 60 s, and closes on its success', () => {
    let breaker = closedBreaker;
    for (let i = 0; i < 4; i++) breaker = nextBreaker(breaker, false, 0);
    expect(breaker.state).toBe('closed');
    breaker = nextBreaker(breaker, false, 1000);
    expect(breaker).toEqual({ state: 'open', consecutiveFailures: 5, retryAt: 61_000 });
    expect(breakerAllows(breaker, 60_999)).toBe(false);
    expect(breakerAllows(breaker, 61_000)).toBe(true);
    expect(nextBreaker({ ...breaker, state: 'half-open' }, false, 61_000)).toEqual({ state: 'open', consecutiveFailures: 6, retryAt: 121_000 });
    expect(nextBreaker({ ...breaker, state: 'half-open' }, true, 61_000)).toEqual(closedBreaker);
  });
});

describe('NotificationLimiter', () => {
  it('allows 3 a minute and says how many it held back', () => {
    let now = 0;
    const limiter = new NotificationLimiter(3, 60_000, () => now);
    expect([limiter.take(), limiter.take(), limiter.take(), limiter.take(), limiter.take()].map((t) => t.allowed)).toEqual([true, true, true, false, false]);
    now = 60_000;
    expect(limiter.take()).toEqual({ allowed: true, suppressed: 2 });
    expect(limiter.take()).toEqual({ allowed: true, suppressed: 0 });
  });
});
