import { describe, expect, it } from '@jest/globals';
import { FakeClock, type Logger } from '@baton/base';
import { ExportError, createBatcher, createMemoryExporter, type Exporter } from '../src/index.js';

const tick = () => new Promise((r) => setImmediate(r));

function countingLogger() {
  const warnings: string[] = [];
  const logger: Logger = {
    trace() {},
    debug() {},
    info() {},
    warn: (_o, msg) => void warnings.push(msg ?? ''),
    error: (_o, msg) => void warnings.push(msg ?? ''),
    child: () => logger,
  };
  return { logger, warnings };
}

/** An exporter whose exports wait until released. */
function gatedExporter<E>() {
  const batches: E[][] = [];
  const gates: (() => void)[] = [];
  const exporter: Exporter<E> = {
    export(batch) {
      batches.push([...batch]);
      return new Promise<void>((resolve) => gates.push(resolve));
    },
  };
  return { exporter, batches, releaseAll: () => gates.splice(0).forEach((g) => g()) };
}

describe('createBatcher', () => {
  it('exports when a batch reaches maxBatchSize, without waiting for the delay', async () => {
    const clock = new FakeClock();
    const exporter = createMemoryExporter<number>();
    const batcher = createBatcher({ exporter, maxBatchSize: 3, maxDelayMs: 1000, clock });
    [1, 2, 3, 4].forEach((n) => batcher.add(n));
    await tick();
    expect(exporter.batches).toEqual([[1, 2, 3]]);
    expect(batcher.stats).toMatchObject({ queued: 1, exported: 3, batches: 1 });
    batcher.dispose();
  });

  it('exports maxDelayMs after the first event of a batch', async () => {
    const clock = new FakeClock();
    const exporter = createMemoryExporter<string>();
    const batcher = createBatcher({ exporter, maxBatchSize: 100, maxDelayMs: 1000, clock });
    batcher.add('a');
    await clock.advanceAsync(400);
    batcher.add('b');
    await clock.advanceAsync(599);
    expect(exporter.batches).toEqual([]);
    await clock.advanceAsync(1);
    expect(exporter.batches).toEqual([['a', 'b']]);
    // The next batch's clock starts at its own first event.
    batcher.add('c');
    await clock.advanceAsync(999);
    expect(exporter.batches).toHaveLength(1);
    await clock.advanceAsync(1);
    expect(exporter.batches).toEqual([['a', 'b'], ['c']]);
    batcher.dispose();
  });

  it('keeps batches in order with one export in flight', async () => {
    const { exporter, batches, releaseAll } = gatedExporter<number>();
    const batcher = createBatcher({ exporter, maxBatchSize: 2, maxQueueSize: 100 });
    for (let i = 0; i < 6; i++) batcher.add(i);
    await tick();
    expect(batches).toEqual([[0, 1]]);
    for (let round = 0; round < 2; round++) {
      releaseAll();
      await tick();
    }
    expect(batches).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(batcher.stats.exported).toBe(4);
    releaseAll();
    await batcher.flush();
    expect(batcher.stats.exported).toBe(6);
  });

  it('drops the oldest under a stalled exporter, with exact counts and one warning per interval', async () => {
    const clock = new FakeClock();
    const { exporter, batches } = gatedExporter<number>();
    const { logger, warnings } = countingLogger();
    const batcher = createBatcher({ exporter, maxBatchSize: 10, maxQueueSize: 100, clock, logger, warnIntervalMs: 10_000 });
    for (let i = 0; i < 10; i++) batcher.add(i);
    await tick(); // first batch (0-9) is now in flight and stalls
    expect(batches).toHaveLength(1);
    for (let i = 10; i < 1010; i++) expect(batcher.add(i)).toBe(true);
    expect(batcher.stats.queued).toBe(100);
    expect(batcher.stats.dropped.overflow).toBe(900);
    expect(warnings.filter((w) => w.startsWith('telemetry queue full'))).toHaveLength(1);
    clock.advance(10_000);
    batcher.add(2000);
    expect(warnings.filter((w) => w.startsWith('telemetry queue full'))).toHaveLength(2);
    batcher.dispose();
  });

  it('drops the newest under drop-newest, keeping the oldest queued', async () => {
    const { exporter, batches, releaseAll } = gatedExporter<number>();
    const batcher = createBatcher({ exporter, maxBatchSize: 5, maxQueueSize: 5, overflow: 'drop-newest' });
    for (let i = 0; i < 5; i++) batcher.add(i);
    await tick();
    for (let i = 5; i < 20; i++) batcher.add(i);
    expect(batcher.stats.dropped.overflow).toBe(10);
    releaseAll();
    await tick();
    releaseAll();
    expect(batches[1]).toEqual([5, 6, 7, 8, 9]);
    batcher.dispose();
  });

  it('retries a failing export with backoff, then succeeds', async () => {
    let calls = 0;
    const exporter = createMemoryExporter<number>();
    const flaky: Exporter<number> = {
      async export(batch, ctx) {
        calls++;
        if (calls < 3) throw new Error(`collector down (${calls})`);
        await exporter.export(batch, ctx);
      },
    };
    const batcher = createBatcher({ exporter: flaky, maxBatchSize: 2, retry: { attempts: 3, backoff: { initialMs: 1, maxMs: 2 } } });
    batcher.add(1);
    batcher.add(2);
    await batcher.flush();
    expect(calls).toBe(3);
    expect(exporter.events).toEqual([1, 2]);
    expect(batcher.stats.dropped.exportFailed).toBe(0);
  });

  it('gives up after the attempts, counts the events as dropped, and keeps going', async () => {
    let fail = true;
    const exporter = createMemoryExporter<number>();
    const sometimes: Exporter<number> = {
      export(batch, ctx) {
        if (fail) throw new Error('always down'); // a synchronous throw is caught too
        return exporter.export(batch, ctx);
      },
    };
    const batcher = createBatcher({ exporter: sometimes, maxBatchSize: 2, retry: { attempts: 2, backoff: { initialMs: 1, maxMs: 1 } } });
    batcher.add(1);
    batcher.add(2);
    await batcher.flush();
    expect(batcher.stats.dropped.exportFailed).toBe(2);
    expect(batcher.stats.lastError?.message).toBe('always down');
    fail = false;
    batcher.add(3);
    batcher.add(4);
    await batcher.flush();
    expect(exporter.events).toEqual([3, 4]);
  });

  it('does not retry an error marked non-retryable', async () => {
    let calls = 0;
    const batcher = createBatcher<number>({
      exporter: {
        async export() {
          calls++;
          throw new ExportError('400 bad request', { retryable: false });
        },
      },
      maxBatchSize: 1,
      retry: { attempts: 5, backoff: { initialMs: 1, maxMs: 1 } },
    });
    batcher.add(1);
    await batcher.flush();
    expect(calls).toBe(1);
    expect(batcher.stats.dropped.exportFailed).toBe(1);
  });

  it('aborts an export that exceeds exportTimeoutMs and retries it', async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const exporter = createMemoryExporter<number>();
    const batcher = createBatcher<number>({
      exporter: {
        export(batch, ctx) {
          calls++;
          signals.push(ctx.signal);
          return calls === 1 ? new Promise(() => {}) : exporter.export(batch, ctx);
        },
      },
      maxBatchSize: 1,
      exportTimeoutMs: 30,
      retry: { attempts: 2, backoff: { initialMs: 1, maxMs: 1 } },
    });
    batcher.add(7);
    await batcher.flush();
    expect(signals[0]!.aborted).toBe(true);
    expect(calls).toBe(2);
    expect(exporter.events).toEqual([7]);
    expect(batcher.stats.lastError?.code).toBe('ETIMEOUT');
  });

  it('shutdown flushes everything queued and refuses later events', async () => {
    const exporter = createMemoryExporter<number>();
    const batcher = createBatcher({ exporter, maxBatchSize: 10, maxDelayMs: 60_000, maxQueueSize: 1000 });
    for (let i = 0; i < 95; i++) batcher.add(i);
    const report = await batcher.shutdown({ timeoutMs: 5000 });
    expect(exporter.events).toEqual(Array.from({ length: 95 }, (_, i) => i));
    expect(report).toMatchObject({ exported: 95, notExported: 0 });
    expect(batcher.add(1)).toBe(false);
    expect(batcher.stats.dropped.shutdown).toBe(1);
  });

  it('shutdown reports what a stalled exporter could not take within the timeout', async () => {
    const { exporter } = gatedExporter<number>();
    const batcher = createBatcher({ exporter, maxBatchSize: 10, maxQueueSize: 100 });
    for (let i = 0; i < 35; i++) batcher.add(i);
    const report = await batcher.shutdown({ timeoutMs: 50 });
    expect(report.exported).toBe(0);
    expect(report.notExported).toBe(35);
    expect(report.stats.dropped.shutdown + report.stats.dropped.exportFailed).toBe(35);
  });

  it('rejects invalid options, naming the field', () => {
    expect(() => createBatcher({ exporter: createMemoryExporter(), maxQueueSize: 0 })).toThrow(/maxQueueSize/);
    expect(() => createBatcher({ exporter: createMemoryExporter(), maxBatchSize: 1.5 })).toThrow(/maxBatchSize/);
  });
});
