import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllFixtures, makeTempDir, sleep, spawnFixture, waitFor, type Fixture, type TempDir } from '@baton/test-utils';
import { isAtomicWriteTempFile } from '@baton/base';
import { decodeEnvelope, openLog, openStore } from '../src/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
const long = process.env.BATON_STATE_LONG === '1';
const posix = process.platform !== 'win32';

let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await killAllFixtures();
  await tmp.cleanup();
});

describe('store across processes', () => {
  it(`loses no update: 8 processes x ${long ? 1000 : 250} update(n => n + 1)`, async () => {
    const each = long ? 1000 : 250;
    const workers = Array.from({ length: 8 }, () => spawnFixture(fixture('updater'), [tmp.path, String(each)]));
    await Promise.all(workers.map((w) => w.waitForLine('done', 120_000)));
    const store = await openStore<number>({ dir: tmp.path, name: 'counter', initial: -1, watch: false });
    expect(store.get()).toBe(8 * each);
    await store.close();
  }, 180_000);

  it('readers never see a torn or unparsable file while processes write', async () => {
    const writers = [spawnFixture(fixture('setLoop'), [tmp.path]), spawnFixture(fixture('setLoop'), [tmp.path])];
    await Promise.all(writers.map((w) => w.waitForLine('writing')));
    const file = join(tmp.path, 'big.state.json');
    let reads = 0;
    let lastVersion = 0;
    const until = performance.now() + 2000;
    while (performance.now() < until) {
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch {
        continue; // not written yet
      }
      const envelope = decodeEnvelope<{ n: number }>(data, file, 1 << 20, undefined);
      expect(envelope.version).toBeGreaterThanOrEqual(lastVersion);
      lastVersion = envelope.version;
      reads++;
      await sleep(0);
    }
    expect(reads).toBeGreaterThan(50);
    expect(lastVersion).toBeGreaterThan(10);
  });

  (posix ? it : it.skip)('never leaves an unreadable file or a version going back when writers are SIGKILLed mid-write', async () => {
    // Each kill respawns a writer (a process start); BATON_STATE_KILLS=1000 runs longer.
    const kills = Number(process.env.BATON_STATE_KILLS ?? 60);
    const file = join(tmp.path, 'big.state.json');
    const start = async () => {
      const w = spawnFixture(fixture('setLoop'), [tmp.path]);
      await w.waitForLine('writing');
      return w;
    };
    // Two writers at a time; one of them is killed every few milliseconds and replaced.
    const live: Fixture[] = [await start(), await start()];
    let lastVersion = 0;
    for (let i = 0; i < kills; i++) {
      await sleep(2 + Math.random() * 20);
      const victim = live.splice(Math.floor(Math.random() * live.length), 1)[0]!;
      victim.kill('SIGKILL');
      await victim.exited;
      const envelope = decodeEnvelope<{ n: number; pad: string }>(readFileSync(file), file, 1 << 20, undefined);
      expect(envelope.payload.pad).toBe(String(envelope.payload.n % 10).repeat(64 * 1024));
      expect(envelope.version).toBeGreaterThanOrEqual(lastVersion);
      lastVersion = envelope.version;
      live.push(await start());
    }
    expect(lastVersion).toBeGreaterThan(kills / 4);
    // Killed writers are no reason to recover anything, and their temp files go at the next open.
    await Promise.all(live.map(async (w) => {
      w.kill('SIGKILL');
      await w.exited;
    }));
    const store = await openStore<{ n: number; pad: string }>({ dir: tmp.path, name: 'big', initial: { n: 0, pad: '' }, watch: false });
    expect(store.recovery).toBeUndefined();
    expect(store.version).toBeGreaterThanOrEqual(lastVersion);
    await store.close();
    expect(readdirSync(tmp.path).filter(isAtomicWriteTempFile)).toEqual([]);
  }, 300_000);

  for (const mode of ['auto', 'poll'] as const) {
    it(`delivers a change made in this process to onDidChange in another (${mode === 'auto' ? 'watch' : 'poll'} mode)`, async () => {
      const watcher = spawnFixture(fixture('watcher'), [tmp.path, mode]);
      await watcher.waitForLine('ready');
      const store = await openStore<number>({ dir: tmp.path, name: 'shared', initial: 0, watch: false });
      for (let v = 1; v <= 3; v++) {
        await store.set(v * 10);
        await watcher.waitForLine(`change ${v} ${v * 10} remote`, 5000);
      }
      const changes = watcher.lines.filter((l) => l.startsWith('change '));
      expect(changes.map((l) => l.split(' ')[1])).toEqual(['1', '2', '3']);
      await store.close();
    });
  }
});

describe('event log', () => {
  it('4 processes appending at once lose and duplicate nothing', async () => {
    const count = 500;
    const appenders = ['a', 'b', 'c', 'd'].map((id) => spawnFixture(fixture('appender'), [tmp.path, id, String(count)]));
    await Promise.all(appenders.map((a) => a.waitForLine('done', 60_000)));
    const log = await openLog<{ id: string; seq: number }>({ dir: tmp.path, name: 'events', watch: false });
    const seen = new Map<string, number[]>();
    for await (const { event } of log.read()) seen.set(event.id, [...(seen.get(event.id) ?? []), event.seq]);
    for (const id of ['a', 'b', 'c', 'd']) expect(seen.get(id)).toEqual(Array.from({ length: count }, (_, i) => i));
    await log.close();
  });

  it('cuts off a record torn by a crash when it opens, and goes on appending', async () => {
    const log = await openLog<number>({ dir: tmp.path, name: 'events', watch: false });
    for (let i = 0; i < 5; i++) await log.append(i);
    await log.close();
    // Half a record at the end: what a crash in the middle of a write leaves.
    await appendFile(log.file, Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 123, 34]));
    const reopened = await openLog<number>({ dir: tmp.path, name: 'events', watch: false });
    await reopened.append(5);
    const events: number[] = [];
    for await (const { event } of reopened.read()) events.push(event);
    expect(events).toEqual([0, 1, 2, 3, 4, 5]);
    await reopened.close();
  });

  it('tails from an offset and fires onDidAppend for other processes\' appends', async () => {
    const log = await openLog<{ id: string; seq: number }>({ dir: tmp.path, name: 'events' });
    let next = log.start;
    const grown: number[] = [];
    log.onDidAppend(({ size }) => grown.push(size));
    const writer = spawnFixture(fixture('appender'), [tmp.path, 'w', '3']);
    await writer.waitForLine('done');
    await waitFor(() => grown.length > 0, { what: 'onDidAppend' });
    const tail: number[] = [];
    for await (const record of log.read({ fromOffset: next })) {
      tail.push(record.event.seq);
      next = record.next;
    }
    expect(tail).toEqual([0, 1, 2]);
    // Reading on from where the tail ended finds nothing new.
    const after: unknown[] = [];
    for await (const record of log.read({ fromOffset: next })) after.push(record);
    expect(after).toEqual([]);
    await log.close();
  });

  /** Each record counted exactly once between the snapshot file and the log, read through a fresh open(). */
  async function expectCountedOnce(count: number, sum: number): Promise<void> {
    const log = await openLog<{ seq: number }>({ dir: tmp.path, name: 'events', watch: false });
    let snapshot = { count: 0, sum: 0 };
    try {
      snapshot = JSON.parse(await readFile(join(tmp.path, 'snapshot.state.json'), 'utf8')).payload;
    } catch {
      // Never written.
    }
    for await (const { event } of log.read()) snapshot = { count: snapshot.count + 1, sum: snapshot.sum + event.seq + 1 };
    await log.close();
    expect(snapshot).toEqual({ count, sum });
  }

  for (const step of ['after-marker', 'after-snapshot', 'after-rotate']) {
    (posix ? it : it.skip)(`loses and doubles nothing when compaction crashes ${step.replace('-', ' ')}`, async () => {
      const writer = spawnFixture(fixture('appender'), [tmp.path, 'x', '50']);
      await writer.waitForLine('done');
      const crashed = spawnFixture(fixture('compactor'), [tmp.path], { env: { BATON_TEST_COMPACT_CRASH: step } });
      expect((await crashed.exited).signal).toBe('SIGKILL');
      // The next open() finishes or rolls back the compaction: readers count nothing twice.
      await expectCountedOnce(50, 1275);
      const more = spawnFixture(fixture('appender'), [tmp.path, 'y', '10']);
      await more.waitForLine('done');
      const again = spawnFixture(fixture('compactor'), [tmp.path]);
      await again.waitForLine(/^compacted /);
      const snapshot = JSON.parse(await readFile(join(tmp.path, 'snapshot.state.json'), 'utf8')).payload;
      // x: seq 0..49 -> sum of 1..50 = 1275; y: 0..9 -> 55. Each record counted exactly once.
      expect(snapshot).toEqual({ count: 60, sum: 1275 + 55 });
      const log = await openLog<unknown>({ dir: tmp.path, name: 'events', watch: false });
      const left: unknown[] = [];
      for await (const r of log.read()) left.push(r.event);
      expect(left).toEqual([]);
      await log.close();
    });
  }

  (posix ? it : it.skip)('a compaction with a stale snapshot object that crashes after its marker loses nothing', async () => {
    const writer = spawnFixture(fixture('appender'), [tmp.path, 'x', '50']);
    await writer.waitForLine('done');
    const crashed = spawnFixture(fixture('compactor'), [tmp.path, 'stale'], { env: { BATON_TEST_COMPACT_CRASH: 'after-marker' } });
    expect((await crashed.exited).signal).toBe('SIGKILL');
    // x: 1275 over 50 records; z: seq 0..4 -> 15 over 5, still in the log.
    await expectCountedOnce(55, 1275 + 15);
    // The next compaction rolls the crashed one back (the snapshot never got its value) and folds z.
    const again = spawnFixture(fixture('compactor'), [tmp.path]);
    await again.waitForLine('compacted 5 3');
    await expectCountedOnce(55, 1275 + 15);
  });
});
