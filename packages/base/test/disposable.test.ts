import { describe, expect, it } from '@jest/globals';
import { Disposable, DisposableStore, MutableDisposable, disposeAll, toDisposable } from '../src/index.js';

describe('toDisposable', () => {
  it('runs its release function once', () => {
    let calls = 0;
    const d = toDisposable(() => calls++);
    d.dispose();
    d.dispose();
    expect(calls).toBe(1);
  });
});

describe('DisposableStore', () => {
  it('disposes items in reverse order of adding', () => {
    const order: number[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push(1)));
    store.add(toDisposable(() => order.push(2)));
    store.dispose();
    expect(order).toEqual([2, 1]);
    expect(store.isDisposed).toBe(true);
  });

  it('disposes an item added after the store was disposed instead of leaking it', () => {
    const store = new DisposableStore();
    store.dispose();
    let released = false;
    store.add(toDisposable(() => (released = true)));
    expect(released).toBe(true);
  });

  it('keeps disposing the rest when one item throws, then rethrows', () => {
    const store = new DisposableStore();
    let second = false;
    store.add(toDisposable(() => (second = true)));
    store.add(toDisposable(() => {
      throw new Error('boom');
    }));
    expect(() => store.dispose()).toThrow('boom');
    expect(second).toBe(true);
  });

  it('release() hands an item back without disposing it', () => {
    const store = new DisposableStore();
    let released = false;
    const item = store.add(toDisposable(() => (released = true)));
    store.release(item);
    store.dispose();
    expect(released).toBe(false);
  });
});

describe('disposeAll', () => {
  it('aggregates several errors', () => {
    const failing = () => toDisposable(() => {
      throw new Error('x');
    });
    expect(() => disposeAll([failing(), failing()])).toThrow(AggregateError);
  });
});

describe('Disposable', () => {
  it('releases what a subclass registered', () => {
    let released = 0;
    class Owner extends Disposable {
      constructor() {
        super();
        this._register(toDisposable(() => released++));
        this._register(toDisposable(() => released++));
      }
    }
    new Owner().dispose();
    expect(released).toBe(2);
  });
});

describe('MutableDisposable', () => {
  it('disposes the previous value when replaced, and the current one on dispose', () => {
    const log: string[] = [];
    const slot = new MutableDisposable();
    slot.value = toDisposable(() => log.push('a'));
    slot.value = toDisposable(() => log.push('b'));
    expect(log).toEqual(['a']);
    slot.dispose();
    expect(log).toEqual(['a', 'b']);
    slot.value = toDisposable(() => log.push('c'));
    expect(log).toEqual(['a', 'b', 'c']);
  });
});
