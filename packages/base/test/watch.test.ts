import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expectNoLeaks, makeTempDir, sleep, snapshotResources, waitFor, type TempDir } from '@baton/test-utils';
import { FakeClock, setUnexpectedErrorHandler, WatchedDirectoryGoneError, watchDirectory, type IDisposable } from '../src/index.js';

// Real directories and real fs.watch: what the orchestrator's config reload and the devsync agent stand on.
let tmp: TempDir;
let dir: string;
const watches: IDisposable[] = [];
beforeEach(async () => {
  tmp = await makeTempDir('watch-');
  dir = join(tmp.path, 'watched');
  await mkdir(dir);
});
afterEach(async () => {
  for (const watch of watches.splice(0)) watch.dispose();
  await tmp.cleanup();
});

/** A fake clock that counts the timers set on it: each event on a name (re)starts its quiet time with one. */
function countingClock(): FakeClock & { readonly armed: number } {
  const clock = new FakeClock() as FakeClock & { armed: number };
  clock.armed = 0;
  const setTimeout = clock.setTimeout.bind(clock);
  clock.setTimeout = (callback, ms) => {
    clock.armed += 1;
    return setTimeout(callback, ms);
  };
  return clock;
}

function watchHere(options: { filter?: (name: string) => boolean } = {}) {
  const changes: string[] = [];
  const errors: Error[] = [];
  watches.push(watchDirectory(dir, { debounceMs: 30, ...options, onError: (err) => errors.push(err) }, (name) => changes.push(name)));
  return { changes, errors };
}

describe('watchDirectory', () => {
  // The quiet time on a fake clock: real events, timers that fire only when the test moves the clock, so no load
  // can make a burst look like two (five writes with an await between each outran a real 30 ms on a loaded machine).
  it('reports a burst of events on one name once, after the quiet time counted from the last event', async () => {
    const clock = countingClock();
    const changes: string[] = [];
    watches.push(watchDirectory(dir, { debounceMs: 30, clock }, (name) => changes.push(name)));
    for (let i = 0; i < 5; i++) {
      const armed = clock.armed;
      await writeFile(join(dir, 'a.txt'), `v${i}`);
      // This write's event has reached the watch (it restarted the quiet time); then 20 ms pass, less than it.
      await waitFor(() => clock.armed > armed, { what: `the event of write ${i}` });
      clock.advance(20);
      expect(changes).toEqual([]);
    }
    // 100 ms of fake time passed in all, but never 30 without an event.
    clock.advance(9);
    expect(changes).toEqual([]);
    clock.advance(1);
    expect(changes).toEqual(['a.txt']);
  });

  // Real time, with a margin no load can miss: the writes are synchronous, so the watch's events are read in one
  // turn of the event loop after them, and the quiet time can only start after the last.
  it('a burst in real time is reported once, and a save by rename under the saved name', async () => {
    const { changes } = watchHere();
    for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'a.txt'), `v${i}`);
    await waitFor(() => changes.includes('a.txt'));
    await sleep(150);
    expect(changes.filter((n) => n === 'a.txt')).toHaveLength(1);
    // Editors save by writing a temporary file and renaming it over the old one.
    await writeFile(join(dir, 'b.txt.swp'), 'saved');
    await rename(join(dir, 'b.txt.swp'), join(dir, 'b.txt'));
    await waitFor(() => changes.includes('b.txt'));
  });

  it('reports only the names its filter accepts', async () => {
    const { changes } = watchHere({ filter: (name) => name.endsWith('.yaml') });
    await writeFile(join(dir, 'ignored.txt'), 'x');
    await writeFile(join(dir, 'config.yaml'), 'x');
    await waitFor(() => changes.includes('config.yaml'));
    await sleep(100);
    expect(changes).toEqual(['config.yaml']);
  });

  it('dispose() stops reporting and leaves no watch, timer or descriptor behind', async () => {
    const before = snapshotResources();
    const clock = countingClock();
    const changes: string[] = [];
    const watch = watchDirectory(dir, { debounceMs: 200, clock }, (name) => changes.push(name));
    await writeFile(join(dir, 'a.txt'), 'x');
    await waitFor(() => clock.pendingTimers === 1, { what: 'the change waiting out its quiet time' });
    // A change waiting out its quiet time is dropped with the watch.
    watch.dispose();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(1000);
    expect(changes).toEqual([]);
    await expectNoLeaks(before);
  });

  // Linux reports a watched directory's removal (an event named after it); macOS reports nothing, Windows an error.
  (process.platform === 'linux' ? it : it.skip)('the directory removed: the watch stops and says so with WatchedDirectoryGoneError, once', async () => {
    const { changes, errors } = watchHere();
    await rm(dir, { recursive: true });
    await waitFor(() => errors.length === 1, { what: 'the removal reported' });
    expect(errors[0]).toBeInstanceOf(WatchedDirectoryGoneError);
    expect(errors[0]).toMatchObject({ code: 'EWATCHGONE', data: { dir } });
    expect(errors[0]!.message).toContain(dir);
    // Made anew at the same path: the stopped watch sees nothing there, and reports nothing more.
    await mkdir(dir);
    await writeFile(join(dir, 'a.txt'), 'x');
    await sleep(150);
    expect(changes).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it('a file named like the directory is a change of that file, not the directory going away', async () => {
    const { changes, errors } = watchHere();
    await writeFile(join(dir, 'watched'), 'x');
    await waitFor(() => changes.includes('watched'));
    expect(errors).toEqual([]);
    await writeFile(join(dir, 'after.txt'), 'x');
    await waitFor(() => changes.includes('after.txt'));
  });

  it('an onError that throws does not escape the watch: it goes to the unexpected-error handler', async () => {
    const thrown: unknown[] = [];
    const previous = setUnexpectedErrorHandler((err) => thrown.push(err));
    try {
      const onError = () => {
        throw new Error('handler failed');
      };
      watches.push(watchDirectory(dir, { debounceMs: 10, onError }, () => {}));
      await rm(dir, { recursive: true });
      if (process.platform === 'linux') await waitFor(() => thrown.length === 1, { what: 'the handler error passed on' });
    } finally {
      setUnexpectedErrorHandler(previous);
    }
  });
});
