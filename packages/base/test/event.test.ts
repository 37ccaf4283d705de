import { describe, expect, it } from '@jest/globals';
import { DisposableStore, Emitter, eventToPromise, onceEvent, setUnexpectedErrorHandler } from '../src/index.js';

describe('Emitter', () => {
  it('delivers to every listener and stops after the subscription is disposed', () => {
    const emitter = new Emitter<number>();
    const seen: number[] = [];
    const sub = emitter.event((n) => seen.push(n));
    emitter.fire(1);
    sub.dispose();
    emitter.fire(2);
    expect(seen).toEqual([1]);
    expect(emitter.hasListeners).toBe(false);
  });

  it('reports a throwing listener to the injected handler and still delivers to the others', () => {
    const errors: unknown[] = [];
    const emitter = new Emitter<string>({ onListenerError: (err) => errors.push(err) });
    const seen: string[] = [];
    emitter.event(() => {
      throw new Error('listener failed');
    });
    emitter.event((v) => seen.push(v));
    emitter.fire('x');
    expect(seen).toEqual(['x']);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('listener failed');
  });

  it('reports a rejected async listener', async () => {
    const errors: unknown[] = [];
    const emitter = new Emitter<void>({ onListenerError: (err) => errors.push(err) });
    emitter.event(async () => {
      throw new Error('async failure');
    });
    emitter.fire();
    await new Promise((r) => setImmediate(r));
    expect((errors[0] as Error).message).toBe('async failure');
  });

  it('uses the process-wide handler when none is injected', () => {
    const errors: unknown[] = [];
    const previous = setUnexpectedErrorHandler((err) => errors.push(err));
    try {
      const emitter = new Emitter<void>();
      emitter.event(() => {
        throw new Error('global');
      });
      emitter.fire();
      expect(errors).toHaveLength(1);
    } finally {
      setUnexpectedErrorHandler(previous);
    }
  });

  it('skips a listener removed by an earlier listener during delivery', () => {
    const emitter = new Emitter<void>();
    const seen: string[] = [];
    const second = { sub: undefined as { dispose(): void } | undefined };
    emitter.event(() => {
      seen.push('first');
      second.sub?.dispose();
    });
    second.sub = emitter.event(() => seen.push('second'));
    emitter.fire();
    expect(seen).toEqual(['first']);
  });

  it('delivers to a listener added during delivery from the next event on', () => {
    const emitter = new Emitter<number>();
    const seen: string[] = [];
    let added = false;
    emitter.event((n) => {
      seen.push(`first ${n}`);
      if (!added) {
        added = true;
        emitter.event((m) => seen.push(`late ${m}`));
      }
    });
    emitter.fire(1);
    emitter.fire(2);
    const sub = emitter.event((m) => seen.push(`third ${m}`));
    emitter.fire(3);
    sub.dispose();
    emitter.fire(4);
    expect(seen).toEqual(['first 1', 'first 2', 'late 2', 'first 3', 'late 3', 'third 3', 'first 4', 'late 4']);
  });

  it('adds subscriptions to a store and tracks first/last listener', () => {
    const log: string[] = [];
    const emitter = new Emitter<void>({
      onDidAddFirstListener: () => log.push('first'),
      onDidRemoveLastListener: () => log.push('last'),
    });
    const store = new DisposableStore();
    emitter.event(() => {}, undefined, store);
    emitter.event(() => {}, undefined, store);
    expect(emitter.listenerCount).toBe(2);
    store.dispose();
    expect(emitter.listenerCount).toBe(0);
    expect(log).toEqual(['first', 'last']);
  });

  it('does nothing after dispose', () => {
    const emitter = new Emitter<number>();
    const seen: number[] = [];
    emitter.event((n) => seen.push(n));
    emitter.dispose();
    emitter.fire(1);
    emitter.event((n) => seen.push(n));
    emitter.fire(2);
    expect(seen).toEqual([]);
  });
});

describe('event helpers', () => {
  it('onceEvent listens to one occurrence', () => {
    const emitter = new Emitter<number>();
    const seen: number[] = [];
    onceEvent(emitter.event)((n) => seen.push(n));
    emitter.fire(1);
    emitter.fire(2);
    expect(seen).toEqual([1]);
    expect(emitter.hasListeners).toBe(false);
  });

  it('eventToPromise resolves on the first matching event and removes its listener', async () => {
    const emitter = new Emitter<number>();
    const promise = eventToPromise(emitter.event, { filter: (n) => n > 1 });
    emitter.fire(1);
    emitter.fire(2);
    await expect(promise).resolves.toBe(2);
    expect(emitter.hasListeners).toBe(false);
  });

  it('eventToPromise rejects on abort and removes its listener', async () => {
    const emitter = new Emitter<number>();
    const controller = new AbortController();
    const promise = eventToPromise(emitter.event, { signal: controller.signal });
    controller.abort(new Error('gave up'));
    await expect(promise).rejects.toThrow('gave up');
    expect(emitter.hasListeners).toBe(false);
  });
});
