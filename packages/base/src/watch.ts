import { watch, type FSWatcher } from 'node:fs';
import { systemClock, type Clock } from './clock.js';
import { toDisposable, type IDisposable } from './disposable.js';
import { onUnexpectedError } from './errors.js';

export interface WatchDirectoryOptions {
  /** Quiet time after the last event for a name before `onChange` is called for it (ms). */
  debounceMs: number;
  /** Only names this accepts are reported (default: all). */
  filter?: (name: string) => boolean;
  /** Where a failing watch is reported (default: the unexpected-error handler). The watch has stopped then. */
  onError?: (error: Error) => void;
  /** Keep the process alive while watching (default false). */
  persistent?: boolean;
  clock?: Clock;
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
  let watcher: FSWatcher | undefined = watch(dir, { persistent: options.persistent ?? false }, (_event, filename) => {
    const name = filename === null ? '' : String(filename);
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
  watcher.on('error', (err: Error) => {
    stop();
    (options.onError ?? onUnexpectedError)(err);
  });
  return toDisposable(stop);
}
