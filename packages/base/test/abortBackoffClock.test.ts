import { describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import {
  AbortError,
  FakeClock,
  InvalidArgumentError,
  LinkedAbortController,
  abortableDelay,
  createBackoff,
  onAbort,
  retry,
  setUnexpectedErrorHandler,
  systemClock,
  throwIfAborted,
} from '../src/index.js';

function listenerCount(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

describe('abort helpers', () => {
  it('throwIfAborted throws the reason, or an AbortError for a non-Error reason', () => {
    expect(() => throwIfAborted(undefined)).not.toThrow();
    const c = new AbortController();
    expect(() => throwIfAborted(c.signal)).not.toThrow();
    c.abort('why');
    expect(() => throwIfAborted(c.signal)).toThrow(AbortError);
    const d = new AbortController();
    d.abort(new Error('specific'));
    expect(() => throwIfAborted(d.signal)).toThrow('specific');
  });

  it('abortableDelay resolves after the delay and leaves no listener', async () => {
    const c = new AbortController();
    const clock = new FakeClock();
    const done = abortableDelay(100, { signal: c.signal, clock });
    expect(listenerCount(c.signal)).toBe(1);
    clock.advance(99);
    let settled = false;
    void done.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    await done;
    expect(listenerCount(c.signal)).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('abortableDelay rejects on abort and cancels its timer', async () => {
    const c = new AbortController();
    const clock = new FakeClock();
    const done = abortableDelay(1000, { signal: c.signal, clock });
    c.abort();
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('onAbort fires at once for an aborted signal and can be removed', () => {
    const c = new AbortController();
    let calls = 0;
    const sub = onAbort(c.signal, () => calls++);
    sub.dispose();
    c.abort();
    expect(calls).toBe(0);
    onAbort(c.signal, () => calls++);
    expect(calls).toBe(1);
  });

  it('LinkedAbortController follows its parents and unhooks on dispose', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = new LinkedAbortController([a.signal, b.signal, undefined]);
    expect(listenerCount(a.signal)).toBe(1);
    b.abort(new Error('b stopped'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('b stopped');
    expect(listenerCount(a.signal)).toBe(0);
  });
});

describe('createBackoff', () => {
  it('grows exponentially to the cap without jitter and resets', () => {
    const b = createBackoff({ initialMs: 100, maxMs: 1000, jitter: 'none' });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
    expect(b.attempt).toBe(5);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('applies full jitter within [0, delay]', () => {
    const low = createBackoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    const high = createBackoff({ initialMs: 100, maxMs: 1000, random: () => 0.999 });
    expect(low.next()).toBe(0);
    low.next();
    expect(low.next()).toBe(0);
    expect(high.next()).toBeCloseTo(99.9);
    expect(high.next()).toBeCloseTo(199.8);
  });

  it('applies proportional jitter within [delay * (1 - j), delay]', () => {
    const b = createBackoff({ initialMs: 100, maxMs: 100, jitter: 0.2, random: () => 0 });
    expect(b.next()).toBeCloseTo(80);
  });

  it('stays finite after very many attempts', () => {
    const b = createBackoff({ initialMs: 1, maxMs: 50, factor: 10, jitter: 'none' });
    for (let i = 0; i < 5000; i++) b.next();
    expect(b.next()).toBe(50);
  });

  it('rejects invalid options with the field named', () => {
    expect(() => createBackoff({ initialMs: -1, maxMs: 10 })).toThrow(InvalidArgumentError);
    expect(() => createBackoff({ initialMs: 10, maxMs: 5 })).toThrow(/maxMs/);
    expect(() => createBackoff({ initialMs: 1, maxMs: 5, jitter: 2 })).toThrow(/jitter/);
  });
});

describe('retry', () => {
  it('retries until success with backoff delays', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const result = retry(
      async () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
        return 'ok';
      },
      { attempts: 5, backoff: { initialMs: 10, maxMs: 100, jitter: 'none' }, clock },
    );
    await clock.advanceAsync(10);
    await clock.advanceAsync(20);
    await expect(result).resolves.toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up after the attempts and rethrows the last error', async () => {
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new Error(`fail ${calls}`);
      }, { attempts: 3, backoff: { initialMs: 0, maxMs: 0 } }),
    ).rejects.toThrow('fail 3');
  });
});

describe('clocks', () => {
  it('systemClock is monotonic and its timers swallow errors into the handler', async () => {
    const a = systemClock.now();
    const b = systemClock.now();
    expect(b).toBeGreaterThanOrEqual(a);
    const errors: unknown[] = [];
    const previous = setUnexpectedErrorHandler((e) => errors.push(e));
    try {
      await new Promise<void>((resolve) => {
        systemClock.setTimeout(() => {
          setImmediate(resolve);
          throw new Error('from a timer');
        }, 1);
      });
      expect((errors[0] as Error).message).toBe('from a timer');
    } finally {
      setUnexpectedErrorHandler(previous);
    }
  });

  it('FakeClock fires timers in due order at their due time, including intervals', () => {
    const clock = new FakeClock(1000);
    const log: string[] = [];
    clock.setTimeout(() => log.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => log.push(`a@${clock.now()}`), 10);
    const tick = clock.setInterval(() => log.push(`i@${clock.now()}`), 15);
    clock.advance(31);
    expect(log).toEqual(['a@1010', 'i@1015', 'b@1020', 'i@1030']);
    expect(clock.now()).toBe(1031);
    tick.dispose();
    expect(clock.pendingTimers).toBe(0);
  });
});
