import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '@baton/base';
import { GuessThrottle } from '../src/index.js';

/** When each of `addresses`' wrong tokens (sent at once, in order) is answered, in fake milliseconds. */
async function answerTimes(throttle: GuessThrottle, clock: FakeClock, addresses: string[], untilMs: number): Promise<number[]> {
  const times: number[] = new Array(addresses.length).fill(NaN);
  addresses.forEach((address, i) => void throttle.failed(address).then(() => (times[i] = clock.now())));
  for (let t = 0; t <= untilMs; t += 50) {
    await Promise.resolve();
    clock.advance(50);
    await Promise.resolve();
  }
  return times;
}

describe('GuessThrottle', () => {
  it('answers the free wrong tokens of an address at once, then each twice as late as the last, up to a minute', async () => {
    const clock = new FakeClock();
    const times = await answerTimes(new GuessThrottle(2, 1000, clock), clock, Array(9).fill('10.0.0.66'), 200_000);
    const gaps = times.slice(1).map((t, i) => Math.round((t - times[i]!) / 500) * 500);
    expect(gaps).toEqual([0, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000]);
  });

  it('one address backing off does not hold back another; in all, no more than perSecond answers a second', async () => {
    const clock = new FakeClock();
    const throttle = new GuessThrottle(1, 5, clock);
    const guesser = await answerTimes(throttle, clock, Array(6).fill('10.0.0.66'), 100);
    const other = await answerTimes(throttle, clock, ['10.0.0.7'], 2000);
    // The other address waits for its global slot only (after the six arrivals' slots: 1.2 s), not for the
    // guesser's backoff (its sixth answer is due 1 + 2 + 4 + 8 + 16 s after its first).
    expect(other[0]!).toBeLessThan(1500);
    expect(Number.isNaN(guesser[5]!)).toBe(true);
    const flood = await answerTimes(throttle, clock, Array.from({ length: 50 }, (_, i) => `10.1.0.${i}`), 15_000);
    const first = Math.min(...flood);
    expect(flood.filter((t) => t < first + 5000).length).toBeLessThanOrEqual(26);
  });
});
