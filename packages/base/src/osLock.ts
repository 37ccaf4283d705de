import { createRequire } from 'node:module';
import type fsExtModule from 'fs-native-extensions';

// The native addon is loaded on first use: it costs a process 2-6 MiB of memory, and most
// processes that import @baton/base (a supervisor, a client) never take an OS lock.
let fsExt: typeof fsExtModule | undefined;
function native(): typeof fsExtModule {
  fsExt ??= createRequire(import.meta.url)('fs-native-extensions') as typeof fsExtModule;
  return fsExt;
}

// An exclusive OS lock that the kernel releases when the holding process dies, however it dies:
// open-file-description locks (fcntl F_OFD_SETLK) on Linux, flock on macOS, LockFileEx on Windows.
// Locks belong to the open file description, so two descriptors in one process exclude each other.
//
// On Windows LockFileEx is mandatory for the locked range, so lock one byte far past the content
// (readers can still read the term record). macOS flock only locks whole files, which is advisory.
const rangeOffset = process.platform === 'darwin' ? 0 : 2 ** 30;
const rangeLength = process.platform === 'darwin' ? 0 : 1;

/**
 * Takes the exclusive OS lock on `fd` if no other open file description holds it; never blocks.
 * The fd must be open for writing. Used for "is the holder still alive?" checks: the kernel drops
 * the lock when its process dies, however it dies.
 */
export function tryLockFd(fd: number, options: { shared?: boolean } = {}): boolean {
  // A shared lock needs the fd open for reading, an exclusive one for writing ('a+' or 'r+' does both).
  return native().tryLock(fd, rangeOffset, rangeLength, { shared: options.shared === true });
}

/** Drops the lock taken by tryLockFd (closing the fd drops it too). */
export function unlockFd(fd: number): void {
  native().unlock(fd, rangeOffset, rangeLength);
}
