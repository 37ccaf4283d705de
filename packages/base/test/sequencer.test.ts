import { describe, expect, it } from '@jest/globals';
import { Sequencer } from '../src/index.js';

describe('Sequencer', () => {
  it('runs queued operations one at a time in order, and a failure does not stop the next', async () => {
    const sequencer = new Sequencer();
    const log: string[] = [];
    const step = (name: string, ms: number, fail = false) =>
      sequencer.queue(async () => {
        log.push(`${name} start`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name} end`);
        if (fail) throw new Error(`${name} failed`);
        return name;
      });
    const a = step('a', 30);
    const b = step('b', 5, true);
    const c = step('c', 1);
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('b failed');
    await expect(c).resolves.toBe('c');
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('whenIdle waits for everything queued so far and does not reject', async () => {
    const sequencer = new Sequencer();
    let done = false;
    void sequencer.queue(async () => {
      await new Promise((r) => setTimeout(r, 20));
      done = true;
    });
    sequencer.queue(() => Promise.reject(new Error('ignored here'))).catch(() => {});
    await sequencer.whenIdle();
    expect(done).toBe(true);
  });
});
