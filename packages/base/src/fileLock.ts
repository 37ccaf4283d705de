import { closeSync, openSync } from 'node:fs';
import { abortableDelay, throwIfAborted } from './abort.js';
import { tryLockFd } from './osLock.js';

/** Options of the OS file lock: the tries, shared or exclusive, the wait between tries, and a signal that gives up. */
export interface FileLockOptions {
  /** Tries before giving up (the caller turns that into its own error); default: no limit. */
  attempts?: number;
  /** Shared (many holders) instead of exclusive. */
  shared?: boolean;
  signal?: AbortSignal;
  /** Longest wait between tries (default 8 ms). */
  maxDelayMs?: number;
}

/**
 * A short critical section between processes: an exclusive OS lock on `path`, which the kernel
 * releases if the holder dies, so it can never be left held by a dead process. Waiters poll with
 * a growing, jittered delay (0.1 ms to maxDelayMs); the section is meant to last milliseconds.
 * Returns the release function, or undefined when the attempts ran out.
 */
export async function lockFile(path: string, options: FileLockOptions): Promise<(() => void) | undefined> {
  const fd = openSync(path, 'a+', 0o600);
  const attempts = options.attempts ?? Infinity;
  const maxDelayMs = options.maxDelayMs ?? 8;
  let delay = Math.min(0.1, maxDelayMs);
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      throwIfAborted(options.signal);
      if (tryLockFd(fd, { shared: options.shared })) {
        let released = false;
        return () => {
          if (released) return;
          released = true;
          closeSync(fd); // closing drops the lock
        };
      }
      await abortableDelay(delay * (0.5 + Math.random()), { signal: options.signal });
      delay = Math.min(maxDelayMs, delay * 2);
    }
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  closeSync(fd);
  return undefined;
}
