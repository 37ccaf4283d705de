import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename } from 'node:path';
import { systemClock, type Clock } from './clock.js';
import { toDisposable, type IDisposable } from './disposable.js';
import { defineErrorClass, onUnexpectedError, registerErrorClass } from './errors.js';

/**
 * The watched directory was removed, or another one put at its path: the watch has stopped (a watch follows the
 * directory, not the path, and a removed one reports nothing more). Watch the path again once it exists.
 */
export class WatchedDirectoryGoneError extends defineErrorClass('EWATCHGONE') {}
registerErrorClass(WatchedDirectoryGoneError);

/** Options of `watchDirectory`: the debounce, a name filter, where errors go, and the clock. */
export interface WatchDirectoryOptions {
  /** Quiet time after the last event for a name before `onChange` is called for it (ms). */
  debounceMs: number;
  /** Only names this accepts are reported (default: all). */
  filter?: (name: string) => boolean;
  /**
   * Where a failing watch is reported (default: the unexpected-error handler). The watch has stopped then. The
   * directory's removal comes here as a `WatchedDirectoryGoneError`, where the platform reports it (Linux, with an
   * event named after the directory; an error of the watch on a directory that is gone is reported so too, as
   * Windows may give); where it does not (macOS, Wine), the caller looks for itself (a file it expected found
   * missing, a look now and then).
   */
  onError?: (error: Error) => void;
  /** Keep the process alive while watching (default false). */
  persistent?: boolean;
  clock?: Clock;
}

/**
 * What tells one directory (or file) at a path from the next one put there, or undefined when nothing is there:
 * device and inode, and where an inode number is reused (Linux, macOS) the birth time too. Windows' file id already
 * changes on reuse (it carries a sequence number), and there the birth time cannot be trusted: Wine reports the
 * change time, which moves with every entry added.
 */
export function pathIdentity(path: string): string | undefined {
  try {
    const info = statSync(path, { bigint: true });
    return process.platform === 'win32' ? `${info.dev}:${info.ino}` : `${info.dev}:${info.ino}:${info.birthtimeNs}`;
  } catch {
    return undefined;
  }
}

/**
 * Watches a directory and calls `onChange(name)` once per burst of events on a name, after `debounceMs` of quiet.
 * A directory, not the file: editors save by writing a temporary file and renaming it over the old one, and a
 * watch on the old file would see only that it went away. An event without a name (some platforms) is reported
 * as `''`: the caller looks at everything it cares about. Throws when the directory cannot be watched at all.
 */
export function watchDirectory(dir: string, options: WatchDirectoryOptions, onChange: (name: string) => void): IDisposable {
  const clock = options.clock ?? systemClock;
  const timers = new Map<string, IDisposable>();
  const own = basename(dir);
  const identity = pathIdentity(dir);
  let watcher: FSWatcher | undefined = watch(dir, { persistent: options.persistent ?? false }, (_event, filename) => {
    const name = filename === null ? '' : String(filename);
    // Linux reports the directory's own removal as an event named after it; a file of that name inside it is
    // told apart by looking at the directory itself.
    if ((name === own || name === '') && pathIdentity(dir) !== identity) {
      fail(gone());
      return;
    }
    if (name !== '' && options.filter && !options.filter(name)) return;
    timers.get(name)?.dispose();
    timers.set(
      name,
      clock.setTimeout(() => {
        timers.delete(name);
        try {
          onChange(name);
        } catch (err) {
          onUnexpectedError(err);
        }
      }, options.debounceMs),
    );
  });
  const stop = () => {
    watcher?.close();
    watcher = undefined;
    for (const timer of timers.values()) timer.dispose();
    timers.clear();
  };
  const fail = (err: Error) => {
    if (!watcher) return;
    stop();
    try {
      (options.onError ?? onUnexpectedError)(err);
    } catch (thrown) {
      onUnexpectedError(thrown);
    }
  };
  const gone = (cause?: unknown) => new WatchedDirectoryGoneError(`${dir} was removed or replaced; its watch has stopped`, { cause, data: { dir } });
  // A watch error on a directory that is gone (Windows may report a removal so, as EPERM) is that removal.
  watcher.on('error', (err: Error) => fail(pathIdentity(dir) !== identity ? gone(err) : err));
  return toDisposable(stop);
}
