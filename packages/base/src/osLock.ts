import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type fsExtModule from 'fs-native-extensions';
import { defineErrorClass, registerErrorClass } from './errors.js';
import { nodeRequire } from './nodeRequire.js';

/** The OS-lock addon (fs-native-extensions) cannot be loaded on this platform or from this install. */
export class OsLockUnavailableError extends defineErrorClass('EOSLOCK') {}
registerErrorClass(OsLockUnavailableError);

const addon = 'fs-native-extensions';

// The native addon is loaded on first use: it costs a process 2-6 MiB of memory, and most
// processes that import @baton/base (a supervisor, a client) never take an OS lock.
let fsExt: typeof fsExtModule | undefined;
let loadError: OsLockUnavailableError | undefined;

function native(): typeof fsExtModule {
  if (fsExt) return fsExt;
  if (loadError) throw loadError;
  try {
    // In an ES module a require is made from this module's URL: a global `require` may exist there too (`node -e`,
    // the REPL), but it resolves from the current directory, not from this package. In a bundle, the bundle's.
    const load = nodeRequire((import.meta as { url?: string }).url);
    // Loaded by its real path: under a symlinked path (pnpm's node_modules with
    // --preserve-symlinks, or a loader that does not resolve links) the addon's own
    // require('which-runtime') looks beside the link, not beside the package, and fails.
    const entry = realpathSync(load.resolve(addon));
    fsExt = prebuilt(dirname(entry)) ?? (load(entry) as typeof fsExtModule);
    return fsExt;
  } catch (err) {
    loadError = new OsLockUnavailableError(
      `Cannot load the OS-lock addon '${addon}' on ${process.platform}-${process.arch} (Node ${process.versions.node}): ${(err as Error).message}. ` +
        `Baton's locks, elections, fences and IPC socket ownership need it. In a bundle, mark '${addon}' external and ship it in node_modules beside the bundle (see @baton/base README, "Bundling").`,
      { cause: err },
    );
    throw loadError;
  }
}

/**
 * The addon's prebuilt binary for this platform, loaded directly, with the two calls Baton makes wrapped as the
 * package's index.js wraps them; undefined where the package has no prebuilt binary for this platform (its own
 * loader then finds one, or says why not). The package's loader (require-addon and its resolvers) costs a process
 * about 4 MiB of memory more than the binary itself: that much less in every extension host and member process.
 */
function prebuilt(packageDir: string): typeof fsExtModule | undefined {
  const file = join(packageDir, 'prebuilds', `${process.platform}-${process.arch}`, `${addon}.node`);
  if (!existsSync(file)) return undefined;
  const module = { exports: {} as { tryLock(fd: number, offset: number, length: number, exclusive: boolean): void; unlock(fd: number, offset: number, length: number): void } };
  process.dlopen(module, file);
  const binding = module.exports;
  return {
    tryLock(fd: number, offset = 0, length = 0, options: { shared?: boolean } = {}) {
      try {
        binding.tryLock(fd, offset, length, options.shared !== true);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return false;
        throw err;
      }
      return true;
    },
    unlock(fd: number, offset = 0, length = 0) {
      binding.unlock(fd, offset, length);
    },
  } as typeof fsExtModule;
}

/**
 * Loads the OS-lock addon now, so that a process that cannot take OS locks fails at start with
 * OsLockUnavailableError (EOSLOCK) instead of on its first lock.
 */
export function ensureOsLock(): void {
  native();
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
